"""Loading paths for user-supplied models, with tiny random models the test builds itself.

A code-path test, not a quality claim: it shows that any Hugging Face model path can replace
the encoder and that a zero-shot NLI model can score the event types.
"""

from pathlib import Path

import numpy as np
import pytest
from newsmon.core.encoder import SentenceEncoder, served_encoder
from newsmon.nlp.ontology import EVENT_TYPE_NAMES
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    BertTokenizerFast,
)

WORDS = [
    "russia",
    "iran",
    "attacked",
    "signed",
    "a",
    "the",
    "treaty",
    "sentence",
    "is",
    "about",
    "this",
    "troops",
    "moscow",
]


def tiny_tokenizer(folder: Path) -> BertTokenizerFast:
    vocab = folder / "vocab.txt"
    vocab.write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", "(", ")", ":", *WORDS])
    )
    return BertTokenizerFast(vocab_file=str(vocab))


def tiny_config(**extra: object) -> BertConfig:
    return BertConfig(
        vocab_size=len(WORDS) + 9,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        **extra,
    )


@pytest.fixture(scope="module")
def tiny_encoder_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-encoder")
    tiny_tokenizer(folder).save_pretrained(folder)
    BertModel(tiny_config()).save_pretrained(folder)
    return folder


def test_any_model_path_can_replace_the_encoder(tiny_encoder_path: Path) -> None:
    encoder = SentenceEncoder(str(tiny_encoder_path), batch_size=2)
    assert encoder.label == str(tiny_encoder_path)
    vectors = encoder.encode(["Russia attacked.", "Iran signed the treaty.", "Moscow."])
    assert vectors.shape == (3, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    detailed = encoder.encode_with_tokens(["Russia attacked."])
    assert detailed.tokens[0].vectors.shape[1] == 32
    assert [tuple(o) for o in detailed.tokens[0].offsets] == [(0, 6), (7, 15), (15, 16)]


def test_a_zero_shot_nli_model_scores_every_event_type(tmp_path: Path) -> None:
    from newsmon.nlp.zero_shot import ZeroShotEventTypes

    tiny_tokenizer(tmp_path).save_pretrained(tmp_path)
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    config = tiny_config(num_labels=3, id2label=labels, label2id={v: k for k, v in labels.items()})
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    zero_shot = ZeroShotEventTypes(str(tmp_path))
    probs = zero_shot.probabilities(["Russia attacked Iran.", "Iran signed a treaty."])
    assert probs.shape == (2, len(EVENT_TYPE_NAMES))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert zero_shot.labels == EVENT_TYPE_NAMES


def test_the_coder_can_take_its_event_types_from_the_zero_shot_model(tmp_path: Path) -> None:
    from newsmon.nlp.actors import ActorResolver
    from newsmon.nlp.coder import ArticleInput, CoderHeads, EventCoder
    from newsmon.nlp.ontology import quad_of
    from newsmon.nlp.zero_shot import ZeroShotEventTypes

    tiny_tokenizer(tmp_path).save_pretrained(tmp_path)
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    config = tiny_config(num_labels=3, id2label=labels, label2id={v: k for k, v in labels.items()})
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    coder = EventCoder(
        served_encoder(),
        CoderHeads.load(),
        ActorResolver.default(),
        zero_shot=ZeroShotEventTypes(str(tmp_path)),
    )
    [article] = coder([ArticleInput("z", "", "Russian troops attacked Ukrainian positions.")])
    for event in article.events:
        assert event.event_type in EVENT_TYPE_NAMES
        assert quad_of(event.event_type) == event.quad_class
