"""Forward passes cut by a padded-token budget: fewer wasted tokens, the same embeddings."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from newsmon.core.encoder import SentenceEncoder, padded_batches


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
