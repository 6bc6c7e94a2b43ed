"""comments:analyze through the real engine (tiny planted Detoxify checkpoint) and analyzer: Perspective's JSON
shapes, thresholds, span scores mapped onto the comment as sent, languages, micro-batching of concurrent requests."""

from __future__ import annotations

import asyncio
from typing import Any

from support.api_server import RunningApi

ALL = ["TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT", "INFLAMMATORY",
       "PARTISAN"]
MIXED = "You are a stupid idiot. The council meets on Tuesday to discuss the bridge."


def check_score(score: dict[str, object]) -> float:
    assert set(score) == {"value", "type"} and score["type"] == "PROBABILITY"
    value = score["value"]
    assert isinstance(value, float) and 0.0 <= value <= 1.0
    return value


async def test_response_shape_is_perspectives(api: RunningApi) -> None:
    status, body = await api.analyze("You are a stupid idiot", ALL, clientToken="tok-1")
    assert status == 200
    assert set(body) == {"attributeScores", "languages", "detectedLanguages", "clientToken"}
    assert body["clientToken"] == "tok-1" and body["languages"] == ["en"] and body["detectedLanguages"] == ["en"]
    assert set(body["attributeScores"]) == set(ALL)
    for attr in body["attributeScores"].values():
        assert set(attr) <= {"summaryScore", "spanScores"}
        check_score(attr["summaryScore"])
        for span in attr["spanScores"]:
            assert set(span) == {"begin", "end", "score"}
            check_score(span["score"])
    scores = {k: v["summaryScore"]["value"] for k, v in body["attributeScores"].items()}
    assert scores["TOXICITY"] > 0.9 and scores["INSULT"] > 0.9  # planted words
    assert scores["THREAT"] < 0.2 and scores["PROFANITY"] < 0.2


async def test_scores_match_the_engine_the_bot_uses(api: RunningApi) -> None:
    assert api.engine is not None
    [direct] = await api.engine.score(["Kill them all"])
    _, body = await api.analyze("Kill them all", ["THREAT", "TOXICITY", "PROFANITY"])
    got = {k: v["summaryScore"]["value"] for k, v in body["attributeScores"].items()}
    assert got == {"THREAT": round(direct.scores["threat"], 6), "TOXICITY": round(direct.scores["toxicity"], 6),
                   "PROFANITY": round(direct.scores["obscene"], 6)}
    assert got["THREAT"] > 0.9


async def test_span_scores_are_sentences_of_the_comment_as_sent(api: RunningApi) -> None:
    status, body = await api.analyze(MIXED, ["TOXICITY", "INFLAMMATORY"], spanAnnotations=True)
    assert status == 200
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert [MIXED[s["begin"]:s["end"]] for s in spans] == [
        "You are a stupid idiot.", "The council meets on Tuesday to discuss the bridge."]
    assert spans[0]["score"]["value"] > 0.9 > 0.2 > spans[1]["score"]["value"]
    inflammatory = body["attributeScores"]["INFLAMMATORY"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in inflammatory] == [(s["begin"], s["end"]) for s in spans]


async def test_span_offsets_survive_disguises(api: RunningApi) -> None:
    text = "Hello there friends.  You are an 1d10t!!"
    _, body = await api.analyze(text, ["TOXICITY"], spanAnnotations=True)
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert [text[s["begin"]:s["end"]] for s in spans][0] == "Hello there friends."
    assert text[spans[-1]["begin"]:spans[-1]["end"]].startswith("You are an 1d10t")


async def test_without_span_annotations_one_span_covers_the_comment(api: RunningApi) -> None:
    _, body = await api.analyze(MIXED, ["TOXICITY"])
    [span] = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert (span["begin"], span["end"]) == (0, len(MIXED))
    assert span["score"] == body["attributeScores"]["TOXICITY"]["summaryScore"]


async def test_score_threshold_leaves_out_low_attributes_and_spans(api: RunningApi) -> None:
    status, body = await api.analyze(MIXED, {"TOXICITY": {"scoreThreshold": 0.5, "scoreType": "PROBABILITY"},
                                             "THREAT": {"scoreThreshold": 0.5}}, spanAnnotations=True)
    assert status == 200
    assert list(body["attributeScores"]) == ["TOXICITY"]
    [span] = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert MIXED[span["begin"]:span["end"]] == "You are a stupid idiot."


async def test_v1_route_aliases_and_languages(api: RunningApi) -> None:
    status, body = await api.post("/v1/comments:analyze", {
        "comment": {"text": "what a loser", "type": "PLAIN_TEXT"}, "languages": ["en-US"],
        "requestedAttributes": {"TOXICITY_EXPERIMENTAL": {}}, "context": {"entries": [{"text": "parent"}]},
        "doNotStore": True, "sessionId": "s", "communityId": "c"})
    assert status == 200, body
    assert list(body["attributeScores"]) == ["TOXICITY"] and body["languages"] == ["en"]
    assert "clientToken" not in body


async def test_concurrent_requests_share_model_calls(api: RunningApi) -> None:
    assert api.engine is not None
    before = api.engine.stats.batches
    texts = [f"comment number {i} about the bridge vote" for i in range(24)]
    answers = await asyncio.gather(*(api.analyze(t, ["TOXICITY"]) for t in texts))
    assert all(status == 200 for status, _ in answers)
    calls = api.engine.stats.batches - before
    assert calls < len(texts), f"{calls} model calls for {len(texts)} concurrent requests: not micro-batched"


async def test_discovery_document(api: RunningApi) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(api.url + "/$discovery/rest", params={"version": "v1alpha1"}) as resp:
            assert resp.status == 200
            doc = await resp.json()
        async with session.get(api.url + "/discovery/v1/apis/commentanalyzer/v9/rest") as resp:
            assert resp.status == 404 and (await resp.json())["error"]["status"] == "NOT_FOUND"
    assert doc["name"] == "commentanalyzer" and doc["version"] == "v1alpha1"
    assert doc["rootUrl"] == api.url + "/"
    methods = doc["resources"]["comments"]["methods"]
    assert methods["analyze"]["path"] == "v1alpha1/comments:analyze"
    assert methods["suggestscore"]["httpMethod"] == "POST"


def test_multilingual_variant_answers_the_languages_it_supports() -> None:
    import pytest

    from bot.api.errors import ApiError
    from bot.api.scoring import CommentScorer
    from bot.api.wire import AnalyzeRequest, AttributeRequest

    scorer = CommentScorer(engine=object(), analyzer=object(), variant="multilingual")
    french = AnalyzeRequest("Bonjour", (AttributeRequest("TOXICITY"),), languages=("fr",))
    assert scorer.check_languages(french) == (["fr"], ["fr"])
    with pytest.raises(ApiError, match="TOXICITY does not support request languages: ja. Supported: en, fr, es"):
        scorer.check_languages(AnalyzeRequest("x", (AttributeRequest("TOXICITY"),), languages=("ja",)))
    with pytest.raises(ApiError, match="INFLAMMATORY does not support request languages: fr. Supported: en"):
        scorer.check_languages(AnalyzeRequest("x", (AttributeRequest("INFLAMMATORY"),), languages=("fr",)))


async def test_experimental_attributes_with_the_learned_heads(start_api: Any, api_settings: Any) -> None:
    running = await start_api(api_settings(policy={"use_learned_heads": True}))
    _, rude = await running.analyze("You are a complete idiot", ["INFLAMMATORY", "PARTISAN"])
    _, calm = await running.analyze("The Republican tax plan will hurt renters", ["INFLAMMATORY", "PARTISAN"])
    _, blame = await running.analyze("This is what happens when you elect democrats", ["PARTISAN"])
    value = lambda body, attr: body["attributeScores"][attr]["summaryScore"]["value"]  # noqa: E731
    assert value(rude, "INFLAMMATORY") > 0.8 > value(calm, "INFLAMMATORY")
    assert value(blame, "PARTISAN") > 0.8 > value(calm, "PARTISAN")
