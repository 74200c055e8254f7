"""Temperature scaling for the quad head: from a ranking to a probability.

The quad head is a one-vs-one SVC whose scores are votes plus a bounded margin share; a
softmax over them ranks the classes well but cannot go much above 0.68 for five classes (four
votes against three, two, one, none). The coder multiplies that number into every event's
confidence, and the signal detector weighs events by it, so "two weighted events" meant about
five sure ones, and a sure sentence looked barely more likely than a coin toss.

Temperature scaling (Guo et al., 2017) fixes the scale with one parameter: ``softmax(scores /
T)``, with T chosen to minimise the log loss of out-of-fold scores. It keeps every argmax, so
no event comes or goes; only confidences change. The reported figures are nested: T is fitted
on four folds' out-of-fold scores and measured on the fifth, so they are held out too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from newsmon.nlp.heads import softmax
from scipy.optimize import minimize_scalar

BINS = 10
T_BOUNDS = (0.05, 20.0)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    return softmax(scores / temperature)


def log_loss(scores: np.ndarray, truth: np.ndarray, temperature: float) -> float:
    p = _softmax(scores, temperature)[np.arange(len(truth)), truth]
    return float(-np.log(np.clip(p, 1e-12, 1.0)).mean())


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The T in ``T_BOUNDS`` minimising the log loss of ``softmax(scores / T)``."""
    found = minimize_scalar(
        lambda log_t: log_loss(scores, truth, float(np.exp(log_t))),
        bounds=tuple(np.log(T_BOUNDS)),
        method="bounded",
    )
    return round(float(np.exp(found.x)), 4)


def expected_calibration_error(scores: np.ndarray, truth: np.ndarray, temperature: float) -> float:
    """Mean |confidence - accuracy| of the top class over ``BINS`` equal-width bins, weighted by
    the share of rows in each."""
    p = _softmax(scores, temperature)
    confidence, predicted = p.max(axis=1), p.argmax(axis=1)
    correct = predicted == truth
    edges = np.linspace(0.0, 1.0, BINS + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(error)


@dataclass
class QuadCalibrationReport:
    temperature: float
    ece_before: float
    ece_after: float
    log_loss_before: float
    log_loss_after: float
    mean_confidence_before: float
    mean_confidence_after: float
    accuracy: float


def evaluate_temperature(
    scores: np.ndarray, truth: np.ndarray, folds: np.ndarray
) -> QuadCalibrationReport:
    """T fitted on all out-of-fold scores, and nested held-out figures for it.

    ``scores`` are out-of-fold quad scores (rows x classes), ``truth`` class indices, ``folds``
    the fold of each row."""
    calibrated = np.empty_like(scores)
    for k in np.unique(folds):
        held = folds == k
        t = fit_temperature(scores[~held], truth[~held])
        calibrated[held] = np.log(np.clip(_softmax(scores[held], t), 1e-12, 1.0))
    before = _softmax(scores, 1.0)
    after = _softmax(calibrated, 1.0)
    return QuadCalibrationReport(
        temperature=fit_temperature(scores, truth),
        ece_before=round(expected_calibration_error(scores, truth, 1.0), 3),
        ece_after=round(expected_calibration_error(calibrated, truth, 1.0), 3),
        log_loss_before=round(log_loss(scores, truth, 1.0), 3),
        log_loss_after=round(log_loss(calibrated, truth, 1.0), 3),
        mean_confidence_before=round(float(before.max(axis=1).mean()), 3),
        mean_confidence_after=round(float(after.max(axis=1).mean()), 3),
        accuracy=round(float((before.argmax(axis=1) == truth).mean()), 3),
    )
