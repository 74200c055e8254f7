"""The topic calibration on synthetic affinities, where the right answer is known."""

import numpy as np
from newsmon.nlp.topic_calibration import (
    CASE_CONTEXTS,
    MEASURED_CONTEXTS,
    TopicCalibration,
    evaluate_calibration,
)

NAMES = [*MEASURED_CONTEXTS, "economic", "health"]


def synthetic(n: int = 300, seed: int = 7) -> tuple[np.ndarray, list[str], list[str]]:
    """Snippets whose implied context is (noisily) their most similar one."""
    rng = np.random.default_rng(seed)
    types = [list(CASE_CONTEXTS)[i % len(CASE_CONTEXTS)] for i in range(n)]
    affinities = rng.normal(0.2, 0.05, size=(n, len(NAMES)))
    for row, case_type in enumerate(types):
        for context in CASE_CONTEXTS[case_type]:
            affinities[row, NAMES.index(context)] += rng.normal(0.15, 0.05)
    return affinities, types, [f"g{i}" for i in range(n)]


def test_calibrated_probabilities_match_what_is_observed_and_rank_the_implied_context(tmp_path):
    affinities, types, groups = synthetic()
    calibration, report = evaluate_calibration(affinities, types, groups, NAMES, 0.03)
    assert report.snippets == 300 and report.positives == 300
    assert report.brier_calibrated < 0.05 and report.brier_softmax_shares > 0
    assert min(report.average_precision.values()) > 0.8
    for row in report.reliability:  # predicted and observed agree where there is mass
        if row["n"] >= 100:
            assert abs(row["mean_predicted"] - row["observed"]) < 0.1
    path = tmp_path / "topics.json"
    calibration.save(path)
    assert TopicCalibration.load(path) == calibration
    probabilities = calibration.probabilities(affinities[0])
    assert (
        probabilities.shape == (len(NAMES),) and ((probabilities > 0) & (probabilities < 1)).all()
    )
