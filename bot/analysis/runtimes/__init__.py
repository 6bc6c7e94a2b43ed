"""Inference runtimes for the toxicity model (PyTorch fp32 / bf16, ONNX Runtime int8) and how one is chosen."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Protocol

import numpy as np

BF16_FLAGS = ("amx_bf16", "avx512_bf16")


class Backend(Protocol):
    """Runs the classifier on padded token ids; returns raw logits ``(batch, num_outputs)``."""

    name: str

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray: ...


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU feature flags of the first core (empty when /proc/cpuinfo is unreadable)."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("flags", "Features")):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def onnx_available() -> bool:
    """True when onnxruntime and onnx can be imported (needed for ``onnx-int8``)."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "onnx"))


def choose_runtime(requested: str, flags: frozenset[str] | None = None) -> tuple[str, str]:
    """Resolve ``auto`` to a concrete runtime from the CPU flags; return ``(runtime, why)``.

    CPUs with native bfloat16 (AMX or AVX512-BF16) get ``bf16``; others get ``onnx-int8`` when ONNX Runtime
    is installed (int8 matrix kernels run on any AVX2 CPU), else ``fp32``.
    """
    if requested != "auto":
        return requested, "set in config"
    flags = cpu_flags() if flags is None else flags
    native = [flag for flag in BF16_FLAGS if flag in flags]
    if native:
        return "bf16", f"auto: CPU has {'/'.join(native)}"
    if onnx_available():
        return "onnx-int8", "auto: no native bf16 on this CPU; ONNX Runtime int8"
    return "fp32", "auto: no native bf16 and no onnxruntime"
