"""Calibrating the zero-shot context affinities into probabilities, and measuring them.

The topic model scores an article against each PLOVER context by how close its most similar
sentences come to the context's description (``ContextTopicModel``). Those affinities rank
contexts but are not probabilities. No labeled data has PLOVER contexts, but some CASE 2021
event types imply one: a chemical-weapons attack is ``cbrn``, a flood ``disasters``, a sexual
assault ``gender``. For those "measured" contexts every CASE snippet is a labeled example
(positive when its type implies the context, negative otherwise), and one logistic map, shared
by all contexts, turns affinity features into P(context applies). Sharing is what lets it
transfer to the contexts nothing measures; the per-context figures say how far to trust that.

Features of one (article, context): the affinity, its gap to the article's best context, and
its z-score among the article's contexts, so the map sees both how close and how distinctive
the context is. Labels are ours (implied by type, a negative may hide a context the snippet
also has), so the reported Brier score and average precision are on held-out folds of these
weak labels: a check of calibration, not independent gold.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from newsmon.nlp import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss

# CASE 2021 types whose definition implies a PLOVER context (docs/label_mappings.md).
CASE_CONTEXTS: dict[str, tuple[str, ...]] = {
    "CHEM_WEAP": ("cbrn",),
    "NATURAL_DISASTER": ("disasters",),
    "MAN_MADE_DISASTER": ("disasters",),
    "ORG_CRIME": ("crime",),
    "SEX_VIOL": ("gender",),
    "FORCE_AGAINST_PROTEST": ("repression",),
    "SUIC_BOMB": ("terrorism",),
    "GOV_REGAINS_TERIT": ("territory",),
    "NON_STATE_ACTOR_OVERTAKES_TER": ("territory",),
    "NON_VIOL_TERRIT_TRANSFER": ("territory",),
    "DIPLO": ("diplomatic",),
    "ARREST": ("legal",),
}
MEASURED_CONTEXTS = tuple(sorted({c for cs in CASE_CONTEXTS.values() for c in cs}))
CALIBRATION_C = 1.0


def affinity_features(affinity: np.ndarray) -> np.ndarray:
    """(contexts,) affinities of one article -> (contexts, 3) calibration features."""
    spread = float(affinity.std()) or 1.0
    return np.stack(
        [affinity, affinity - affinity.max(), (affinity - affinity.mean()) / spread], axis=1
    ).astype(np.float32)


@dataclass(frozen=True)
class TopicCalibration:
    """``P(context) = sigmoid(features @ weights + bias)``, the same map for every context."""

    weights: tuple[float, ...]
    bias: float

    def probabilities(self, affinity: np.ndarray) -> np.ndarray:
        """(contexts,) affinities of one article -> (contexts,) probabilities."""
        return self.probabilities_rows(affinity_features(affinity))

    def probabilities_rows(self, features: np.ndarray) -> np.ndarray:
        logits = features @ np.asarray(self.weights, dtype=np.float64) + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> TopicCalibration:
        data = json.loads(path.read_text())
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]))


@dataclass
class TopicCalibrationReport:
    snippets: int
    positives: int
    brier_calibrated: float
    brier_softmax_shares: float
    average_precision: dict[str, float]
    reliability: list[dict[str, float]]  # per probability bin: mean predicted, observed, n


def calibration_examples(
    affinities: np.ndarray, types: Sequence[str], names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of (features, label, context index) for every snippet x measured context."""
    column = {name: i for i, name in enumerate(names)}
    x, y, ctx = [], [], []
    for affinity, case_type in zip(affinities, types, strict=True):
        features = affinity_features(affinity)
        implied = set(CASE_CONTEXTS.get(case_type, ()))
        for name in MEASURED_CONTEXTS:
            x.append(features[column[name]])
            y.append(int(name in implied))
            ctx.append(column[name])
    return np.array(x), np.array(y), np.array(ctx)


def fit_calibration(x: np.ndarray, y: np.ndarray) -> TopicCalibration:
    model = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(x, y)
    return TopicCalibration(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))


def _softmax_shares(affinity: np.ndarray, temperature: float) -> np.ndarray:
    weights = np.exp((affinity - affinity.max()) / temperature)
    return weights / weights.sum()


def evaluate_calibration(
    affinities: np.ndarray,
    types: Sequence[str],
    groups: Sequence[str],
    names: Sequence[str],
    temperature: float,
    folds: int = 5,
) -> tuple[TopicCalibration, TopicCalibrationReport]:
    """Cross-validated Brier score and average precision on the measured contexts, against
    the uncalibrated softmax shares; returns the map fitted on everything and the report."""
    per_snippet = len(MEASURED_CONTEXTS)
    x, y, ctx = calibration_examples(affinities, types, names)
    snippet_fold = np.array([datasets.fold_of(g, folds) for g in groups])
    row_fold = np.repeat(snippet_fold, per_snippet)
    predicted = np.zeros(len(y))
    for k in range(folds):
        test = row_fold == k
        if test.any() and (~test).any():
            predicted[test] = fit_calibration(x[~test], y[~test]).probabilities_rows(x[test])
    shares = np.concatenate(
        [
            _softmax_shares(a, temperature)[[names.index(n) for n in MEASURED_CONTEXTS]]
            for a in affinities
        ]
    )
    names_of = np.array(names)[ctx]
    report = TopicCalibrationReport(
        snippets=len(types),
        positives=int(y.sum()),
        brier_calibrated=round(float(brier_score_loss(y, predicted)), 4),
        brier_softmax_shares=round(float(brier_score_loss(y, shares)), 4),
        average_precision={
            name: round(
                float(average_precision_score(y[names_of == name], predicted[names_of == name])), 3
            )
            for name in MEASURED_CONTEXTS
            if y[names_of == name].any()
        },
        reliability=_reliability(predicted, y),
    )
    return fit_calibration(x, y), report


def _reliability(predicted: np.ndarray, truth: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    out = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (predicted >= low) & ((predicted < high) | (high == 1.0))
        if inside.any():
            out.append(
                {
                    "bin": f"{low:.1f}-{high:.1f}",
                    "mean_predicted": round(float(predicted[inside].mean()), 3),
                    "observed": round(float(truth[inside].mean()), 3),
                    "n": int(inside.sum()),
                }
            )
    return out


def case_affinities(
    topic_model,
    embed,
    data_dir: Path | None,  # noqa: ANN001 - ContextTopicModel, training.embed
) -> tuple[np.ndarray, list[str], list[str]]:
    """Context affinities of every CASE 2021 snippet (split into sentences, as articles are),
    with the snippet's CASE type and fold group."""
    from newsmon.core.sentences import split_sentences

    snippets = datasets.case2021_raw(data_dir)
    sentences = [split_sentences(s.text) or [s.text] for s in snippets]
    vectors = embed([t for group in sentences for t in group])
    rows, start = [], 0
    for group in sentences:
        rows.append(topic_model.affinities(vectors[start : start + len(group)]))
        start += len(group)
    return np.stack(rows), [s.label for s in snippets], [s.group for s in snippets]
