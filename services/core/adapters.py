"""Low-rank adapters: a fine-tuned encoder small enough to commit.

A fine-tuned MiniLM is 90 MB of weights, too big for the repository, and a fine-tune at install
time would give every machine a slightly different encoder under the same committed heads. A
low-rank adapter (LoRA, Hu et al. 2021) trains, beside each frozen linear layer ``W`` of the
transformer blocks, two small matrices ``up`` (out x r) and ``down`` (r x in), and the layer
computes ``W x + (alpha / r) up down x``. Only those are trained and saved (rank 8 over the six
blocks' attention and feed-forward layers: 332k numbers, 0.6 MB in float16), and merged into
``W`` once at load, so serving costs nothing: the merged model is an ordinary BERT.

``up`` starts at zero, so training starts from exactly the frozen encoder.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

ADAPTER_FILE = "adapter.npz"  # its name wherever it is written or looked for
# the linear layers of a BERT block that get an adapter, by their path inside the block
ADAPTED = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class LowRankAdapter(torch.nn.Module):
    """A frozen linear layer plus a trainable low-rank update."""

    def __init__(self, base: torch.nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        for parameter in base.parameters():
            parameter.requires_grad_(False)
        self.down = torch.nn.Parameter(torch.empty(rank, base.in_features))
        torch.nn.init.kaiming_uniform_(self.down, a=math.sqrt(5))  # as nn.Linear initialises
        self.up = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.down.T @ self.up.T) * self.scale

    def delta(self) -> torch.Tensor:
        return (self.up @ self.down) * self.scale


def _blocks(model: torch.nn.Module) -> list[torch.nn.Module]:
    return list(model.encoder.layer)  # type: ignore[union-attr]


def _parent_and_name(block: torch.nn.Module, path: str) -> tuple[torch.nn.Module, str]:
    *parents, name = path.split(".")
    parent = block
    for part in parents:
        parent = getattr(parent, part)
    return parent, name


def add_adapters(model: torch.nn.Module, rank: int, alpha: float) -> list[LowRankAdapter]:
    """Freeze ``model`` and wrap every ``ADAPTED`` layer of every block; returns the adapters
    (their parameters are the only trainable ones left)."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    adapters = []
    for block in _blocks(model):
        for path in ADAPTED:
            parent, name = _parent_and_name(block, path)
            adapter = LowRankAdapter(getattr(parent, name), rank, alpha)
            setattr(parent, name, adapter)
            adapters.append(adapter)
    return adapters


def merge_adapters(model: torch.nn.Module) -> None:
    """Fold every adapter into its layer's weights and unwrap it: a plain model again."""
    for block in _blocks(model):
        for path in ADAPTED:
            parent, name = _parent_and_name(block, path)
            adapter = getattr(parent, name)
            if isinstance(adapter, LowRankAdapter):
                with torch.no_grad():
                    adapter.base.weight += adapter.delta()
                setattr(parent, name, adapter.base)


def save_adapters(model: torch.nn.Module, path: Path) -> None:
    """The adapters' matrices, float16, keyed ``BLOCK/PATH/up|down``, plus their scale."""
    arrays: dict[str, np.ndarray] = {}
    for index, block in enumerate(_blocks(model)):
        for layer in ADAPTED:
            parent, name = _parent_and_name(block, layer)
            adapter = getattr(parent, name)
            if not isinstance(adapter, LowRankAdapter):
                raise ValueError(f"block {index} {layer} has no adapter to save")
            arrays[f"{index}/{layer}/up"] = adapter.up.detach().numpy().astype(np.float16)
            arrays[f"{index}/{layer}/down"] = adapter.down.detach().numpy().astype(np.float16)
            arrays["scale"] = np.array(adapter.scale, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def apply_saved_adapters(model: torch.nn.Module, path: Path) -> None:
    """Add saved adapters' updates to a plain model's weights (what ``merge_adapters`` did
    to the trained one, from the float16 copies)."""
    with np.load(path) as saved:
        scale = float(saved["scale"])
        for index, block in enumerate(_blocks(model)):
            for layer in ADAPTED:
                parent, name = _parent_and_name(block, layer)
                linear = getattr(parent, name)
                up = torch.from_numpy(saved[f"{index}/{layer}/up"].astype(np.float32))
                down = torch.from_numpy(saved[f"{index}/{layer}/down"].astype(np.float32))
                with torch.no_grad():
                    linear.weight += (up @ down) * scale
