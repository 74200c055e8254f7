"""Low-rank adapters: training starts from the frozen encoder, only the adapters train, and
the saved file rebuilds, on a plain copy of the encoder, the model that was trained."""

from pathlib import Path

import torch
from newsmon.core.adapters import (
    ADAPTED,
    LowRankAdapter,
    add_adapters,
    apply_saved_adapters,
    merge_adapters,
    save_adapters,
)
from newsmon.core.encoder import (
    ADAPTED_HEADS,
    SentenceEncoder,
    bundled_model_path,
    model_adapter,
)
from newsmon.core.settings import Settings
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


def test_an_adapter_goes_with_the_heads_trained_on_it(tmp_path: Path) -> None:
    assert model_adapter(Settings()) is None, "the package's heads: the plain encoder"
    adapted = Settings(heads_dir=str(ADAPTED_HEADS))
    assert model_adapter(adapted) == ADAPTED_HEADS / "adapter.npz"
    assert ADAPTED_HEADS.joinpath("adapter.npz").exists() and (ADAPTED_HEADS / "quad.npz").exists()
    assert model_adapter(adapted.model_copy(update={"model_adapter": "none"})) is None
    given = tmp_path / "adapter.npz"
    assert model_adapter(Settings(model_adapter=str(given))) == given


def test_an_encoder_with_an_adapter_says_so_and_differs(tmp_path: Path) -> None:
    model = plain()
    add_adapters(model, rank=4, alpha=8.0)
    for module in model.modules():
        if isinstance(module, LowRankAdapter):
            torch.nn.init.normal_(module.up, std=0.02)
    save_adapters(model, tmp_path / "adapter.npz")
    adapted = SentenceEncoder(adapter=tmp_path / "adapter.npz", trace=False)
    assert adapted.label.endswith(f"adapter {tmp_path / 'adapter.npz'}")
    frozen = SentenceEncoder(adapter=None, trace=False)
    assert float((adapted.encode(SENTENCES) * frozen.encode(SENTENCES)).sum(axis=1).max()) < 0.9999
