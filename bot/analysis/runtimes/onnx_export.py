"""Child-process entry point that exports a Detoxify checkpoint to int8 ONNX (keeps the memory peak out of the bot).

Usage: ``python -m bot.analysis.runtimes.onnx_export '<json job>'`` with keys checkpoint, hf_dir, dest,
sidecar, meta, max_tokens (written by :func:`bot.analysis.runtimes.loader.export_onnx`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run one export job; exit code 0 on success."""
    from bot.analysis.runtimes.loader import load_torch
    from bot.analysis.runtimes.onnx_backend import export_int8

    job = json.loads(argv[0])
    model, _, _, _ = load_torch(Path(job["checkpoint"]), Path(job["hf_dir"]), offline=True,
                                allow_pickle=bool(job.get("allow_pickle", False)))
    seconds = export_int8(model, Path(job["dest"]), Path(job["sidecar"]), job["meta"], max_tokens=job["max_tokens"])
    print(f"exported in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
