"""The numpy heads reproduce scikit-learn's models exactly, and load without pickles."""

from pathlib import Path

import numpy as np
from newsmon.nlp.heads import KernelSVCHead, LinearHead, load_head
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC


def blobs(classes: int = 4, per: int = 30, dim: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(classes, dim)) * 2
    x = np.concatenate([c + rng.normal(size=(per, dim)) for c in centres])
    y = np.repeat([f"class{i}" for i in range(classes)], per)
    return x.astype(np.float32), y


def test_svc_head_matches_sklearn_decision_function(tmp_path: Path) -> None:
    x, y = blobs()
    model = SVC(C=2.0, gamma="scale").fit(x[::2], y[::2])
    path = tmp_path / "svc.npz"
    KernelSVCHead.from_sklearn(model).save(path)
    head = load_head(path)
    assert isinstance(head, KernelSVCHead)
    np.testing.assert_allclose(head.scores(x[1::2]), model.decision_function(x[1::2]), atol=1e-4)
    probs = head.probabilities(x[1::2])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)


def test_linear_head_matches_predict_proba_including_binary(tmp_path: Path) -> None:
    for classes in (4, 2):
        x, y = blobs(classes=classes)
        model = LogisticRegression(max_iter=2000).fit(x, y)
        path = tmp_path / f"lin{classes}.npz"
        LinearHead.from_sklearn(model).save(path)
        head = load_head(path)
        np.testing.assert_allclose(head.probabilities(x), model.predict_proba(x), atol=1e-5)
        assert head.labels == tuple(model.classes_)


def test_committed_heads_load_and_agree_with_the_ontology() -> None:
    from newsmon.nlp.coder import CoderHeads
    from newsmon.nlp.ontology import EVENT_TYPE_NAMES, QUAD_CLASSES, modes_of

    heads = CoderHeads.load()
    assert set(heads.quad.labels) == {"none", *QUAD_CLASSES}
    assert set(heads.event.labels) == set(EVENT_TYPE_NAMES)
    assert set(heads.role.labels) == {"O", "S", "T", "R"}
    assert heads.mode is not None
    for label in heads.mode.labels:
        event_type, mode = label.split("/", 1)
        assert event_type in EVENT_TYPE_NAMES
        assert mode in {m.name for m in modes_of(event_type)}
