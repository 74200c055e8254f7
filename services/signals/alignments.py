"""The prior table of country alignments (``seeds/alignments.yaml``).

The alliance-shift detector asks this table what to expect of a pair of countries on a given
day: whether they are partners (``alliance``/``partnership``), adversaries
(``rivalry``/``conflict``) or neither, and the baseline cooperation-conflict level that
follows. The table is the project's own judgement compiled from public knowledge; see the
header of the YAML file for the format and how to edit it.

Periods are half-open: an entry holds on ``on`` when ``start <= on < end`` (a null ``start``
means "since before the table's horizon", a null ``end`` means ongoing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from newsmon.core.paths import repo_root

RELATIONS = ("alliance", "partnership", "rivalry", "conflict")
PARTNER_RELATIONS = frozenset({"alliance", "partnership"})
ADVERSARY_RELATIONS = frozenset({"rivalry", "conflict"})
# Baseline level per unit of strength, in PLOVER score units (see AlignmentTable.prior_index).
PRIOR_WEIGHTS = {"alliance": 4.0, "partnership": 3.0, "rivalry": -3.0, "conflict": -6.0}

_CODE = re.compile(r"[A-Z]{3}")
_KEYS = frozenset({"parties", "relation", "strength", "start", "end", "note"})
_REQUIRED = frozenset({"parties", "relation", "strength", "start"})
SEED_NAME = Path("seeds") / "alignments.yaml"


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that timestamps stay strings.

    ``safe_load`` turns ``2025-13-01`` into an exception raised from inside the parser, which
    cannot say which entry was wrong; keeping dates as text lets validation name the entry.
    """


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(frozen=True)
class Alignment:
    parties: tuple[str, str]
    relation: str
    strength: float
    start: date | None
    end: date | None
    note: str

    def active(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)

    def other(self, code: str) -> str:
        return self.parties[1] if self.parties[0] == code else self.parties[0]

    @property
    def is_partner(self) -> bool:
        return self.relation in PARTNER_RELATIONS

    @property
    def is_adversary(self) -> bool:
        return self.relation in ADVERSARY_RELATIONS


def _pair(a: str, b: str) -> tuple[str, str]:
    a, b = a.upper(), b.upper()
    return (a, b) if a <= b else (b, a)


def _specificity(entry: Alignment) -> tuple[date, bool, int]:
    """Sort key: latest start first, then a bounded period over an open one, then the shorter."""
    start = entry.start or date.min
    span = (entry.end - start).days if entry.end else 0
    return (start, entry.end is not None, -span)


def _parse_date(value: Any, field: str, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        raise ValueError(f"{where}: {field} must be a date, not a date-time: {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{where}: {field} is not an ISO date (YYYY-MM-DD): {value!r}")


def _parse_entry(raw: Any, index: int) -> Alignment:
    where = f"alignment entry {index}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(raw).__name__}")
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(map(str, unknown))}")
    missing = _REQUIRED - set(raw)
    if missing:
        raise ValueError(f"{where}: missing keys {sorted(missing)}")
    parties = raw["parties"]
    if not isinstance(parties, list) or len(parties) != 2:
        raise ValueError(f"{where}: parties must be a list of two country codes: {parties!r}")
    for code in parties:
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise ValueError(
                f"{where}: party {code!r} is not an ISO 3166 alpha-3 code (3 capital letters)"
            )
    if parties[0] == parties[1]:
        raise ValueError(f"{where}: a country cannot be paired with itself: {parties!r}")
    relation = raw["relation"]
    if relation not in RELATIONS:
        raise ValueError(f"{where}: unknown relation {relation!r} (expected one of {RELATIONS})")
    strength = raw["strength"]
    if isinstance(strength, bool) or not isinstance(strength, int | float):
        raise ValueError(f"{where}: strength must be a number in 0..1: {strength!r}")
    if not 0.0 <= float(strength) <= 1.0:
        raise ValueError(f"{where}: strength {strength} is outside 0..1")
    start = _parse_date(raw["start"], "start", where)
    end = _parse_date(raw.get("end"), "end", where)
    if start is not None and end is not None and end <= start:
        raise ValueError(f"{where}: end {end} is not after start {start}")
    note = raw.get("note") or ""
    if not isinstance(note, str):
        raise ValueError(f"{where}: note must be a string")
    return Alignment(_pair(*parties), relation, float(strength), start, end, note)


def default_path() -> Path:
    """``seeds/alignments.yaml`` in the repository (the folder holding pyproject.toml above this
    file), else in the current working directory."""
    root = repo_root(Path(__file__))
    if root is not None and (root / SEED_NAME).is_file():
        return root / SEED_NAME
    return Path.cwd() / SEED_NAME


class AlignmentTable:
    """Dated alignments between pairs of countries, queried by day."""

    def __init__(self, entries: list[Alignment]) -> None:
        self.entries = list(entries)
        self._by_pair: dict[tuple[str, str], list[Alignment]] = {}
        self._by_country: dict[str, list[Alignment]] = {}
        for entry in self.entries:
            self._by_pair.setdefault(entry.parties, []).append(entry)
            for code in entry.parties:
                self._by_country.setdefault(code, []).append(entry)

    @classmethod
    def load(cls, path: Path | None = None) -> AlignmentTable:
        path = Path(path) if path is not None else default_path()
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader
        if data is None:
            data = []
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a list of alignment entries")
        try:
            return cls([_parse_entry(raw, i) for i, raw in enumerate(data)])
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    def __len__(self) -> int:
        return len(self.entries)

    def relation(self, a: str, b: str, on: date) -> Alignment | None:
        """The entry for the pair active on ``on`` (order of ``a``/``b`` does not matter).

        When several overlap (a war inside a rivalry), the most specific wins: the latest
        start, then a bounded period over an open one, then the shorter period.
        """
        active = [e for e in self._by_pair.get(_pair(a, b), []) if e.active(on)]
        return max(active, key=_specificity) if active else None

    def _related(self, a: str, on: date, kinds: frozenset[str]) -> list[tuple[str, Alignment]]:
        a = a.upper()
        out = []
        for other in sorted({e.other(a) for e in self._by_country.get(a, [])}):
            entry = self.relation(a, other, on)
            if entry is not None and entry.relation in kinds:
                out.append((other, entry))
        return sorted(out, key=lambda item: (-item[1].strength, item[0]))

    def partners(self, a: str, on: date) -> list[tuple[str, Alignment]]:
        """Countries allied or in partnership with ``a`` on ``on``, strongest first."""
        return self._related(a, on, PARTNER_RELATIONS)

    def adversaries(self, a: str, on: date) -> list[tuple[str, Alignment]]:
        """Countries in rivalry or armed conflict with ``a`` on ``on``, strongest first."""
        return self._related(a, on, ADVERSARY_RELATIONS)

    def prior_index(self, a: str, b: str, on: date) -> float:
        """The pair's expected cooperation-conflict level on ``on``, in PLOVER score units.

        PLOVER scores events from -10 (most conflictual) to +10 (most cooperative); a pair's
        running index is a weighted mean of its events' scores, so everyday relations sit well
        inside that range. The prior maps the table onto it as a modest, relation-typed level:

        * alliance:    +4 * strength  (regular consultations, joint exercises, aid)
        * partnership: +3 * strength  (cooperation, visits, agreements)
        * rivalry:     -3 * strength  (accusations, sanctions, threats: verbal/material conflict)
        * conflict:    -6 * strength  (armed attacks dominate the event stream)
        * no entry:     0.0

        Conflict is weighted twice rivalry because fighting produces strongly negative events
        (about -7 to -10) while rivalry is mostly verbal (-2 to -5). Symmetric in ``a``/``b``.
        """
        entry = self.relation(a, b, on)
        if entry is None:
            return 0.0
        return PRIOR_WEIGHTS[entry.relation] * entry.strength

    def ended_between(self, a: str, start: date, end: date) -> list[Alignment]:
        """Partnerships/alliances of ``a`` whose ``end`` falls in ``[start, end]``, oldest first.

        An entry superseded by another partner entry of the same pair from its end date (an
        upgrade such as Russia-Iran's 2025 treaty, or a change of strength) is not a loss and is
        left out: only ties that actually lapsed are returned.
        """
        a = a.upper()
        out = []
        for entry in self._by_country.get(a, []):
            if not entry.is_partner or entry.end is None or not start <= entry.end <= end:
                continue
            successor = self.relation(*entry.parties, entry.end)
            if successor is not None and successor.is_partner:
                continue
            out.append(entry)
        return sorted(out, key=lambda e: (e.end, e.parties))
