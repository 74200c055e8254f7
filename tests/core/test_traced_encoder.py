"""The traced torch forward pass gives the eager model's numbers, in float32 and bf16, and a
trace that disagrees with its model is refused."""

import numpy as np
import pytest
import torch
from newsmon.core.encoder import SentenceEncoder
from newsmon.core.torchscript_backend import TracedForward

from tests.core.test_encoder_backends import SENTENCES


@pytest.mark.parametrize("bf16", [False, True])
def test_the_trace_gives_the_eager_models_embeddings_and_token_vectors(bf16: bool) -> None:
    traced = SentenceEncoder(batch_size=2, backend="torch", bf16=bf16)
    eager = SentenceEncoder(batch_size=2, backend="torch", bf16=bf16, trace=False)
    assert traced.traced is not None and eager.traced is None
    # passes of one, two and three sentences: padded and unpadded shapes the trace never saw
    for batch_size in (1, 2, 3):
        traced.batch_size = eager.batch_size = batch_size
        by_trace, by_eager = (e.encode_with_tokens(SENTENCES) for e in (traced, eager))
        assert np.abs(by_trace.pooled - by_eager.pooled).max() < 1e-5
        for expected, got in zip(by_eager.tokens, by_trace.tokens, strict=True):
            assert np.array_equal(expected.offsets, got.offsets)
            assert np.abs(expected.vectors - got.vectors).max() < 1e-4


def test_a_trace_that_disagrees_with_its_model_is_refused() -> None:
    encoder = SentenceEncoder(backend="torch", bf16=False)
    assert encoder.traced is not None
    example = encoder.tokenizer(SENTENCES[:2], padding=True, return_tensors="pt")
    inputs = tuple(example[name] for name in encoder.traced.input_names)
    with torch.inference_mode():
        expected = encoder.model(**dict(example)).last_hidden_state
    encoder.traced.check(inputs, expected, example["attention_mask"])  # itself: accepted
    with pytest.raises(RuntimeError, match="differs from the model"):
        encoder.traced.check(inputs, expected * 1.5, example["attention_mask"])


def test_a_model_that_cannot_be_traced_runs_eagerly(monkeypatch, caplog) -> None:
    def refuse(*args, **kwargs):
        raise RuntimeError("tracing not supported")

    monkeypatch.setattr(TracedForward, "for_model", refuse)
    encoder = SentenceEncoder(backend="torch", bf16=False)
    assert encoder.traced is None
    assert "runs eagerly" in caplog.text
    assert encoder.encode(SENTENCES[:2]).shape == (2, encoder.dimension)
