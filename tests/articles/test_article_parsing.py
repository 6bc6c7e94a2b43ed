"""Ingestion of text, Markdown and HTML: chrome removal, titles, comment sections, ids, folder loading."""

from __future__ import annotations

from pathlib import Path

from bot.articles.assemble import strip_dateline
from bot.articles.config import SummariesConfig
from bot.articles.html import parse_html
from bot.articles.library import ArticleLibrary
from bot.articles.models import slug_for_url, slugify
from bot.articles.parse import load_file, parse_markdown, parse_text

FIXTURES = Path(__file__).parent / "fixtures"
PARA = (
    "The city council voted on Tuesday to approve a new budget for the public schools after months of debate. "
    "Teachers will get a raise of six percent, and four buildings will be repaired before winter."
)


def test_text_with_repeated_title_caption_byline_and_tail() -> None:
    text = "\n\n".join(
        [
            "Council Approves School Budget",
            "Council Approves School Budget",
            "By Jane Doe",
            "A view of the council chamber during the vote",
            PARA,
            "Officials said the plan would also fund two new school buses for rural routes next year.",
            "Photo credit: City of Springfield",
            "Subscribe to our newsletter for daily updates in your inbox.",
            PARA.replace("Tuesday", "Monday"),
            "Written by",
            "2 Comments",
            "• Ann Lee says:\nMarch 3, 2024 at 9:15 am\nGreat news for the kids.\nFinally!\nReply",
            "Bob says:\nWaste of money.",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Jane Doe",
        ]
    )
    article = parse_text(text, article_id="t")
    assert article.title == "Council Approves School Budget"
    body = article.body
    for chrome in ["By Jane Doe", "council chamber", "Photo credit", "newsletter", "Written by", "Comments",
                   "says", "Great news", "Waste of money", "Leave a Reply", "email address", "Jane Doe"]:
        assert chrome not in body, chrome
    assert body.count("Council Approves School Budget") == 0
    assert [(c.author, c.text) for c in article.comments] == [
        ("Ann Lee", "Great news for the kids.\nFinally!"),
        ("Bob", "Waste of money."),
    ]
    assert len(article.sentences) == 5


def test_byline_or_comment_count_at_the_top_does_not_cut_the_article() -> None:
    text = "\n".join(["School Budget Passes", "Written by Jane Doe", "3 Comments", PARA, PARA.upper().lower()])
    article = parse_text(text, article_id="t")
    assert article.title == "School Budget Passes"
    assert len(article.sentences) == 4
    assert "Written by" not in article.body and "3 Comments" not in article.body


def test_tables_citation_cards_and_numbered_lists() -> None:
    text = "\n\n".join(
        [
            "Aid Figures Released",
            PARA,
            "The agencies report these figures:",
            "EntityAttributeValue",
            "Verified child deathsUN OHCHR reports (2025)286",
            "Displaced childrenIOM displacement figures2.4 million internally",
            "Child Casualties in Ukraine",
            "The UN reported 286 verified child deaths in 2025, according to the monitoring mission.",
            "This citation provides specific data on the number of child casualties.",
            "  1. Immediate Ceasefire – End the strikes.\n  2. Security Guarantees – Binding commitments.",
            "Related Sources:",
            "• Source 1 • Source 2",
        ]
    )
    article = parse_text(text, article_id="t")
    body = article.body
    for chrome in ["Attribute", "deathsUN", "childrenIOM", "Child Casualties", "286 verified", "This citation",
                   "Related Sources", "Source 1"]:
        assert chrome not in body, chrome
    items = [p.text for p in article.paragraphs if p.kind == "item"]
    assert items == ["Immediate Ceasefire – End the strikes.", "Security Guarantees – Binding commitments."]


def test_headline_less_text_and_hard_wrapped_lines() -> None:
    text = (
        "The city council voted on Tuesday to approve a new budget\n"
        "for the public schools after months of debate. Teachers will\n"
        "get a raise of six percent.\n"
    )
    article = parse_text(text, article_id="t")
    assert article.sentences == (
        "The city council voted on Tuesday to approve a new budget for the public schools after months of debate.",
        "Teachers will get a raise of six percent.",
    )
    assert article.title == article.sentences[0]


def test_dateline_is_removed() -> None:
    assert strip_dateline("Kathmandu, Nepal (CNN)Rescuers dug") == "Rescuers dug"
    assert strip_dateline("WASHINGTON (AP) — The Senate voted") == "The Senate voted"
    assert strip_dateline("(CNN)Given that") == "Given that"
    assert strip_dateline("Zelensky (Ukraine) said") == "Zelensky (Ukraine) said"
    article = parse_text("Tokyo (CNN)" + PARA, article_id="t")
    assert article.sentences[0].startswith("The city council voted")


def test_markdown() -> None:
    markdown = (
        "---\ntitle: \"Budget Day\"\nauthor: x\n---\n"
        "# Budget Day in Springfield\n\n"
        "![The council chamber](img/chamber.jpg)\n\n"
        f"{PARA} Read the [full plan](https://example.org/plan) and **details** here.\n\n"
        "## What changes\n\n"
        "- Teachers get a raise.\n- Roofs are fixed.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    article = parse_markdown(markdown, article_id="md")
    assert article.title == "Budget Day"
    assert "Read the full plan and details here." in article.sentences
    assert [p.kind for p in article.paragraphs] == ["text", "heading", "item", "item"]
    assert "](" not in article.body and "**" not in article.body and "|" not in article.body


def test_html_page_with_wordpress_comments() -> None:
    article = load_file(FIXTURES / "wordpress_post.html")
    assert article.id == "wordpress-post"
    assert article.title == "City Council Approves School Budget"
    assert article.sentences[0].startswith("The Springfield city council voted 7-2 on Tuesday")
    assert any(p.kind == "heading" and p.text == "Opposition from two members" for p in article.paragraphs)
    for chrome in ["By Jane Doe", "Council members during", "Featured image", "newsletter", "Leave a Reply",
                   "Copyright", "Lincoln Elementary", "audit should come first", "Home", "says"]:
        assert chrome not in article.body, chrome
    assert [(c.author, c.text) for c in article.comments] == [
        ("Scott", "About time. The roof at Lincoln Elementary has leaked for years.\nGood news for the kids."),
        ("Maria K.", "Agreed, but the audit should come first."),
    ]


def test_html_without_article_text_or_broken() -> None:
    assert parse_html("<html><body><nav>Home</nav></body></html>", article_id="x").sentences == ()
    assert parse_html(b"", article_id="x").sentences == ()


def test_ids_are_stable_slugs() -> None:
    assert slugify("000_f672cd09ce46a324") == "000-f672cd09ce46a324"
    assert slugify("Ça va? Très bien!") == "ca-va-tres-bien"
    one = slug_for_url("https://www.example.com/news/2024/budget-vote.html")
    assert one == slug_for_url("https://www.example.com/news/2024/budget-vote.html")
    assert one.startswith("example-com-budget-vote-")
    assert one != slug_for_url("https://www.example.com/news/2024/budget-vote.html?page=2")


def test_library_folder_loading(tmp_path: Path) -> None:
    (tmp_path / "budget.txt").write_text("School Budget Passes\n\n" + PARA, encoding="utf-8")
    (tmp_path / "notes.md").write_text("# Notes\n\n" + PARA, encoding="utf-8")
    (tmp_path / "page.html").write_bytes((FIXTURES / "wordpress_post.html").read_bytes())
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    config = SummariesConfig(load_seeds=False, library_dir=tmp_path)
    library = ArticleLibrary.from_config(config)
    assert sorted(a.id for a in library) == ["budget", "notes", "page"]
    assert library.get("BUDGET").title == "School Budget Passes"
    assert library.get("pa").id == "page"  # unique prefix
    assert [a.id for a in library.search("school budget")] == ["budget", "page"]
    # a crafted autocomplete value far beyond Discord's 100 characters: only its start counts
    assert library.search("budget " * 50_000) == library.search("budget")
    assert library.search("x" * 300 + " budget") == []  # the word after 200 characters is not read
    assert [a.id for a in library.search("school budget " + "\ud800\x00" * 10_000)] == []
