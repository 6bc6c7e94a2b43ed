"""PyTorch runtimes: plain fp32, and bfloat16 autocast for CPUs with AMX / AVX512-BF16."""

from __future__ import annotations

import numpy as np
import torch


class TorchBackend:
    """Runs a transformers sequence classifier under ``torch.inference_mode`` (optionally bf16 autocast)."""

    def __init__(self, model: torch.nn.Module, *, bf16: bool = False) -> None:
        self.model = model.eval()
        self.bf16 = bf16
        self.name = "bf16" if bf16 else "fp32"

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """Logits for one padded batch."""
        ids = torch.from_numpy(input_ids)
        mask = torch.from_numpy(attention_mask)
        with torch.inference_mode():
            if self.bf16:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    out = self.model(input_ids=ids, attention_mask=mask).logits
            else:
                out = self.model(input_ids=ids, attention_mask=mask).logits
        return out.float().numpy()
