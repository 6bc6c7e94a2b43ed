"""Benchmark of the extractive summarizer against Lead-3 and sumy's LexRank/TextRank on the CNN dev set.

Run: ``python -m bench.summaries [--data FILE] [--out docs/benchmarks/summaries.md]``

Every method gets the same sentences (our cleaning + nupunkt splitting) and picks 3 of them. ROUGE is
``rouge-score`` F1 x 100 with the Porter stemmer; R-Lsum puts one sentence a line on both sides. "ms/article"
times only the sentence selection; parsing and splitting are timed on their own line. A paired bootstrap
(10,000 resamples of the articles) compares ours with Lead-3. The 20,000-character timing runs the whole
pipeline (clean, split, summarize) on one long article made of dev-set text.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from bot.articles.extractive import lead, summarize_sentences
from bot.articles.parse import parse_text
from bot.paths import REPO_ROOT, shared_dir

Method = Callable[[Sequence[str], int], list[str]]
METRICS = ("rouge1", "rouge2", "rougeLsum")
SENTENCES = 3
LONG_CHARS = 20_000


def load_rows(path: Path) -> list[dict[str, str]]:
    """The dev set: one {"id", "article", "reference"} object per line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class _WordTokenizer:
    """Minimal sumy tokenizer (sumy's own needs NLTK data that cannot be downloaded here)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        from bot.articles.sentences import split_sentences

        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> tuple[str, ...]:
        import re

        return tuple(re.findall(r"[^\W_]+(?:['’][^\W_]+)?", sentence))


def sumy_method(name: str) -> Method:
    """A sumy summarizer ("lexrank" or "textrank") over our sentences."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    summarizer = (LexRankSummarizer if name == "lexrank" else TextRankSummarizer)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = _WordTokenizer()

    def run(sentences: Sequence[str], count: int) -> list[str]:
        document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
        return [str(s) for s in summarizer(document, count)]

    return run


def evaluate(method: Method, docs: list[list[str]], refs: list[str]) -> tuple[np.ndarray, float, float]:
    """Per-article ROUGE F1 (n x 3), mean words per summary, mean ms per article (selection only)."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores = np.zeros((len(docs), len(METRICS)))
    words = 0
    elapsed = 0.0
    for i, (sentences, reference) in enumerate(zip(docs, refs, strict=True)):
        start = time.perf_counter()
        summary = method(sentences, SENTENCES)
        elapsed += time.perf_counter() - start
        words += sum(len(s.split()) for s in summary)
        result = scorer.score(reference, "\n".join(summary))
        scores[i] = [result[m].fmeasure * 100 for m in METRICS]
    return scores, words / len(docs), elapsed * 1000 / len(docs)


def paired_bootstrap(ours: np.ndarray, base: np.ndarray, resamples: int = 10_000) -> list[str]:
    """Mean difference, 95% interval and share of resamples where ours <= base, per metric."""
    rng = np.random.default_rng(0)
    diff = ours - base
    idx = rng.integers(0, len(diff), (resamples, len(diff)))
    means = diff[idx].mean(axis=1)
    lines = []
    for j, metric in enumerate(METRICS):
        low, high = np.percentile(means[:, j], [2.5, 97.5])
        p = float((means[:, j] <= 0).mean())
        lines.append(f"| {metric} | {diff[:, j].mean():+.2f} | [{low:+.2f}, {high:+.2f}] | {p:.4f} |")
    return lines


def long_article(rows: list[dict[str, str]], chars: int = LONG_CHARS) -> str:
    """About ``chars`` characters of dev-set text, paragraphs kept, cut at a word boundary."""
    text = ""
    for row in sorted(rows, key=lambda r: -len(r["article"])):
        text += row["article"] + "\n\n"
        if len(text) >= chars:
            break
    return text[:chars].rsplit(" ", 1)[0]


def time_long(text: str, runs: int = 20) -> tuple[float, float]:
    """Median and max ms to clean, split and summarize ``text`` (one warm-up run first)."""
    def once() -> float:
        start = time.perf_counter()
        article = parse_text(text, article_id="long")
        summarize_sentences(article.sentences, SENTENCES)
        return (time.perf_counter() - start) * 1000

    once()
    times = [once() for _ in range(runs)]
    return statistics.median(times), max(times)


def run(data: Path) -> str:
    """Run the whole benchmark and return the Markdown report."""
    rows = load_rows(data)
    start = time.perf_counter()
    docs = [list(parse_text(r["article"], article_id=r["id"]).sentences) for r in rows]
    prep_ms = (time.perf_counter() - start) * 1000 / len(rows)
    refs = [r["reference"] for r in rows]
    methods: dict[str, Method] = {
        "ours (position + centrality + MMR)": summarize_sentences,
        "Lead-3": lead,
        "sumy LexRank": sumy_method("lexrank"),
        "sumy TextRank": sumy_method("textrank"),
    }
    results = {name: evaluate(method, docs, refs) for name, method in methods.items()}
    lines = [
        "# Extractive summaries: benchmark",
        "",
        f"Data: `{data.name}`, {len(rows)} CNN articles with human highlights; {SENTENCES} sentences a summary.",
        "ROUGE: `rouge-score` F1 x 100, `use_stemmer=True`; R-Lsum with one sentence a line.",
        "All methods choose from the same sentences (our cleaning and nupunkt splitting).",
        "",
        "| method | R-1 | R-2 | R-Lsum | words | ms/article |",
        "|---|---|---|---|---|---|",
    ]
    for name, (scores, words, ms) in results.items():
        r1, r2, rl = scores.mean(axis=0)
        lines.append(f"| {name} | {r1:.2f} | {r2:.2f} | {rl:.2f} | {words:.0f} | {ms:.2f} |")
    median_ms, max_ms = time_long(long_article(rows))
    lines += [
        "",
        f"Cleaning + sentence splitting (shared by all methods): {prep_ms:.2f} ms/article.",
        f"A {LONG_CHARS:,}-character article, whole pipeline (clean, split, summarize): "
        f"median {median_ms:.1f} ms, max {max_ms:.1f} ms over 20 runs (limit 200 ms).",
        "",
        "Paired bootstrap, ours minus Lead-3 (10,000 resamples of the articles):",
        "",
        "| metric | mean diff | 95% interval | share of resamples <= 0 |",
        "|---|---|---|---|",
        *paired_bootstrap(results["ours (position + centrality + MMR)"][0], results["Lead-3"][0]),
        "",
        "Note: three parameters (position weight and decay, redundancy) were picked on this dev set with a coarse",
        "grid, over which the scores are flat (within ~0.5 R-1); a disjoint held-out set of 699 articles from the",
        "same source is kept elsewhere for the final check. Ours writes slightly longer summaries than Lead-3",
        "(see words), which helps recall. Timings depend on the machine and its load.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the benchmark table and write it to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_dir() / "data" / "summaries" / "cnndm_test_dev.jsonl")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "benchmarks" / "summaries.md")
    args = parser.parse_args(argv)
    report = run(args.data)
    print(report, end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
