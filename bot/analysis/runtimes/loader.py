"""Build a :class:`~bot.analysis.toxicity.ToxicityModel` from the ``[toxicity]`` config, degrading instead of failing.

Steps: pick the runtime (``auto`` reads the CPU flags), find or download the checkpoint, and either open a
cached int8 ONNX export directly (no PyTorch weights in memory) or load the weights through Detoxify's own
``get_model_and_tokenizer`` with ``model_type`` rewritten to a local config/tokenizer folder (and Hugging Face
offline mode when the hub is unreachable), then warm the model up once. Any failure becomes a ``degraded``
status with a reason. A missing ONNX export is produced in the background (``LoadResult.upgrade``) while
the model serves with fp32.
"""

from __future__ import annotations

import copy
import gc
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.analysis.runtimes import choose_runtime
from bot.analysis.runtimes.weights import (
    ModelUnavailable,
    allows_pickle,
    hf_offline,
    hub_reachable,
    local_hf_dir,
    read_checkpoint,
    resolve_checkpoint,
    sidecar_hf_dir,
)
from bot.analysis.toxicity_model import LABEL_RENAMES, LoadResult, ToxicityModel, ToxicityState, ToxicityStatus

log = logging.getLogger(__name__)

SUBPROCESS_EXPORT_BYTES = 50_000_000  # export big checkpoints in a child process (peak memory stays there)
EXPORT_TIMEOUT = 1800.0


def _threads(requested: int) -> int:
    import torch

    threads = requested or os.cpu_count() or 1
    torch.set_num_threads(threads)
    return threads


def _max_tokens(tokenizer: Any, config: Any) -> int:
    limit = int(getattr(config, "max_position_embeddings", 512))
    if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert"):
        limit -= int(getattr(config, "pad_token_id", 1) or 1) + 1  # positions start after the padding index
    tok_limit = getattr(tokenizer, "model_max_length", None) or limit
    return max(8, min(limit, int(tok_limit) if tok_limit < 1_000_000 else limit))


def load_torch(checkpoint: Path, hf_config_dir: Path | None, offline: bool, *,
               allow_pickle: bool = False) -> tuple[Any, Any, tuple[str, ...], Path]:
    """Load weights through Detoxify's loading code; return ``(hf_model, tokenizer, labels, hf_dir)``."""
    import transformers
    from detoxify.detoxify import get_model_and_tokenizer

    loaded = read_checkpoint(checkpoint, allow_pickle=allow_pickle)
    args = dict(loaded["config"]["arch"]["args"])
    args.pop("classes", None)  # detoxify 0.5.4 raises TypeError on it
    hub_name = args["model_type"]
    local = local_hf_dir(hub_name, checkpoint, hf_config_dir)
    if local is not None:
        args["model_type"] = str(local)
    go_offline = local is not None or offline or not hub_reachable()
    transformers.utils.logging.disable_progress_bar()
    try:
        with hf_offline(go_offline):
            model, tokenizer = get_model_and_tokenizer(**args, state_dict=loaded["state_dict"])
    except (OSError, ValueError) as exc:
        if local is None:
            raise ModelUnavailable(
                f"config/tokenizer for '{hub_name}' are not available offline (hub unreachable or offline mode); "
                f"put config.json + tokenizer files in {sidecar_hf_dir(checkpoint)} or set [toxicity] "
                f"hf_config_dir"
            ) from exc
        raise ModelUnavailable(f"cannot build the model from {local}: {exc}") from exc
    finally:
        transformers.utils.logging.enable_progress_bar()
    if local is None:  # keep a local copy so the next start needs no hub at all
        local = sidecar_hf_dir(checkpoint)
        try:
            model.config.save_pretrained(local)
            tokenizer.save_pretrained(local)
        except OSError as exc:
            log.warning("could not save config/tokenizer next to the weights: %s", exc)
    labels = tuple(LABEL_RENAMES.get(c, c) for c in loaded["config"]["dataset"]["args"]["classes"])
    del loaded
    return model.eval(), tokenizer, labels, local


def _onnx_from_cache(checkpoint: Path, onnx_dir: Path | None, variant: str, threads: int) -> ToxicityModel | None:
    import transformers

    from bot.analysis.runtimes.onnx_backend import OnnxBackend, cache_paths, read_sidecar

    path, sidecar = cache_paths(checkpoint, onnx_dir)
    meta = read_sidecar(sidecar)
    if meta is None:
        return None
    try:
        tokenizer_class = getattr(transformers, meta["tokenizer_class"])
        tokenizer = tokenizer_class.from_pretrained(meta["hf_dir"], local_files_only=True)
        backend = OnnxBackend(path, threads=threads)
    except Exception as exc:  # noqa: BLE001 - a stale or damaged cache: load the weights and export again
        log.warning("cached ONNX model %s is unusable (%s); re-exporting", path, exc)
        return None
    return ToxicityModel(tokenizer=tokenizer, backend=backend, labels=tuple(meta["labels"]), variant=variant,
                         max_tokens=int(meta["max_tokens"]))


def export_onnx(checkpoint: Path, hf_dir: Path, dest: Path, sidecar: Path, meta: dict[str, Any], *, model: Any = None,
                max_tokens: int, allow_pickle: bool = False) -> float:
    """Export + quantize (in a child process for big checkpoints, so its memory peak stays there)."""
    from bot.analysis.runtimes.onnx_backend import export_int8

    if model is not None and checkpoint.stat().st_size < SUBPROCESS_EXPORT_BYTES:
        # a copy: tracing must not touch the module that keeps serving in the worker thread
        return export_int8(copy.deepcopy(model), dest, sidecar, meta, max_tokens=max_tokens)
    job = {"checkpoint": str(checkpoint), "hf_dir": str(hf_dir), "dest": str(dest), "sidecar": str(sidecar),
           "meta": meta, "max_tokens": max_tokens, "allow_pickle": allow_pickle}
    started = time.perf_counter()
    root = str(Path(__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "bot.analysis.runtimes.onnx_export", json.dumps(job)],  # noqa: S603
                          capture_output=True, text=True, timeout=EXPORT_TIMEOUT, env=env, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"ONNX export failed (exit {proc.returncode}): {tail[0]}")
    return time.perf_counter() - started


def _status(cfg: Any, state: ToxicityState, reason: str, runtime: str, **extra: Any) -> ToxicityStatus:
    variant = "custom checkpoint" if cfg.checkpoint is not None else cfg.variant
    return ToxicityStatus(state=state, reason=reason, variant=variant, runtime=runtime,
                          device=cfg.device, **extra)


def load(cfg: Any) -> LoadResult:
    """See the module docstring. Never raises."""
    started = time.perf_counter()
    runtime, why = choose_runtime(cfg.runtime)
    if not cfg.enabled:
        return LoadResult(None, _status(cfg, ToxicityState.DEGRADED, "disabled in config ([toxicity] enabled = false)",
                                        runtime))
    checkpoint: Path | None = None
    try:
        if cfg.device != "cpu":
            raise ModelUnavailable(f"device {cfg.device!r} is not supported by this build; use device = \"cpu\"")
        threads = _threads(cfg.torch_threads)
        checkpoint = resolve_checkpoint(cfg.variant, cfg.checkpoint, cfg.cache_dir, allow_download=cfg.allow_download,
                                        offline=cfg.offline, timeout=cfg.download_timeout)
        variant = cfg.variant if cfg.checkpoint is None else checkpoint.name
        model = _onnx_from_cache(checkpoint, cfg.onnx_dir, variant, threads) if runtime == "onnx-int8" else None
        upgrade = None
        if model is None:
            from bot.analysis.runtimes.torch_backend import TorchBackend

            hf_model, tokenizer, labels, hf_dir = load_torch(checkpoint, cfg.hf_config_dir, cfg.offline,
                                                             allow_pickle=allows_pickle(cfg))
            model = ToxicityModel(tokenizer=tokenizer, backend=TorchBackend(hf_model, bf16=runtime == "bf16"),
                                  labels=labels, variant=variant, max_tokens=_max_tokens(tokenizer, hf_model.config),
                                  batch_size=cfg.max_batch_size)
            if runtime == "onnx-int8":
                upgrade = _make_upgrade(cfg, checkpoint, hf_dir, model, hf_model, threads, started)
                why = "serving fp32 until the int8 ONNX export is ready"
        model.batch_size = cfg.max_batch_size
        model.token_budget = cfg.max_batch_tokens
        model.predict(["warm-up"])
    except ModelUnavailable as exc:
        log.warning("toxicity model unavailable: %s", exc)
        return LoadResult(None, _status(cfg, ToxicityState.DEGRADED, str(exc), runtime,
                                        checkpoint=str(checkpoint) if checkpoint else None))
    except Exception as exc:  # noqa: BLE001 - degrade, never crash the bot
        log.exception("toxicity model failed to load")
        return LoadResult(None, _status(cfg, ToxicityState.DEGRADED, f"load failed: {type(exc).__name__}: {exc}",
                                        runtime, checkpoint=str(checkpoint) if checkpoint else None))
    status = _status(cfg, ToxicityState.OK, why, model.runtime, checkpoint=str(checkpoint), labels=model.labels,
                     load_seconds=round(time.perf_counter() - started, 2))
    log.info("toxicity model ready: %s", status.summary)
    return LoadResult(model, status, upgrade)


def _make_upgrade(cfg: Any, checkpoint: Path, hf_dir: Path, model: ToxicityModel, hf_model: Any, threads: int,
                  started: float) -> Any:
    from bot.analysis.runtimes.onnx_backend import OnnxBackend, cache_paths

    def upgrade() -> ToxicityStatus:
        nonlocal hf_model
        dest, sidecar = cache_paths(checkpoint, cfg.onnx_dir)
        meta = {"labels": list(model.labels), "hf_dir": str(hf_dir), "max_tokens": model.max_tokens,
                "tokenizer_class": type(model.tokenizer).__name__, "checkpoint": str(checkpoint)}
        try:
            seconds = export_onnx(checkpoint, hf_dir, dest, sidecar, meta, model=hf_model, max_tokens=model.max_tokens,
                                  allow_pickle=allows_pickle(cfg))
            model.swap_backend(OnnxBackend(dest, threads=threads))
            model.predict(["warm-up"])
        except Exception as exc:  # noqa: BLE001 - keep serving fp32
            log.warning("ONNX int8 export failed, staying on fp32: %s", exc)
            return _status(cfg, ToxicityState.OK, f"onnx-int8 unavailable ({exc}); using fp32", model.runtime,
                           checkpoint=str(checkpoint), labels=model.labels)
        hf_model = None
        gc.collect()
        log.info("toxicity model switched to onnx-int8 (export %.0f s, cached at %s)", seconds, dest)
        return _status(cfg, ToxicityState.OK, f"int8 ONNX exported in {seconds:.0f} s, cached at {dest}", model.runtime,
                       checkpoint=str(checkpoint), labels=model.labels,
                       load_seconds=round(time.perf_counter() - started, 2))

    return upgrade
