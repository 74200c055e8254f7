"""Low-rank adapters: training starts from the frozen encoder, only the adapters train, and
the saved file rebuilds, on a plain copy of the encoder, the model that was trained."""

from pathlib import Path

import torch
from newsmon.core.encoder import bundled_model_path
from newsmon.nlp.adapters import (
    ADAPTED,
    LowRankAdapter,
    add_adapters,
    apply_saved_adapters,
    merge_adapters,
    save_adapters,
)
from transformers import AutoModel, AutoTokenizer

SENTENCES = ["Russian troops attacked Ukrainian positions.", "The envoys met in Geneva."]


def hidden(model: torch.nn.Module) -> torch.Tensor:
    tokenizer = AutoTokenizer.from_pretrained(str(bundled_model_path()))
    batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        return model(**batch).last_hidden_state


def plain() -> torch.nn.Module:
    return AutoModel.from_pretrained(str(bundled_model_path())).eval()


def test_adapted_model_starts_as_the_frozen_one_and_trains_only_adapters() -> None:
    model = plain()
    before = hidden(model)
    adapters = add_adapters(model, rank=4, alpha=8.0)
    assert len(adapters) == len(model.encoder.layer) * len(ADAPTED)
    assert torch.allclose(hidden(model), before)
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert trainable == {id(p) for a in adapters for p in (a.up, a.down)}


def test_saved_adapters_rebuild_the_trained_model(tmp_path: Path) -> None:
    model = plain()
    add_adapters(model, rank=4, alpha=8.0)
    torch.manual_seed(0)
    for module in model.modules():
        if isinstance(module, LowRankAdapter):
            torch.nn.init.normal_(module.up, std=0.02)  # as if trained
    trained = hidden(model)
    assert not torch.allclose(trained, hidden(plain()), atol=1e-3)
    save_adapters(model, tmp_path / "adapter.npz")
    merge_adapters(model)
    assert not any(isinstance(m, LowRankAdapter) for m in model.modules())
    assert torch.allclose(hidden(model), trained, atol=1e-4)
    rebuilt = plain()
    apply_saved_adapters(rebuilt, tmp_path / "adapter.npz")
    assert torch.allclose(hidden(rebuilt), trained, atol=2e-2), "float16 copies, close"
    assert (tmp_path / "adapter.npz").stat().st_size < 1_000_000
