"""The PLOVER contexts (the topic list), with their definitions from the manual."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Context:
    name: str
    definition: str
    detail: str


@lru_cache(maxsize=1)
def plover_contexts() -> tuple[Context, ...]:
    raw = resources.files("newsmon.core").joinpath("data/plover_contexts.json").read_text("utf-8")
    return tuple(Context(**item) for item in json.loads(raw)["contexts"])
