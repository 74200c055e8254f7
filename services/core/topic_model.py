"""Article topics over the PLOVER contexts, as a three-stage model step.

The stages follow transformers' ``Pipeline``: ``preprocess`` (split articles into sentences),
``forward`` (the batched encoder pass, the only expensive part, run off the event loop by the
worker) and ``postprocess`` (turn similarities into labelled scores).

Each context is represented by the mean embedding of its definition and the detail paragraph
of the PLOVER manual; an article's affinity to a context is the mean similarity of its three
most similar sentences (topics are carried by a few sentences, not by the average one).

With a ``calibration`` (``newsmon.nlp.topic_calibration``, fitted by ``newsmon train``) the
affinities become independent probabilities, one per context (multi-label: an article can be
both ``military`` and ``cbrn``), and the top topics are those at ``TOPIC_THRESHOLD`` or above
(the single best when none is). Without one, a softmax at temperature 0.03 gives shares that
sum to one: which contexts the article is *most* about, not probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np
from newsmon.core.contexts import Context, plover_contexts
from newsmon.core.encoder import SentenceEncoder
from newsmon.core.sentences import split_sentences

In = TypeVar("In", contravariant=True)
Prepared = TypeVar("Prepared")
Out = TypeVar("Out", covariant=True)

TOP_SENTENCES = 3
TEMPERATURE = 0.03
TOP_TOPICS = 3
TOPIC_THRESHOLD = 0.5


class ModelStep(Protocol[In, Prepared, Out]):
    """A model behind one interface: cheap preprocess, batched forward, cheap postprocess."""

    def preprocess(self, items: Sequence[In]) -> Prepared: ...

    def forward(self, prepared: Prepared) -> Prepared: ...

    def postprocess(self, prepared: Prepared) -> list[Out]: ...


@dataclass(frozen=True)
class ArticleText:
    title: str
    text: str


@dataclass
class PreparedBatch:
    sentences: list[list[str]]
    has_title: list[bool]
    embeddings: np.ndarray | None = None


@dataclass(frozen=True)
class TopicResult:
    sentences: list[str]
    topics: dict[str, float]
    top_topics: list[str]


def _context_prototypes(encoder: SentenceEncoder, contexts: Sequence[Context]) -> np.ndarray:
    texts_per_context = [
        [f"{c.name.replace('_', ' ')}: {c.definition}", *split_sentences(c.detail)[:4]]
        for c in contexts
    ]
    flat = [text for texts in texts_per_context for text in texts]
    embeddings = encoder.encode(flat)
    rows, start = [], 0
    for texts in texts_per_context:
        mean = embeddings[start : start + len(texts)].mean(axis=0)
        rows.append(mean / np.linalg.norm(mean))
        start += len(texts)
    return np.stack(rows)


class Calibration(Protocol):
    def probabilities(self, affinity: np.ndarray) -> np.ndarray: ...


def context_affinity(similarities: np.ndarray) -> np.ndarray:
    """Sentence x context similarities of one article -> (contexts,) mean of the top three."""
    k = min(TOP_SENTENCES, similarities.shape[0])
    return np.sort(similarities, axis=0)[-k:].mean(axis=0)


def scores_from_similarities(
    similarities: np.ndarray, names: Sequence[str], calibration: Calibration | None = None
) -> dict[str, float]:
    """Sentence x context similarities of one article -> a score per context: calibrated
    probabilities with a calibration, else softmax shares summing to one."""
    if similarities.shape[0] == 0:
        return {name: 0.0 for name in names}
    affinity = context_affinity(similarities)
    if calibration is not None:
        scores = calibration.probabilities(affinity)
    else:
        weights = np.exp((affinity - affinity.max()) / TEMPERATURE)
        scores = weights / weights.sum()
    return {name: round(float(s), 4) for name, s in zip(names, scores, strict=True)}


def top_topics(topics: dict[str, float], calibrated: bool) -> list[str]:
    ranked = sorted(topics, key=topics.__getitem__, reverse=True)
    if not calibrated:
        return ranked[:TOP_TOPICS]
    above = [name for name in ranked[:TOP_TOPICS] if topics[name] >= TOPIC_THRESHOLD]
    return above or ranked[:1]


class ContextTopicModel:
    """Zero-shot topic scores over the PLOVER contexts from a shared sentence encoder."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        contexts: Sequence[Context] | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.encoder = encoder
        self.contexts = tuple(contexts or plover_contexts())
        self.names = [c.name for c in self.contexts]
        self.prototypes = _context_prototypes(encoder, self.contexts)
        self.calibration = calibration
        kind = "calibrated" if calibration else "zero-shot"
        self.label = f"{kind}-plover-contexts/{encoder.label}"

    def affinities(self, sentence_embeddings: np.ndarray) -> np.ndarray:
        """(contexts,) affinities of one article (zeros for an article without sentences)."""
        if sentence_embeddings.shape[0] == 0:
            return np.zeros(len(self.names), dtype=np.float32)
        return context_affinity(sentence_embeddings @ self.prototypes.T)

    def topics_for(self, sentence_embeddings: np.ndarray) -> tuple[dict[str, float], list[str]]:
        """Context scores and top contexts of one article from its sentence embeddings."""
        topics = scores_from_similarities(
            sentence_embeddings @ self.prototypes.T, self.names, self.calibration
        )
        return topics, top_topics(topics, self.calibration is not None)

    def preprocess(self, items: Sequence[ArticleText]) -> PreparedBatch:
        sentences, has_title = [], []
        for item in items:
            title = item.title.strip()
            sentences.append(([title] if title else []) + split_sentences(item.text))
            has_title.append(bool(title))
        return PreparedBatch(sentences=sentences, has_title=has_title)

    def forward(self, prepared: PreparedBatch) -> PreparedBatch:
        flat = [s for article in prepared.sentences for s in article]
        prepared.embeddings = self.encoder.encode(flat)
        return prepared

    def postprocess(self, prepared: PreparedBatch) -> list[TopicResult]:
        assert prepared.embeddings is not None, "forward() must run before postprocess()"
        results, start = [], 0
        for sentences, has_title in zip(prepared.sentences, prepared.has_title, strict=True):
            rows = prepared.embeddings[start : start + len(sentences)]
            start += len(sentences)
            topics, top = self.topics_for(rows)
            body = sentences[1:] if has_title else sentences
            results.append(TopicResult(sentences=body, topics=topics, top_topics=top))
        return results

    def __call__(self, items: Sequence[ArticleText]) -> list[TopicResult]:
        return self.postprocess(self.forward(self.preprocess(items)))
