"""Article files for end-to-end tests of the library: small council stories and one oversized article."""

from __future__ import annotations

from pathlib import Path

LONG_TITLE = "Parliament debates " + " ".join(f"amendment{i}" for i in range(60))
LONG_SENTENCE = ("The committee heard testimony from regional officials about the budget " * 25).strip()


def write_library(folder: Path, count: int = 0, *, long_article: bool = False) -> Path:
    """``count`` small articles (``story-NN``) and optionally one with a 700-character title and huge sentences."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"story-{i:02d}.txt").write_text(
            f"Council story number {i} about bike lanes\n\n"
            f"The city council voted on bike lanes for district {i}. Officials said work starts in spring. "
            "Residents were divided on the plan. Shop owners worried about parking. Cyclists were pleased.\n",
            encoding="utf-8",
        )
    if long_article:
        body = "\n\n".join(f"{LONG_SENTENCE} on day {i}." for i in range(6))
        (folder / "long.md").write_text(f"---\ntitle: {LONG_TITLE}\n---\n\n{body}\n", encoding="utf-8")
    return folder
