"""Perspective's wire format: the attribute table, request bodies parsed and checked, response bodies built.

Requests are checked the way Perspective checks them: unknown fields, wrong types, an empty or over-long
comment, an unknown attribute or score type are 400 INVALID_ARGUMENT with a message naming the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.api.errors import ApiError, invalid

# Perspective attribute -> Detoxify label (scored by the toxicity engine).
ENGINE_ATTRIBUTES: dict[str, str] = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "IDENTITY_ATTACK": "identity_attack",
    "INSULT": "insult",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "SEXUALLY_EXPLICIT": "sexual_explicit",  # only models that have the label (unbiased, multilingual)
}
# modbot's own attributes (the analyzer: learned heads + lexicons + patterns); experimental.
EXPERIMENTAL_ATTRIBUTES: dict[str, str] = {"INFLAMMATORY": "inflammatory", "PARTISAN": "partisan"}
# Perspective's "_EXPERIMENTAL" names of the production attributes are accepted as aliases.
ALIASES = {f"{name}_EXPERIMENTAL": name for name in ENGINE_ATTRIBUTES}
SCORE_TYPE = "PROBABILITY"
_ANALYZE_FIELDS = {"comment", "context", "requestedAttributes", "spanAnnotations", "languages", "doNotStore",
                   "clientToken", "sessionId", "communityId"}
_SUGGEST_FIELDS = {"comment", "context", "attributeScores", "languages", "doNotStore", "clientToken",
                   "sessionId", "communityId"}


@dataclass(frozen=True)
class AttributeRequest:
    """One requested attribute: its canonical name and the threshold under which it is left out."""

    name: str
    score_threshold: float | None = None


@dataclass(frozen=True)
class AnalyzeRequest:
    """A checked ``comments:analyze`` body."""

    text: str
    attributes: tuple[AttributeRequest, ...]
    languages: tuple[str, ...] = ()
    span_annotations: bool = False
    do_not_store: bool = False
    client_token: str | None = None
    community_id: str | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class SuggestRequest:
    """A checked ``comments:suggestscore`` body (``scores``: attribute -> suggested summary value)."""

    text: str
    scores: dict[str, float | None]
    languages: tuple[str, ...] = ()
    do_not_store: bool = False
    client_token: str | None = None
    community_id: str | None = None
    session_id: str | None = None


def decode_body(raw: bytes) -> Any:
    """UTF-8 JSON -> Python, or 400 with what is wrong (invalid UTF-8, syntax, nesting too deep)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(f"Invalid JSON payload received. The body is not valid UTF-8 (byte {exc.start}).") from None
    if not text.strip():
        raise invalid("Invalid JSON payload received. The body is empty.")
    try:
        return json.loads(text)
    except RecursionError:
        raise invalid("Invalid JSON payload received. The JSON is nested too deeply.") from None
    except ValueError as exc:
        raise invalid(f"Invalid JSON payload received. {exc}.") from None


def canonical_attribute(name: str) -> str:
    """The attribute's canonical name (upper case, ``_EXPERIMENTAL`` aliases resolved)."""
    upper = name.upper()
    return ALIASES.get(upper, upper)


def _where(path: str, expected: str, value: object) -> ApiError:
    plain = isinstance(value, (str, int, float, bool)) or value is None
    shown = json.dumps(value)[:60] if plain else type(value).__name__
    return invalid(f"Invalid value at '{path}' ({expected}), {shown}")


def _object(value: object, path: str, fields: Iterable[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _where(path, "TYPE_MESSAGE", value)
    if fields is not None:
        allowed = set(fields)
        for key in value:
            if key not in allowed:
                where = f"{path}." if path else ""
                raise invalid(f'Invalid JSON payload received. Unknown name "{key}" at \'{where}\': '
                              "Cannot find field.")
    return value


def _string(value: object, path: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _where(path, "TYPE_STRING", value)
    return value


def _bool(value: object, path: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _where(path, "TYPE_BOOL", value)
    return value


def _probability(value: object, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= 1:
        raise _where(path, "TYPE_FLOAT between 0 and 1", value)
    return float(value)


def _languages(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 20:
        raise _where("languages", "a list of language codes", value)
    out = []
    for i, item in enumerate(value):
        code = _string(item, f"languages[{i}]", optional=False) or ""
        primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
        if not primary.isalpha() or not 2 <= len(primary) <= 3:
            raise invalid(f"Invalid language code at 'languages[{i}]': {json.dumps(code)[:40]}")
        out.append(primary)
    return tuple(dict.fromkeys(out))


def _comment(value: object, max_bytes: int) -> str:
    comment = _object(value, "comment", ("text", "type"))
    kind = _string(comment.get("type"), "comment.type")
    if kind not in (None, "PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"):
        raise invalid(f"Invalid value at 'comment.type': only PLAIN_TEXT comments are supported, not {kind!r}")
    text = _string(comment.get("text"), "comment.text") or ""
    if not text:
        raise invalid("Comment must be non-empty.")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise invalid(f"Comment text was too many bytes: {size}; the maximum is {max_bytes}.")
    return text


def _context(value: object) -> None:
    if value is None:
        return
    context = _object(value, "context", ("entries", "articleAndParentComment"))
    entries = context.get("entries")
    if entries is not None:
        if not isinstance(entries, list):
            raise _where("context.entries", "a list", entries)
        for i, entry in enumerate(entries):
            item = _object(entry, f"context.entries[{i}]", ("text", "type"))
            _string(item.get("text"), f"context.entries[{i}].text")
            _string(item.get("type"), f"context.entries[{i}].type")
    if context.get("articleAndParentComment") is not None:
        _object(context["articleAndParentComment"], "context.articleAndParentComment", ("article", "parentComment"))


def _requested(value: object, known: Mapping[str, str]) -> tuple[AttributeRequest, ...]:
    attrs = _object(value, "requestedAttributes")
    if not attrs:
        raise invalid("Must specify at least one requested attribute.")
    out: dict[str, AttributeRequest] = {}
    for raw_name, spec in attrs.items():
        name = canonical_attribute(raw_name)
        if name not in known:
            raise invalid(f"Attribute {raw_name} does not exist. Available: {', '.join(sorted(known))}.")
        path = f"requestedAttributes.{raw_name}"
        spec = _object(spec if spec is not None else {}, path, ("scoreType", "scoreThreshold"))
        score_type = _string(spec.get("scoreType"), f"{path}.scoreType")
        if score_type not in (None, "", SCORE_TYPE, "SCORE_TYPE_UNSPECIFIED"):
            raise invalid(f"Invalid value at '{path}.scoreType': only {SCORE_TYPE} is supported, not {score_type!r}")
        out[name] = AttributeRequest(name, _probability(spec.get("scoreThreshold"), f"{path}.scoreThreshold"))
    return tuple(out.values())


def parse_analyze(data: object, known: Mapping[str, str], max_comment_bytes: int) -> AnalyzeRequest:
    """Check an analyze body; ``known``: the attributes this server offers (name -> source label)."""
    body = _object(data, "", _ANALYZE_FIELDS)
    text = _comment(body.get("comment"), max_comment_bytes)
    _context(body.get("context"))
    if body.get("requestedAttributes") is None:
        raise invalid("Must specify at least one requested attribute.")
    return AnalyzeRequest(
        text=text,
        attributes=_requested(body["requestedAttributes"], known),
        languages=_languages(body.get("languages")),
        span_annotations=_bool(body.get("spanAnnotations"), "spanAnnotations"),
        do_not_store=_bool(body.get("doNotStore"), "doNotStore"),
        client_token=_string(body.get("clientToken"), "clientToken"),
        community_id=_string(body.get("communityId"), "communityId"),
        session_id=_string(body.get("sessionId"), "sessionId"),
    )


def parse_suggest(data: object, known: Mapping[str, str], max_comment_bytes: int) -> SuggestRequest:
    """Check a suggestscore body: the comment and, per known attribute, the suggested summary score."""
    body = _object(data, "", _SUGGEST_FIELDS)
    text = _comment(body.get("comment"), max_comment_bytes)
    _context(body.get("context"))
    raw = _object(body.get("attributeScores"), "attributeScores")
    if not raw:
        raise invalid("Must specify at least one attribute score.")
    scores: dict[str, float | None] = {}
    for raw_name, spec in raw.items():
        name = canonical_attribute(raw_name)
        if name not in known:
            raise invalid(f"Attribute {raw_name} does not exist. Available: {', '.join(sorted(known))}.")
        path = f"attributeScores.{raw_name}"
        item = _object(spec, path, ("summaryScore", "spanScores"))
        summary = item.get("summaryScore")
        value = None
        if summary is not None:
            score = _object(summary, f"{path}.summaryScore", ("value", "type"))
            value = _probability(score.get("value"), f"{path}.summaryScore.value")
        scores[name] = value
    return SuggestRequest(text, scores, _languages(body.get("languages")),
                          _bool(body.get("doNotStore"), "doNotStore"), _string(body.get("clientToken"), "clientToken"),
                          _string(body.get("communityId"), "communityId"), _string(body.get("sessionId"), "sessionId"))


def score(value: float) -> dict[str, Any]:
    """``{"value": ..., "type": "PROBABILITY"}``."""
    return {"value": round(float(value), 6), "type": SCORE_TYPE}


def analyze_response(request: AnalyzeRequest, results: Mapping[str, tuple[float, list[tuple[int, int, float]]]],
                     languages: list[str], detected: list[str]) -> dict[str, Any]:
    """The analyze answer; attributes under their ``scoreThreshold`` are left out, like Perspective does."""
    attribute_scores: dict[str, Any] = {}
    for attr in request.attributes:
        summary, spans = results[attr.name]
        threshold = attr.score_threshold
        if threshold is not None and summary < threshold:
            continue
        kept = [(b, e, v) for b, e, v in spans if threshold is None or v >= threshold]
        entry: dict[str, Any] = {"summaryScore": score(summary)}
        if kept:
            entry["spanScores"] = [{"begin": b, "end": e, "score": score(v)} for b, e, v in kept]
        attribute_scores[attr.name] = entry
    out: dict[str, Any] = {"attributeScores": attribute_scores, "languages": languages,
                           "detectedLanguages": detected}
    if request.client_token is not None:
        out["clientToken"] = request.client_token
    return out
