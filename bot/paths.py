"""Well-known paths: the repository root, bundled seeds, and the shared development data folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"


def shared_dir() -> Path:
    """The shared data folder: ``$MODBOT_SHARED_DIR`` or ``<repo>/../shared`` (development data, not shipped)."""
    override = os.environ.get("MODBOT_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"
