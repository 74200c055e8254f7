"""Typed access to the PLOVER event ontology (``data/plover_events.json``).

The data are extracted from the PLOVER manual by ``python -m newsmon.nlp.build_plover_events``.
Source: PLOVER manual, Open Event Data Alliance, CC BY-SA 4.0.

Names are matched case-insensitively; mode names also accept ``_`` or spaces for ``-``
(``"heavy_weapons"`` is ``"heavy-weapons"``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

ATTRIBUTION = "PLOVER manual, Open Event Data Alliance, CC BY-SA 4.0"

QUAD_CLASSES: tuple[str, ...] = (
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
"""The four quad classes, in the manual's numeric order (1 to 4)."""


@dataclass(frozen=True)
class Mode:
    name: str
    description: str
    score: float | None
    """The table's score for (type, mode); None where the table has none (PROTEST vandalize)."""


@dataclass(frozen=True)
class Example:
    text: str
    mode: str | None
    why: str
    """Where in the manual the example is, and why it carries this type."""


@dataclass(frozen=True)
class EventType:
    name: str
    definition: str
    quad_class: str
    requires_recipient: bool
    modes: tuple[Mode, ...]
    score: float
    """Base conflict-cooperation score (-10 .. +10) of the type without a mode."""
    examples: tuple[Example, ...]
    ambiguities: tuple[str, ...]
    recipient_note: str = ""
    score_printed: float | None = None
    """Set only where the JSON corrects the printed table value (ACCUSE)."""
    score_note: str = ""

    @property
    def quad_index(self) -> int:
        """1..4 as in the manual's quad table."""
        return QUAD_CLASSES.index(self.quad_class) + 1


@dataclass(frozen=True)
class AuxiliaryMode:
    name: str
    example: str


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    text = resources.files("newsmon.nlp").joinpath("data/plover_events.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def event_types() -> tuple[EventType, ...]:
    """The 16 PLOVER event types in the manual's order (AGREE ... ASSAULT)."""
    out = []
    for item in _raw()["event_types"]:
        out.append(
            EventType(
                name=item["name"],
                definition=item["definition"],
                quad_class=item["quad_class"],
                requires_recipient=bool(item["requires_recipient"]),
                modes=tuple(Mode(**m) for m in item["modes"]),
                score=float(item["score"]),
                examples=tuple(Example(**e) for e in item["examples"]),
                ambiguities=tuple(item["ambiguities"]),
                recipient_note=item.get("recipient_note", ""),
                score_printed=item.get("score_printed"),
                score_note=item.get("score_note", ""),
            )
        )
    return tuple(out)


EVENT_TYPE_NAMES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip
"""The 16 type names in the manual's order (the same order as ``event_types()``)."""


@lru_cache(maxsize=1)
def _by_name() -> dict[str, EventType]:
    return {t.name: t for t in event_types()}


def event_type(name: str) -> EventType:
    """The event type called ``name`` (case-insensitive); KeyError if there is none."""
    try:
        return _by_name()[name.strip().upper()]
    except KeyError:
        raise KeyError(f"unknown PLOVER event type {name!r}") from None


def is_event_type(name: str) -> bool:
    return name.strip().upper() in _by_name()


def quad_of(event_type_name: str) -> str:
    """The quad class of a PLOVER event type, one of ``QUAD_CLASSES``."""
    return event_type(event_type_name).quad_class


def modes_of(event_type_name: str) -> tuple[Mode, ...]:
    """The modes of a type (empty for AGREE, SUPPORT, CONCEDE, COOPERATE, AID)."""
    return event_type(event_type_name).modes


def _mode_key(mode: str) -> str:
    return mode.strip().lower().replace("_", "-").replace(" ", "-")


def plover_score(event_type_name: str, mode: str | None = None) -> float:
    """PLOVER conflict-cooperation score (-10 .. +10) of a type, or of (type, mode).

    Without a mode, or for a mode the table gives no score for, the type's base score.
    A mode that the type does not have raises ValueError.
    """
    etype = event_type(event_type_name)
    if mode is None or not mode.strip():
        return etype.score
    key = _mode_key(mode)
    for m in etype.modes:
        if m.name == key:
            return etype.score if m.score is None else m.score
    raise ValueError(f"{etype.name} has no mode {mode!r}; modes: {[m.name for m in etype.modes]}")


def types_in_quad(quad_class: str) -> tuple[str, ...]:
    if quad_class not in QUAD_CLASSES:
        raise ValueError(f"unknown quad class {quad_class!r}")
    return tuple(t.name for t in event_types() if t.quad_class == quad_class)


@lru_cache(maxsize=1)
def auxiliary_modes() -> tuple[AuxiliaryMode, ...]:
    """historical, future, hypothetical, negation, each with the manual's example."""
    return tuple(AuxiliaryMode(**m) for m in _raw()["auxiliary_modes"]["modes"])


def auxiliary_modes_text() -> str:
    """The manual's text on auxiliary modes, with its note that they are not yet implemented."""
    aux = _raw()["auxiliary_modes"]
    return f"{aux['text']}\n\n{aux['note']}".strip()


def ontology_notes() -> tuple[str, ...]:
    """Discrepancies in the manual and how the JSON resolves them."""
    return tuple(_raw()["notes"])
