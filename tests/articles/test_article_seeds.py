"""The five seed articles: titles, no page chrome or comments in body/sentences/summaries, seed 000's comment."""

from __future__ import annotations

import re

import pytest

from bot.articles.config import SummariesConfig
from bot.articles.library import ArticleLibrary
from bot.articles.models import Article
from bot.articles.render import DESCRIPTION_LIMIT, TITLE_LIMIT, TOTAL_LIMIT, render_summary
from bot.paths import SEEDS_DIR

TITLES = {
    "000-f672cd09ce46a324": "Zelensky Wants Direct Talks With Putin To Negotiate",
    # 001 has no headline line: its first sentence (a question) stands in
    "001-b65d5fe6f478c5d4": "Could Ukraine be on the verge of a game-changing concession to stop the war with Russia?",
    "002-b10eed53e45cc9c2": "Zelensky Calls for NATO Protections Amid Escalating Conflict with Russia",
    "003-15bc9f30538ee979": "Zelensky Seeks Strategic Collaboration with Trump Amid Mounting Russian Aggression",
    "004-05f88e38f5c36396": "Zelenskyy renews call for Putin meeting as Russian strikes kill child",
}

# Page chrome found in the seed files; none of it may reach a body, a sentence or a summary.
BOILERPLATE = [
    "Featured image",
    "Wikimedia Commons",
    "Written by",
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
    "Become a Victory Girl",
    "interested in writing for",
    "writing sample",
    "Ava Gardner",
    "This citation",
    "Related Sources",
    "Source 1",
    "ICARO Media Group",
    "###",
    "EntityAttributeValue",
    "deathsUN",
    "childrenIOM",
    "Symbolic meeting between world leaders",
    "Children in a safe space illustrating",
    "International representatives collaborating",
    "Zelenskyy Renews Call for Putin Meeting Amid Russian Strikes Killing Children",  # repeated title variant
    "Zelensky Seeks Direct Collaboration",  # repeated title variant
    "uses , , ,",  # markup stripped out of a sentence
]
# Text of the reader comment under seed 000.
COMMENT_TEXT = [
    "1 Comment",
    "Scott says",
    "if NATO does get involved directly",
    "Colorado Springs",
    "nice knowing you",
    "elect democrats",
    "GWOT",
]


@pytest.fixture(scope="module")
def library() -> ArticleLibrary:
    return ArticleLibrary.from_config(SummariesConfig(), seeds_dir=SEEDS_DIR)


@pytest.fixture(scope="module")
def seeds(library: ArticleLibrary) -> list[Article]:
    articles = list(library)
    assert [a.id for a in articles] == sorted(TITLES)
    return articles


def _texts(article: Article) -> list[str]:
    return [p.text for p in article.paragraphs] + list(article.sentences)


def test_titles(seeds: list[Article]) -> None:
    assert {a.id: a.title for a in seeds} == TITLES


@pytest.mark.parametrize("phrase", BOILERPLATE + COMMENT_TEXT)
def test_no_chrome_or_comment_in_body(seeds: list[Article], phrase: str) -> None:
    for article in seeds:
        for text in _texts(article):
            assert phrase.lower() not in text.lower(), (article.id, text)


def test_title_not_repeated_in_body(seeds: list[Article]) -> None:
    for article in seeds:
        assert all(p.text != article.title for p in article.paragraphs if p.kind != "text"), article.id
    first = seeds[0]
    assert first.body.count(first.title) == 0


async def test_summaries_are_clean_and_fit_discord(library: ArticleLibrary, seeds: list[Article]) -> None:
    for article in seeds:
        for length, count in (("short", 2), ("medium", 3), ("long", 5)):
            summary = await library.summarize(article.id, length)
            assert len(summary.sentences) == count
            assert summary.backend == "extractive"
            joined = " ".join(summary.sentences).lower()
            assert not any(s.endswith(":") for s in summary.sentences)  # no dangling list lead-ins
            for phrase in BOILERPLATE + COMMENT_TEXT:
                assert phrase.lower() not in joined, (article.id, phrase)
            # sentences are the article's own, in article order
            positions = [article.sentences.index(s) for s in summary.sentences]
            assert positions == sorted(positions)
            embed = render_summary(summary, article)
            assert len(embed.title) <= TITLE_LIMIT
            assert len(embed.description) <= DESCRIPTION_LIMIT
            assert embed.total_chars <= TOTAL_LIMIT
            assert embed.description.count("• ") == count


def test_seed_000_comment(seeds: list[Article]) -> None:
    article = seeds[0]
    assert len(article.comments) == 1
    comment = article.comments[0]
    assert comment.author == "Scott"
    assert comment.text.startswith("Well, if NATO does get involved directly")
    assert "This is what happens when you elect democrats" in comment.text
    assert "GWOT doesn’t count" in comment.text
    assert "Leave a Reply" not in comment.text and "Victory Girl" not in comment.text


def test_other_seeds_have_no_comments(seeds: list[Article]) -> None:
    assert [a.id for a in seeds if a.comments] == ["000-f672cd09ce46a324"]


def test_lists_and_headings_are_cleaned(seeds: list[Article]) -> None:
    article = seeds[4]
    items = [p.text for p in article.paragraphs if p.kind == "item"]
    headings = [p.text for p in article.paragraphs if p.kind == "heading"]
    assert "Immediate Ceasefire Implementation – End artillery and missile strikes to protect civilians." in items
    assert "Why Is Zelenskyy Renewing His Call for a Meeting with Putin?" in headings
    for article in seeds:
        for text in _texts(article):
            assert not re.match(r"^\s*(?:\d{1,2}[.)]|[•*])\s", text), (article.id, text)
        # list items and headings never become summary sentences
        assert not set(items) & set(article.sentences)


def test_sentence_splitting_on_messy_text(seeds: list[Article]) -> None:
    by_id = {a.id: a for a in seeds}
    sentences_002 = by_id["002-b10eed53e45cc9c2"].sentences
    assert "U.S." not in sentences_002
    assert any(s.startswith("U.S. Secretary of State Antony Blinken also held a call") for s in sentences_002)
    for article in seeds:
        # no fragments: every sentence ends like one ("Absolutely." is a real one-word sentence in 000;
        # list lead-ins end in a colon)
        assert all(s.rstrip().endswith((".", "!", "?", "”", '"', "’", ":")) for s in article.sentences), article.id
        assert all(s == s.strip() and "\n" not in s for s in article.sentences)


def test_counts_and_reading_time(seeds: list[Article]) -> None:
    by_id = {a.id: a for a in seeds}
    long_one = by_id["004-05f88e38f5c36396"]
    assert 1500 < long_one.word_count < 2500
    assert long_one.reading_minutes >= 7
    assert all(a.word_count > 300 and a.reading_minutes >= 2 for a in seeds)
    # the comment is not counted as article text
    assert by_id["000-f672cd09ce46a324"].word_count < 900
