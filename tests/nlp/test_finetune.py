"""Fine-tuning the encoder: the held-out fold stays out of training, the report compares the
frozen and the fine-tuned encoder on it, and what is written loads where the pipeline loads a
model."""

from pathlib import Path

import numpy as np
import pytest
from newsmon.core.encoder import SentenceEncoder
from newsmon.core.settings import Settings
from newsmon.nlp import datasets
from newsmon.nlp.coder import build_coder
from newsmon.nlp.finetune import FineTuneConfig, TaskExample, fine_tune, split, task_examples

try:
    HAVE_DATA = bool(task_examples(None, limit=1))
except FileNotFoundError:
    HAVE_DATA = False


def test_a_group_lands_on_one_side_whatever_its_task() -> None:
    examples = [
        TaskExample(f"s{i}", task, "x", f"group{i % 7}", "test")
        for i in range(70)
        for task in ("quad", "event")
    ]
    training, held = split(examples, holdout=2)
    assert held and training
    assert {e.group for e in training}.isdisjoint({e.group for e in held})
    assert all(datasets.fold_of(e.group) == 2 for e in held)


@pytest.mark.skipif(not HAVE_DATA, reason="../shared/data is not available")
def test_a_short_fine_tune_is_measured_and_loads_as_the_encoder(tmp_path: Path) -> None:
    report = fine_tune(
        tmp_path, FineTuneConfig(epochs=1, limit=160, keep_similarity=5.0, train_roles=True)
    )
    assert report.holdout_examples["quad"] > 0 and report.train_examples["event"] > 0
    assert report.frozen.quad_macro_f1 is not None and report.fine_tuned.quad_macro_f1 is not None
    assert report.frozen.roles is not None and report.fine_tuned.roles is not None
    assert 0.0 < report.similarity_to_frozen < 1.0
    assert (tmp_path / "report.json").exists()
    sentences = ["Russian troops attacked Ukrainian positions.", "The envoys met in Geneva."]
    base = SentenceEncoder().encode(sentences)
    tuned = SentenceEncoder(str(tmp_path / "encoder")).encode(sentences)
    assert tuned.shape == base.shape
    assert float((base * tuned).sum(axis=1).min()) < 0.9999, "the weights were trained"
    assert np.allclose(np.linalg.norm(tuned, axis=1), 1.0, atol=1e-5)


def test_the_coder_reads_its_heads_from_the_configured_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        build_coder(Settings(heads_dir=str(tmp_path)))


def test_a_card_for_another_encoder_warns_that_fine_tuned_figures_are_optimistic() -> None:
    from newsmon.core.encoder import DEFAULT_MODEL_LABEL
    from newsmon.nlp.model_card import _other_encoder_caution

    assert _other_encoder_caution(DEFAULT_MODEL_LABEL) == ""
    assert "optimistic" in _other_encoder_caution("/models/finetuned/encoder")


def test_training_on_every_example_without_a_rank_is_refused_at_the_command_line(
    tmp_path: Path,
) -> None:
    """Only an adapter is written then; a whole encoder would have nothing to be measured on."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "finetune", "--out", str(tmp_path), "--holdout", "-1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "--lora-rank" in done.stderr
    assert not any(tmp_path.iterdir()), "nothing written"
