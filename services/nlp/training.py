"""Training the heads from ``../shared/data`` and measuring them by cross-validation.

Every head reads the shared encoder's outputs, so training is: embed once (cached on disk),
fit a small classifier, save it as ``.npz``. Cross-validation uses the group-aware folds of
``datasets.fold_of`` so near-duplicate sentences never sit on both sides of a split.

- quad head: RBF SVC on sentence embeddings, on all three quad-labelled sources: ConfliBERT
  news sentences, UN-document sentences and UNSC speeches, with PLOVER's quad where the label
  differs from it (``cue_labels.plover_quad``: SANCTION is material). Trained on ConfliBERT
  alone it scored higher in ConfliBERT's own cross-validation and far lower on news sentences
  labelled blind (0.35 against 0.51 macro-F1, ``data/news_sample``): ConfliBERT holds only
  sentences chosen for being events, so a head trained on it alone has no idea of the
  background and analysis sentences a news feed is mostly made of.
- event-type head: softmax regression on sentence embeddings, trained on CASE 2021 snippets
  mapped to PLOVER, the manual's examples, ConfliBERT sentences typed by verb cues inside their
  human pentacode (``cue_labels``: 15 types, our labels), and the manual's definitions and
  mode descriptions.
- role head: softmax regression on token vectors plus relative position, trained on the
  ConfliBERT actor (source), recipient (target) and reciprocal spans.
- mode head: softmax regression over ``TYPE/mode`` labels, trained on CASE 2021 snippets whose
  type implies a mode (air strike: ASSAULT/aerial) and the manual's mode descriptions.
- topic calibration: a logistic map from context affinities to probabilities, fitted on CASE
  2021 snippets whose type implies a context (``topic_calibration``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from newsmon.core.encoder import SentenceEncoder, TokenStates
from newsmon.core.onnx_backend import weights_digest
from newsmon.core.sentences import split_sentences
from newsmon.core.topic_model import ContextTopicModel
from newsmon.nlp import cue_labels, datasets
from newsmon.nlp.heads import KernelSVCHead, LinearHead
from newsmon.nlp.ontology import event_types
from newsmon.nlp.topic_calibration import TopicCalibration, case_affinities
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.svm import SVC

QUAD_SOURCES = ("conflibert_cameo", "quadclass_un", "unscon")
QUAD_C = 4.0
EVENT_C = 4.0
ROLE_C = 1.0
ROLE_LABELS = ("O", "S", "T", "R")
FOLDS = 5


def embed(encoder: SentenceEncoder, texts: Sequence[str], cache_dir: Path | None) -> np.ndarray:
    """Sentence embeddings, cached on disk by the model's weights and the content (training
    runs repeat a lot). By weights, not name: a model fine-tuned again into the same folder
    (``newsmon finetune``) must not reuse its predecessor's vectors.

    Training embeds in float32 whatever ``NEWSMON_MODEL_BF16`` says, so the heads do not depend
    on the serving precision.
    """
    model = weights_digest(encoder.model)
    digest = hashlib.sha256("\x1e".join([model, *texts]).encode()).hexdigest()[:20]
    path = cache_dir / f"emb-{digest}.npy" if cache_dir else None
    if path and path.exists():
        return np.load(path)
    vectors = encoder.encode(list(texts))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def role_features(tokens: TokenStates) -> np.ndarray:
    """Token vectors plus each token's relative position in the sentence."""
    count = len(tokens.offsets)
    position = (
        np.linspace(0.0, 1.0, count, dtype=np.float32)[:, None] if count else np.zeros((0, 1))
    )
    return np.hstack([tokens.vectors, position]).astype(np.float32)


def role_token_labels(offsets: np.ndarray, example: datasets.RoleExample) -> np.ndarray:
    """Each token's role index (``ROLE_LABELS``) from its character span ``offsets``."""
    labels = np.zeros(len(offsets), dtype=np.int64)
    for code, spans in (
        (1, example.source_spans),
        (2, example.target_spans),
        (3, example.reciprocal_spans),
    ):
        for start, end in spans:
            labels[(offsets[:, 0] < end) & (offsets[:, 1] > start)] = code
    return labels


def quad_training_examples(data_dir: Path | None) -> list[datasets.LabeledSentence]:
    """The quad head's sentences, labelled with PLOVER's quad (SANCTION's included)."""
    return [
        datasets.LabeledSentence(e.text, cue_labels.plover_quad(e.text, e.label), e.source, e.group)
        for e in datasets.quad_examples(data_dir, sources=QUAD_SOURCES)
    ]


def located_role_examples(data_dir: Path | None) -> list[datasets.RoleExample]:
    """The ConfliBERT sentences whose role spans were all found in their text."""
    return [r for r in datasets.role_examples(data_dir) if not r.unlocated]


@dataclass
class RoleTokens:
    """The role head's training rows: token features, role labels, each token's group and
    each sentence's rows."""

    x: np.ndarray
    y: np.ndarray
    groups: list[str]
    rows: list[slice]


def role_tokens(encoder: SentenceEncoder, roles: Sequence[datasets.RoleExample]) -> RoleTokens:
    encoded = encoder.encode_with_tokens([r.text for r in roles])
    x, y, groups, rows, start = [], [], [], [], 0
    for example, tokens in zip(roles, encoded.tokens, strict=True):
        x.append(role_features(tokens))
        y.append(role_token_labels(tokens.offsets, example))
        groups.extend([example.group] * len(tokens.offsets))
        rows.append(slice(start, start + len(tokens.offsets)))
        start += len(tokens.offsets)
    return RoleTokens(np.concatenate(x), np.concatenate(y), groups, rows)


def event_training_examples(data_dir: Path | None) -> list[datasets.LabeledSentence]:
    """CASE 2021 (mapped), manual examples and cue-typed ConfliBERT sentences, plus the
    manual's own words for every type."""
    examples = list(datasets.event_type_examples(data_dir))
    examples += cue_labels.cue_event_examples(data_dir)
    for event in event_types():
        texts = split_sentences(event.definition)[:3]
        texts += [f"{m.name.replace('_', ' ')}: {m.description}" for m in event.modes]
        for text in texts:
            examples.append(
                datasets.LabeledSentence(text, event.name, "plover_definition", f"def-{text[:40]}")
            )
    return examples


def mode_label(event_type: str, mode: str) -> str:
    return f"{event_type}/{mode}"


def mode_training_examples(data_dir: Path | None) -> list[datasets.LabeledSentence]:
    """CASE 2021 snippets whose type implies a PLOVER mode (an air strike is ASSAULT/aerial),
    plus every mode's description in the manual, labelled ``TYPE/mode``."""
    examples = []
    for raw in datasets.case2021_raw(data_dir):
        event_type, mode = datasets.CASE2021_TO_PLOVER[raw.label]
        if event_type and mode:
            examples.append(
                datasets.LabeledSentence(
                    raw.text, mode_label(event_type, mode), raw.source, raw.group
                )
            )
    for event in event_types():
        for m in event.modes:
            text = f"{event.name.lower()}, {m.name.replace('-', ' ')}: {m.description}"
            examples.append(
                datasets.LabeledSentence(
                    text, mode_label(event.name, m.name), "plover_definition", f"mode-{text[:40]}"
                )
            )
    return examples


def fit_mode(features: np.ndarray, labels: Sequence[str]) -> LinearHead:
    model = LogisticRegression(C=EVENT_C, max_iter=5000, class_weight="balanced")
    return LinearHead.from_sklearn(model.fit(features, labels))


def fit_quad(features: np.ndarray, labels: Sequence[str]) -> KernelSVCHead:
    return KernelSVCHead.from_sklearn(SVC(C=QUAD_C, gamma="scale").fit(features, labels))


def fit_event(features: np.ndarray, labels: Sequence[str]) -> LinearHead:
    model = LogisticRegression(C=EVENT_C, max_iter=5000, class_weight="balanced")
    return LinearHead.from_sklearn(model.fit(features, labels))


def fit_roles(features: np.ndarray, labels: np.ndarray) -> LinearHead:
    model = LogisticRegression(C=ROLE_C, max_iter=5000).fit(features, labels)
    head = LinearHead.from_sklearn(model)
    return LinearHead(head.weights, head.bias, tuple(ROLE_LABELS[int(c)] for c in head.labels))


@dataclass
class ClassReport:
    """Per-class precision, recall, F1 and support, and the macro-F1 over those classes."""

    per_class: dict[str, dict[str, float]]
    macro_f1: float
    n: int

    @classmethod
    def from_predictions(
        cls, truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
    ) -> ClassReport:
        report = classification_report(
            truth, predicted, labels=list(labels), output_dict=True, zero_division=0
        )
        per_class = {
            label: {
                k: round(float(report[label][k]), 3)
                for k in ("precision", "recall", "f1-score", "support")
            }
            for label in labels
        }
        return cls(per_class, round(float(report["macro avg"]["f1-score"]), 3), len(truth))


def cross_validated_predictions(
    features: np.ndarray,
    labels: np.ndarray,
    groups: Sequence[str],
    fit,
    predict,  # noqa: ANN001
) -> np.ndarray:
    folds = np.array([datasets.fold_of(g, FOLDS) for g in groups])
    predicted = np.empty(len(labels), dtype=object)
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        if test.any():
            predicted[test] = predict(fit(features[train], labels[train]), features[test])
    return predicted


def predict_labels(head: LinearHead | KernelSVCHead, features: np.ndarray) -> np.ndarray:
    return np.array(head.labels)[head.probabilities(features).argmax(axis=1)]


@dataclass
class TrainingData:
    """Features and labels of the three heads, embedded once and shared by train and eval."""

    quad_x: np.ndarray
    quad_y: np.ndarray
    quad_groups: list[str]
    quad_sources: np.ndarray
    event_x: np.ndarray
    event_y: np.ndarray
    event_groups: list[str]
    event_is_case: np.ndarray
    event_is_cue: np.ndarray
    roles: list[datasets.RoleExample]
    role_x: np.ndarray
    role_y: np.ndarray
    role_groups: list[str]
    role_token_rows: list[slice]
    mode_x: np.ndarray
    mode_y: np.ndarray
    mode_groups: list[str]
    mode_is_case: np.ndarray
    topic_affinities: np.ndarray
    topic_case_types: list[str]
    topic_groups: list[str]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "quad_sentences": len(self.quad_y),
            "event_examples": len(self.event_y),
            "event_case_snippets": int(self.event_is_case.sum()),
            "event_cue_sentences": int(self.event_is_cue.sum()),
            "role_sentences": len(self.roles),
            "role_tokens": len(self.role_y),
            "mode_examples": len(self.mode_y),
            "mode_case_snippets": int(self.mode_is_case.sum()),
            "topic_case_snippets": len(self.topic_case_types),
        }


def load_training_data(
    encoder: SentenceEncoder, data_dir: Path | None, cache_dir: Path | None
) -> TrainingData:
    quad = quad_training_examples(data_dir)
    events = event_training_examples(data_dir)
    modes = mode_training_examples(data_dir)
    roles = located_role_examples(data_dir)
    tokens = role_tokens(encoder, roles)
    affinities, case_types, topic_groups = case_affinities(
        ContextTopicModel(encoder), lambda texts: embed(encoder, texts, cache_dir), data_dir
    )
    return TrainingData(
        quad_x=embed(encoder, [e.text for e in quad], cache_dir),
        quad_y=np.array([e.label for e in quad]),
        quad_groups=[e.group for e in quad],
        quad_sources=np.array([e.source for e in quad]),
        event_x=embed(encoder, [e.text for e in events], cache_dir),
        event_y=np.array([e.label for e in events]),
        event_groups=[e.group for e in events],
        event_is_case=np.array([e.source == "case2021_task2" for e in events]),
        event_is_cue=np.array([e.source == cue_labels.SOURCE for e in events]),
        roles=roles,
        role_x=tokens.x,
        role_y=tokens.y,
        role_groups=tokens.groups,
        role_token_rows=tokens.rows,
        mode_x=embed(encoder, [e.text for e in modes], cache_dir),
        mode_y=np.array([e.label for e in modes]),
        mode_groups=[e.group for e in modes],
        mode_is_case=np.array([e.source == "case2021_task2" for e in modes]),
        topic_affinities=affinities,
        topic_case_types=case_types,
        topic_groups=topic_groups,
    )


def train_heads(
    data: TrainingData,
    out_dir: Path,
    topics: TopicCalibration,
    quad_temperature: float,
    quad: KernelSVCHead,
    event: LinearHead,
    role: LinearHead,
) -> None:
    """Save the heads as .npz files: the quad, event-type and role heads ``evaluate`` fitted on
    all the data (the quad head with its temperature), the mode head fitted here, and the topic
    calibration as ``topics.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    replace(quad, temperature=quad_temperature).save(out_dir / "quad.npz")
    event.save(out_dir / "event.npz")
    role.save(out_dir / "role.npz")
    fit_mode(data.mode_x, data.mode_y).save(out_dir / "mode.npz")
    topics.save(out_dir / "topics.json")
