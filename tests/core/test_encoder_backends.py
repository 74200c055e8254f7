"""ONNX Runtime and torch give the encoder the same numbers; the graph is exported once and a
graph that disagrees with its model is refused."""

from pathlib import Path

import numpy as np
import pytest
import torch
from newsmon.core.encoder import SentenceEncoder, resolve_backend
from newsmon.core.onnx_backend import OnnxForward
from newsmon.core.settings import Settings

SENTENCES = [
    "Talks ended.",
    "Russian and Iranian envoys met in Geneva on Tuesday to discuss the nuclear programme.",
    "Government forces killed more than 2,500 protesters, a rights group estimated, as "
    "nightly demonstrations spread from Tehran to a dozen other cities despite the crackdown.",
    "China protested.",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def encoders(cache_dir: Path) -> tuple[SentenceEncoder, SentenceEncoder]:
    torch_encoder = SentenceEncoder(batch_size=2, backend="torch")
    onnx_encoder = SentenceEncoder(batch_size=2, backend="onnx", cache_dir=cache_dir)
    return torch_encoder, onnx_encoder


def test_onnx_gives_torchs_embeddings_and_token_vectors(encoders) -> None:
    by_torch, by_onnx = (e.encode_with_tokens(SENTENCES) for e in encoders)
    cosines = (by_torch.pooled * by_onnx.pooled).sum(axis=1)
    assert cosines.min() > 0.99999, cosines
    for expected, got in zip(by_torch.tokens, by_onnx.tokens, strict=True):
        assert np.array_equal(expected.offsets, got.offsets)
        assert np.abs(expected.vectors - got.vectors).max() < 1e-3


def test_the_graph_is_exported_once_and_reused(encoders, cache_dir: Path) -> None:
    graphs = list(cache_dir.glob("encoder-*.onnx"))
    assert len(graphs) == 1
    written = graphs[0].stat().st_mtime_ns
    again = SentenceEncoder(backend="onnx", cache_dir=cache_dir)
    assert again.onnx is not None and again.onnx.graph == graphs[0]
    assert graphs[0].stat().st_mtime_ns == written
    assert not list(cache_dir.glob("*.part")), "no temporary file is left behind"


def test_a_graph_that_disagrees_with_its_model_is_refused(encoders, cache_dir: Path) -> None:
    _, onnx_encoder = encoders
    assert onnx_encoder.onnx is not None
    changed = SentenceEncoder(backend="torch").model
    with torch.no_grad():
        changed.embeddings.word_embeddings.weight.mul_(1.5)
    example = dict(onnx_encoder.tokenizer(SENTENCES[:2], padding=True, return_tensors="pt"))
    with pytest.raises(RuntimeError, match="differs from the model"):
        OnnxForward(onnx_encoder.onnx.graph, threads=1).check_against(changed, example)


def test_auto_takes_onnx_for_float32_and_torch_for_bf16() -> None:
    assert resolve_backend("auto", bf16=False) == "onnx"
    assert resolve_backend("auto", bf16=True) == "torch"
    assert resolve_backend("torch", bf16=False) == "torch"


def test_an_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown encoder backend"):
        SentenceEncoder(backend="tensorrt")


def test_auto_falls_back_to_torch_where_no_graph_can_be_written(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    settings = Settings(model_cache_dir=str(blocked / "cache"), model_bf16=False)
    assert SentenceEncoder.from_settings(settings).backend == "torch"
    explicit = Settings(
        model_cache_dir=str(blocked / "cache"), model_bf16=False, encoder_backend="onnx"
    )
    with pytest.raises(OSError):
        SentenceEncoder.from_settings(explicit)
