"""Optional summary backend: an OpenAI-compatible chat endpoint the operator runs (llama.cpp, Ollama, ...).

Only the article title and body are sent (never reader comments). Any failure raises `LLMError`;
the caller falls back to the extractive summary.
"""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp

from bot.articles.config import SummariesConfig
from bot.articles.models import Article
from bot.articles.sentences import split_sentences

SYSTEM_PROMPT = (
    "You summarize news articles faithfully and neutrally. Use only facts stated in the article. "
    "Reply with exactly {count} sentences, one per line, with no title, preamble, bullets or numbering."
)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_LINE_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_MAX_SENTENCE_CHARS = 600


class LLMError(Exception):
    """The endpoint failed, timed out, or answered something unusable."""


def build_messages(article: Article, count: int, max_chars: int) -> list[dict[str, str]]:
    """Chat messages asking for a ``count``-sentence summary of ``article`` (body cut to ``max_chars``)."""
    body = "\n\n".join(p.text for p in article.paragraphs)[:max_chars]
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(count=count)},
        {"role": "user", "content": f"Title: {article.title}\n\n{body}"},
    ]


def parse_reply(content: object, count: int) -> list[str]:
    """Sentences from the model's reply; LLMError if it is empty or not plausible text."""
    if not isinstance(content, str):
        raise LLMError("reply content is not text")
    content = _THINK.sub("", content).strip()
    lines = [_LINE_MARKER.sub("", line).strip() for line in content.splitlines()]
    sentences = [s for line in lines if line for s in split_sentences(line)]
    if not sentences:
        raise LLMError("empty reply")
    if any(len(s) > _MAX_SENTENCE_CHARS for s in sentences):
        raise LLMError("reply does not look like a summary")
    return sentences[:count]


async def openai_summary(
    article: Article,
    count: int,
    config: SummariesConfig,
    *,
    session: aiohttp.ClientSession | None = None,
) -> list[str]:
    """Ask the configured chat endpoint for a summary; raises LLMError on any failure or timeout."""
    url = config.openai_base_url.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if config.openai_api_key is not None:
        headers["Authorization"] = f"Bearer {config.openai_api_key.get_secret_value()}"
    payload = {
        "model": config.openai_model,
        "messages": build_messages(article, count, config.openai_max_input_chars),
        "temperature": 0,
        "max_tokens": config.openai_max_tokens,
        "stream": False,
    }
    own_session = session is None
    session = session or aiohttp.ClientSession(trust_env=False)
    try:
        async with asyncio.timeout(config.openai_timeout):
            async with session.post(url, json=payload, headers=headers) as response:
                if response.status != 200:
                    raise LLMError(f"HTTP {response.status}")
                data = await response.json(content_type=None)
        return parse_reply(data["choices"][0]["message"]["content"], count)
    except TimeoutError:
        raise LLMError(f"no answer within {config.openai_timeout:g} s") from None
    except (aiohttp.ClientError, OSError, json.JSONDecodeError, ValueError) as exc:
        raise LLMError(f"{type(exc).__name__}: {exc}") from None
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"unexpected reply shape: {exc!r}") from None
    finally:
        if own_session:
            await session.close()
