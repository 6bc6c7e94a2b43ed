"""modbot: a self-hosted Discord bot for news communities (summaries, flagging, review queue)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("modbot")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
