import numpy as np
import pytest
from newsmon.core.contexts import plover_contexts
from newsmon.core.encoder import SentenceEncoder
from newsmon.core.topic_model import (
    ArticleText,
    ContextTopicModel,
    scores_from_similarities,
    top_topics,
)

from tests.conftest import REPO


def test_contexts_are_the_plover_manual_list() -> None:
    names = [c.name for c in plover_contexts()]
    assert len(names) == 37
    assert {"military", "diplomatic", "repression", "economic", "cyber"} <= set(names)
    assert all(c.definition and c.detail for c in plover_contexts())


def test_scores_follow_the_strongest_sentences_and_sum_to_one() -> None:
    names = ["a", "b", "c"]
    similarities = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.1, 0.3, 0.2]])
    scores = scores_from_similarities(similarities, names)
    assert max(scores, key=scores.__getitem__) == "a"
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)


def test_no_sentences_gives_zero_scores() -> None:
    assert scores_from_similarities(np.zeros((0, 2)), ["a", "b"]) == {"a": 0.0, "b": 0.0}


@pytest.fixture(scope="module")
def model() -> ContextTopicModel:
    return ContextTopicModel(SentenceEncoder())


def test_encoder_embeddings_are_normalised_and_in_input_order(model: ContextTopicModel) -> None:
    sentences = ["A long sentence about a naval blockade of the strait.", "Short.", "Troops."]
    together = model.encoder.encode(sentences)
    alone = np.stack([model.encoder.encode([s])[0] for s in sentences])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-4)


def test_seed_article_topics_are_ones_a_reader_would_name(model: ContextTopicModel) -> None:
    """The seed article is about Iran's protests, their repression, and Russia's alliances."""
    text = (REPO / "seeds" / "000_783d31cd25a2e179.txt").read_text()
    [result] = model([ArticleText("", text)])
    expected = {"diplomatic", "repression", "political_institutions", "military", "pro_autocracy"}
    assert expected & set(result.top_topics), result.top_topics
    assert len(result.sentences) > 50


def test_clear_cut_articles_get_their_obvious_topic(model: ContextTopicModel) -> None:
    items = [
        ArticleText(
            "Wind farms",
            "Countries pledged to cut carbon emissions and curb pollution "
            "of rivers. Climate change threatens forests.",
        ),
        ArticleText(
            "Outbreak",
            "A cholera epidemic spread through the camps. Hospitals ran out "
            "of vaccines as the disease killed dozens.",
        ),
    ]
    environment, health = model(items)
    assert environment.top_topics[0] == "environment"
    assert health.top_topics[0] == "health"


def test_calibrated_scores_are_independent_probabilities_and_pick_the_likely_contexts() -> None:
    from newsmon.nlp.topic_calibration import TopicCalibration

    names = ["a", "b", "c", "d"]
    similarities = np.array([[0.9, 0.85, 0.1, 0.0], [0.8, 0.8, 0.2, 0.1]])
    steep = TopicCalibration(weights=(0.0, 0.0, 3.0), bias=-1.0)  # distinctive contexts only
    scores = scores_from_similarities(similarities, names, steep)
    assert scores["a"] > 0.5 and scores["b"] > 0.5 and scores["c"] < 0.5
    assert sum(scores.values()) > 1.0, "multi-label: the scores need not sum to one"
    assert top_topics(scores, calibrated=True) == ["a", "b"]
    flat = {"a": 0.2, "b": 0.1, "c": 0.05, "d": 0.0}
    assert top_topics(flat, calibrated=True) == ["a"], "the single best when none is likely"


def test_the_committed_calibration_is_served_by_the_coder() -> None:
    from newsmon.nlp.coder import CoderHeads

    heads = CoderHeads.load()
    assert heads.topics is not None and len(heads.topics.weights) == 3
