"""Forward passes cut by a padded-token budget and padded to a few shapes: fewer wasted tokens,
fewer compiled kernels, the same embeddings."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from newsmon.core.encoder import (
    SentenceEncoder,
    pad_pass,
    padded_batches,
    quantised_pass_shape,
)


@given(
    st.lists(st.integers(min_value=1, max_value=128), max_size=200),
    st.integers(min_value=1, max_value=64),
    st.sampled_from([0, 64, 256, 1024]),
)
def test_every_sentence_lands_in_exactly_one_pass_within_the_limits(
    lengths: list[int], max_sentences: int, budget: int
) -> None:
    batches = padded_batches(lengths, max_sentences, budget)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= max_sentences
        longest = max(lengths[i] for i in batch)
        assert budget == 0 or len(batch) == 1 or len(batch) * longest <= budget
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(flat), "shortest first, so each pass pads little"


def test_a_budget_splits_one_article_where_the_lengths_jump() -> None:
    lengths = [12] * 20 + [60] * 10
    assert [len(b) for b in padded_batches(lengths, 32, 0)] == [30]
    assert [len(b) for b in padded_batches(lengths, 32, 1024)] == [20, 10]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(batch_size=32, batch_tokens=128)


def test_budgeted_passes_embed_as_one_sentence_per_pass(encoder: SentenceEncoder) -> None:
    sentences = [
        "Iran protests.",
        "Russia and Iran signed a comprehensive strategic partnership in January 2025.",
        "US forces captured Venezuela's leader, Nicolas Maduro, during a military operation.",
        "Talks resumed.",
        "",
    ]
    together = encoder.encode_with_tokens(sentences)
    alone = [encoder.encode_with_tokens([s]) for s in sentences]
    for row, single in enumerate(alone):
        states, single_states = together.tokens[row], single.tokens[0]
        np.testing.assert_allclose(together.pooled[row], single.pooled[0], atol=1e-5)
        np.testing.assert_array_equal(states.offsets, single_states.offsets)
        np.testing.assert_allclose(states.vectors, single_states.vectors, atol=1e-4)
    assert np.allclose(encoder.encode(sentences), together.pooled, atol=1e-6)


@given(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=140),
    st.sampled_from([1, 8, 16, 128]),
)
def test_a_pass_is_padded_to_the_smallest_shape_a_multiple_of_the_quantum(
    sentences: int, tokens: int, quantum: int
) -> None:
    rows, columns = quantised_pass_shape(sentences, tokens, quantum)
    assert rows >= sentences and columns >= tokens
    assert (rows * columns) % quantum == 0
    smallest = min(
        r * c
        for r in range(sentences, sentences + quantum + 1)
        for c in range(tokens, tokens + quantum + 1)
        if (r * c) % quantum == 0
    )
    assert rows * columns == smallest


def test_added_rows_attend_to_one_token_and_added_columns_are_masked() -> None:
    inputs = {"input_ids": np.array([[101, 7, 102]]), "attention_mask": np.array([[1, 1, 1]])}
    padded = pad_pass(inputs, 8, pad_token_id=0)
    assert padded["input_ids"].shape[0] * padded["input_ids"].shape[1] % 8 == 0
    np.testing.assert_array_equal(padded["input_ids"][0, :3], [101, 7, 102])
    assert padded["attention_mask"][0].sum() == 3, "the real row attends to its own tokens"
    assert (padded["attention_mask"][1:].sum(axis=1) == 1).all(), "no row is all mask"


@pytest.fixture(scope="module")
def quantised_encoder() -> SentenceEncoder:
    return SentenceEncoder(batch_size=32, batch_tokens=128, pass_quantum=128)


def test_quantised_passes_embed_as_unpadded_ones(
    encoder: SentenceEncoder, quantised_encoder: SentenceEncoder
) -> None:
    sentences = [
        "Iran protests.",
        "US forces captured Venezuela's leader, Nicolas Maduro, during a military operation.",
        "Talks resumed in Geneva after a week.",
    ]
    plain = encoder.encode_with_tokens(sentences)
    quantised = quantised_encoder.encode_with_tokens(sentences)
    np.testing.assert_allclose(quantised.pooled, plain.pooled, atol=1e-5)
    for padded_states, states in zip(quantised.tokens, plain.tokens, strict=True):
        np.testing.assert_array_equal(padded_states.offsets, states.offsets)
        np.testing.assert_allclose(padded_states.vectors, states.vectors, atol=1e-4)
