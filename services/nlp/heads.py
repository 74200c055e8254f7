"""Small trained heads over the shared encoder's outputs, stored as plain ``.npz`` arrays.

No pickles: a head is its weights and its labels, and inference is a few lines of numpy, so
loading a committed head cannot run code and costs milliseconds.

- ``LinearHead``: softmax regression (event types, token roles).
- ``KernelSVCHead``: an RBF support-vector classifier (quad classes). On normalised sentence
  embeddings it measured clearly better than a linear head (see the model card), and with about
  a thousand support vectors it is still cheap: one matrix product per batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class LinearHead:
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    labels: tuple[str, ...]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(features @ self.weights + self.bias)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            kind="linear",
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            labels=np.array(self.labels),
        )

    @classmethod
    def from_sklearn(cls, model: object) -> LinearHead:
        coef = np.asarray(model.coef_)  # type: ignore[attr-defined]
        intercept = np.asarray(model.intercept_)  # type: ignore[attr-defined]
        classes = tuple(str(c) for c in model.classes_)  # type: ignore[attr-defined]
        if len(classes) == 2:  # sklearn stores one row for binary problems
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        return cls(coef.T.astype(np.float32), intercept.astype(np.float32), classes)


@dataclass(frozen=True)
class KernelSVCHead:
    """One-vs-one RBF SVC, evaluated the way scikit-learn's ``SVC`` does it."""

    support_vectors: np.ndarray  # (n_sv, features)
    dual_coef: np.ndarray  # (classes - 1, n_sv)
    intercept: np.ndarray  # (pairs,)
    n_support: np.ndarray  # (classes,)
    gamma: float
    labels: tuple[str, ...]
    temperature: float = 1.0  # fitted by newsmon.nlp.quad_calibration; 1.0 is uncalibrated

    @cached_property
    def _pair_weights(self) -> np.ndarray:
        """(n_sv, pairs) float32: each one-vs-one decision as one column, so every pair's
        decision comes from a single product with the kernel (with 7,000 support vectors,
        slicing the kernel per pair in float64 took 15 times as long)."""
        starts = np.concatenate([[0], np.cumsum(self.n_support)])
        n = len(self.labels)
        weights = np.zeros((len(self.support_vectors), n * (n - 1) // 2), dtype=np.float32)
        pair = 0
        for i in range(n):
            for j in range(i + 1, n):
                si, sj = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
                weights[si, pair] = self.dual_coef[j - 1, si]
                weights[sj, pair] = self.dual_coef[i, sj]
                pair += 1
        return weights

    @cached_property
    def _support_norms(self) -> np.ndarray:
        vectors = self.support_vectors.astype(np.float32, copy=False)
        return (vectors**2).sum(axis=1)

    def _pair_decisions(self, features: np.ndarray) -> np.ndarray:
        """The RBF kernel against every support vector, built in place in one float32 array
        (rows x support vectors: temporaries of that size tripled the time), then every pair's
        decision at once."""
        features = features.astype(np.float32, copy=False)
        kernel = features @ self.support_vectors.astype(np.float32, copy=False).T
        kernel *= -2
        kernel += (features**2).sum(axis=1)[:, None]
        kernel += self._support_norms[None, :]
        np.maximum(kernel, 0, out=kernel)  # squared distances
        kernel *= np.float32(-self.gamma)
        np.exp(kernel, out=kernel)
        return (kernel @ self._pair_weights).astype(np.float64) + self.intercept

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Votes plus a bounded share of the summed confidences (scikit-learn's OvR shape)."""
        decisions = self._pair_decisions(features)
        n = len(self.labels)
        votes = np.zeros((features.shape[0], n))
        confidence = np.zeros((features.shape[0], n))
        pair = 0
        for i in range(n):
            for j in range(i + 1, n):
                d = decisions[:, pair]
                votes[:, i] += d > 0
                votes[:, j] += d <= 0
                confidence[:, i] += d
                confidence[:, j] -= d
                pair += 1
        return votes + confidence / (3 * (np.abs(confidence) + 1))

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Scores turned into a distribution; calibrated once ``temperature`` is fitted."""
        return softmax(self.scores(features) / self.temperature)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            kind="svc",
            support_vectors=self.support_vectors.astype(np.float32),
            dual_coef=self.dual_coef,
            intercept=self.intercept,
            n_support=self.n_support,
            gamma=np.array(self.gamma),
            labels=np.array(self.labels),
            temperature=np.array(self.temperature),
        )

    @classmethod
    def from_sklearn(cls, model: object) -> KernelSVCHead:
        m = model
        return cls(
            np.asarray(m.support_vectors_, dtype=np.float32),  # type: ignore[attr-defined]
            np.asarray(m.dual_coef_),  # type: ignore[attr-defined]
            np.asarray(m.intercept_),  # type: ignore[attr-defined]
            np.asarray(m.n_support_),  # type: ignore[attr-defined]
            float(m._gamma),  # type: ignore[attr-defined]
            tuple(str(c) for c in m.classes_),  # type: ignore[attr-defined]
        )


Head = LinearHead | KernelSVCHead


def load_head(path: Path) -> Head:
    with np.load(path, allow_pickle=False) as data:
        labels = tuple(str(x) for x in data["labels"])
        if str(data["kind"]) == "linear":
            return LinearHead(data["weights"], data["bias"], labels)
        return KernelSVCHead(
            data["support_vectors"],
            data["dual_coef"],
            data["intercept"],
            data["n_support"],
            float(data["gamma"]),
            labels,
            float(data["temperature"]) if "temperature" in data else 1.0,
        )
