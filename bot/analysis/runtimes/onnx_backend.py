"""ONNX Runtime int8 runtime: export the loaded model once, quantize it dynamically, cache it next to the weights.

The export uses ``torch.onnx.export(dynamo=True)`` (the TorchScript exporter mis-traces the attention mask
of transformers 5 models) with dynamic batch and sequence axes, then
``onnxruntime.quantization.quantize_dynamic`` (uint8 weights, per channel). The cache file name carries a
fingerprint of the checkpoint and of the library versions, so a new checkpoint or upgrade re-exports.
A JSON sidecar keeps what is needed to run without loading PyTorch weights again (labels, tokenizer folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

EXPORT_RECIPE = 1  # bump when the export or quantization recipe changes


def _versions() -> str:
    import onnxruntime
    import torch
    import transformers

    return f"torch {torch.__version__}|ort {onnxruntime.__version__}|transformers {transformers.__version__}"


def cache_paths(checkpoint: Path, onnx_dir: Path | None = None) -> tuple[Path, Path]:
    """Where the int8 model and its JSON sidecar for ``checkpoint`` live (not necessarily existing)."""
    stat = checkpoint.stat()
    key = f"{checkpoint.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{_versions()}|{EXPORT_RECIPE}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    folder = onnx_dir if onnx_dir is not None else checkpoint.parent
    if onnx_dir is None and not os.access(folder, os.W_OK):
        folder = Path.home() / ".cache" / "modbot" / "onnx"
    stem = f"{checkpoint.stem}.{digest}.int8"
    return folder / f"{stem}.onnx", folder / f"{stem}.json"


def read_sidecar(sidecar: Path) -> dict[str, Any] | None:
    """The sidecar's metadata when both it and its model exist, else None."""
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    model = sidecar.with_suffix(".onnx")
    return meta if model.is_file() and model.stat().st_size > 0 else None


def export_int8(model: Any, dest: Path, sidecar: Path, meta: dict[str, Any], *, max_tokens: int) -> float:
    """Export ``model`` (a transformers sequence classifier) to int8 ONNX at ``dest``; return seconds taken."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class _Logits(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    started = time.perf_counter()
    dest.parent.mkdir(parents=True, exist_ok=True)
    batch = torch.export.Dim("batch", min=1, max=4096)
    seq = torch.export.Dim("seq", min=2, max=max(3, max_tokens))
    # A realistic sample: varied ids and a padded row. An all-ones mask lets transformers drop the mask
    # path while tracing, and the exported graph would then ignore padding.
    vocab = int(getattr(model.config, "vocab_size", 1000))
    sample_ids = torch.randint(5, max(6, vocab), (2, 8), generator=torch.Generator().manual_seed(0))
    sample_mask = torch.ones((2, 8), dtype=torch.long)
    sample_mask[1, 5:] = 0
    wrapper = _Logits(model.eval()).eval()
    quiet = [logging.getLogger(name) for name in ("onnxscript", "onnx_ir", "torch.onnx", "torch.export")]
    levels = [logger.level for logger in quiet]
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".export-") as tmp:
        fp32 = Path(tmp) / "model.fp32.onnx"
        int8 = Path(tmp) / "model.int8.onnx"
        try:
            for logger in quiet:
                logger.setLevel(logging.WARNING)
            with (torch.inference_mode(False), torch.no_grad(), contextlib.redirect_stdout(io.StringIO()),
                  warnings.catch_warnings()):
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    wrapper, (sample_ids, sample_mask), str(fp32), input_names=["input_ids", "attention_mask"],
                    output_names=["logits"], dynamic_shapes={"input_ids": {0: batch, 1: seq},
                                                              "attention_mask": {0: batch, 1: seq}},
                    dynamo=True, external_data=False, verbose=False,
                )
        finally:
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)
        _check_export(fp32, wrapper, sample_ids, sample_mask)
        root = logging.getLogger()
        was_disabled, root.disabled = root.disabled, True  # quantize_dynamic warns on the root logger
        try:
            # uint8 weights: the int8 x int8 kernels of AVX2 CPUs without VNNI saturate (scores off by up to 0.9
            # on test models), u8 x u8 does not; per channel keeps small output channels precise.
            quantize_dynamic(fp32, int8, weight_type=QuantType.QUInt8, per_channel=True)
        finally:
            root.disabled = was_disabled
        os.replace(int8, dest)
    sidecar.write_text(json.dumps({**meta, "versions": _versions(), "recipe": EXPORT_RECIPE}, indent=1),
                       encoding="utf-8")
    return time.perf_counter() - started


def _check_export(path: Path, wrapper: Any, ids: Any, mask: Any) -> None:
    """Refuse an export whose fp32 graph disagrees with PyTorch (e.g. a mis-traced attention mask)."""
    import onnxruntime as ort
    import torch

    ids2 = torch.cat([ids, ids.flip(0)[:, :6]], dim=1)  # other shapes than traced, with padding
    mask2 = torch.cat([mask, mask.flip(0)[:, :6]], dim=1)
    with torch.inference_mode():
        expected = wrapper(ids2, mask2).float().numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids2.numpy(), "attention_mask": mask2.numpy()})[0]
    if not np.allclose(got, expected, atol=1e-3):
        raise RuntimeError(f"exported ONNX graph disagrees with PyTorch (max diff {np.abs(got - expected).max():.3g})")


class OnnxBackend:
    """Runs the int8 ONNX model with ONNX Runtime on the CPU."""

    name = "onnx-int8"

    def __init__(self, path: Path, *, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads sleep
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = path

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """Logits for one padded batch."""
        feeds = {"input_ids": input_ids.astype(np.int64, copy=False),
                 "attention_mask": attention_mask.astype(np.int64, copy=False)}
        return np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)
