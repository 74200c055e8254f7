"""Temperature scaling of the quad head on scores whose true probabilities are known."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from newsmon.nlp.heads import KernelSVCHead, load_head
from newsmon.nlp.quad_calibration import (
    evaluate_temperature,
    expected_calibration_error,
    fit_temperature,
)


def sample(rows: int, squash: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from softmax(logits); the scores handed over are logits / ``squash``, so
    the temperature that calibrates them is 1 / squash."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.0, size=(rows, 5))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    truth = np.array([rng.choice(5, p=row) for row in p])
    return logits / squash, truth


def test_the_fitted_temperature_undoes_a_known_squash() -> None:
    scores, truth = sample(4000, squash=4.0)
    assert fit_temperature(scores, truth) == pytest.approx(0.25, rel=0.15)


def test_calibration_lowers_the_held_out_error_and_keeps_every_prediction() -> None:
    scores, truth = sample(3000, squash=3.0, seed=1)
    folds = np.arange(len(truth)) % 5
    report = evaluate_temperature(scores, truth, folds)
    assert report.ece_after < report.ece_before / 2
    assert report.log_loss_after < report.log_loss_before
    assert report.mean_confidence_after > report.mean_confidence_before
    assert expected_calibration_error(scores, truth, report.temperature) < report.ece_before


def test_the_quad_head_keeps_its_temperature_on_disk(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    head = KernelSVCHead(
        support_vectors=rng.normal(size=(6, 4)).astype(np.float32),
        dual_coef=rng.normal(size=(2, 6)),
        intercept=rng.normal(size=3),
        n_support=np.array([2, 2, 2]),
        gamma=0.5,
        labels=("a", "b", "c"),
    )
    hot = replace(head, temperature=0.3)
    hot.save(tmp_path / "quad.npz")
    loaded = load_head(tmp_path / "quad.npz")
    x = rng.normal(size=(5, 4)).astype(np.float32)
    assert loaded.temperature == pytest.approx(0.3)
    np.testing.assert_allclose(loaded.probabilities(x), hot.probabilities(x), rtol=1e-5)
    assert (loaded.probabilities(x).argmax(1) == head.probabilities(x).argmax(1)).all()
