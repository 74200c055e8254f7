"""Does a stream raise what its readers expect? An offline check of the alliance signals.

The question a held-out stream is judged by: the pairs and directions its readers expect
appear, with evidence, and nothing flaps. ``newsmon check-signals`` answers it for any set of
articles and a file of expectations (``seeds/expectations.yaml`` holds the seed article's):
the articles are coded by the serving coder, and their events go through the same detector
the worker runs (``AllianceDetector``), article by article in published order, as the demo
replays them, with one state and one ledger per pair and per country, as the worker's tables
keep them. Arrival order does not change the signals (``newsmon.signals.pair_index``), so this
is what the stream would end with, in seconds and without a broker.

Everything here is pure: coded events in, a report out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from newsmon.core.records import AllianceSignal
from newsmon.signals.detector import AllianceDetector, SignalLedger, fan_out_article
from newsmon.signals.pair_index import PairState
from newsmon.signals.pressure import PressureState

EXPECTATIONS = "expectations.yaml"  # beside a stream's articles: what their readers expect
SIGNAL_TYPES = ("dyad_shift", "ally_at_risk", "realignment")
DIRECTIONS = ("toward_conflict", "toward_cooperation")


@dataclass(frozen=True)
class Expectation:
    """What a reader expects: a signal type on a pair, in a direction.

    A ``dyad_shift``'s pair is unordered; an ``ally_at_risk``'s is (partner, ally under
    pressure) and a ``realignment``'s (A, A's partner B), in that order, as the detector
    builds them, with ``third`` (A's adversary C) when given. ``gap`` marks an expectation the
    project knows it does not meet yet (the end-to-end test keeps those as expected
    failures): it is reported, not hidden."""

    signal_type: str
    pair: tuple[str, str]
    direction: str
    reader: str
    gap: bool = False
    third: str | None = None

    def matches(self, signal: AllianceSignal) -> bool:
        if signal.signal_type != self.signal_type or signal.direction != self.direction:
            return False
        if self.signal_type == "dyad_shift":
            return set(signal.pair) == set(self.pair)
        return tuple(signal.pair) == self.pair and self.third in (None, signal.third_party)


def expectations_beside(paths: Iterable[Path]) -> list[Expectation]:
    """The expectations in ``expectations.yaml`` of every folder given (``seeds/`` has the
    seed reader's): what the demo and ``newsmon check-signals`` check by default."""
    return [
        expectation
        for path in paths
        if (path / EXPECTATIONS).is_file()
        for expectation in load_expectations(path / EXPECTATIONS)
    ]


def load_expectations(path: Path) -> list[Expectation]:
    """The expectations file: a YAML list of {type, pair, direction, reader, gap, third}; a
    wrong entry is named by its position."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of expectations")
    found = []
    for index, entry in enumerate(entries):
        where = f"{path}: entry {index}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping")
        unknown = set(entry) - {"type", "pair", "direction", "reader", "gap", "third"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        pair = entry.get("pair")
        codes = pair if isinstance(pair, list) else []
        if len(codes) != 2 or not all(isinstance(code, str) for code in codes):
            raise ValueError(f"{where}: pair must be two country codes")
        if entry.get("type") not in SIGNAL_TYPES:
            raise ValueError(f"{where}: type must be one of {', '.join(SIGNAL_TYPES)}")
        if entry.get("direction") not in DIRECTIONS:
            raise ValueError(f"{where}: direction must be one of {', '.join(DIRECTIONS)}")
        if not isinstance(entry.get("third", ""), str):
            raise ValueError(f"{where}: third must be one country code")
        found.append(
            Expectation(
                entry["type"],
                (pair[0], pair[1]),
                entry["direction"],
                str(entry.get("reader", "")),
                bool(entry.get("gap", False)),
                entry.get("third"),
            )
        )
    return found


@dataclass
class SignalTrace:
    """Every version of one signal as the stream sent it, each with how many articles about
    the pair (or country) whose news produced it the stream had brought by then: for a
    ``dyad_shift`` its pair, for an ``ally_at_risk`` the country under pressure, for a
    ``realignment`` the pair B-C that warmed."""

    versions: list[AllianceSignal] = field(default_factory=list)
    articles_at: list[int] = field(default_factory=list)  # empty where unknown

    def add(self, signal: AllianceSignal, articles_so_far: int) -> None:
        self.versions.append(signal)
        self.articles_at.append(articles_so_far)

    @property
    def last(self) -> AllianceSignal:
        return self.versions[-1]

    @property
    def raised(self) -> bool:
        return any(v.status == "active" for v in self.versions)

    @property
    def flaps(self) -> int:
        """Raises after the first (active, cleared, active again) and turns of direction while
        active: what an analyst reads as the signal not making up its mind."""
        count, active, direction = 0, False, None
        for version in self.versions:
            if version.status == "active":
                if (not active and direction is not None) or (
                    active and version.direction != direction
                ):
                    count += 1
                active, direction = True, version.direction
            else:
                active = False
        return count


def run_detector(
    articles: Iterable[list[dict]], detector: AllianceDetector
) -> dict[str, SignalTrace]:
    """Each article's events (``events.dyadic`` records as dicts), in the order given, through
    the detector as the worker's agents run it."""
    pairs: dict[tuple[str, str], tuple[PairState | None, SignalLedger]] = {}
    countries: dict[str, tuple[PressureState | None, SignalLedger]] = {}
    seen: Counter[tuple[str, str] | str] = Counter()  # articles so far per pair and country
    traces: dict[str, SignalTrace] = {}

    def record(signals: list[AllianceSignal], key: tuple[str, str] | str) -> None:
        for signal in signals:
            traces.setdefault(signal.signal_id, SignalTrace()).add(signal, seen[key])

    for events in articles:
        by_pair, by_country = fan_out_article(events)
        for pair, pair_events in sorted(by_pair.items()):
            seen[pair] += 1
            state, ledger = pairs.get(pair, (None, SignalLedger()))
            state, signals = detector.on_pair_events(state, ledger, pair_events, *pair)
            pairs[pair] = (state, ledger)
            record(signals, pair)
        for country, items in sorted(by_country.items()):
            seen[country] += 1
            pressure, ledger = countries.get(country, (None, SignalLedger()))
            pressure, signals = detector.on_pressure_events(pressure, ledger, items, country)
            countries[country] = (pressure, ledger)
            record(signals, country)
    return traces


@dataclass(frozen=True)
class ExpectationResult:
    """An expectation and the first version of a signal that met it, if one did."""

    expectation: Expectation
    signal: AllianceSignal | None = None  # the first active version that matched
    raised_after: int | None = None  # articles about its pair (or country) by then
    last: AllianceSignal | None = None  # the same signal at the end of the stream

    @property
    def met(self) -> bool:
        return self.signal is not None and bool(self.signal.evidence)

    @property
    def holds_at_end(self) -> bool:
        return (
            self.last is not None
            and self.last.status == "active"
            and (self.expectation.matches(self.last))
        )


@dataclass(frozen=True)
class StreamCheck:
    results: list[ExpectationResult]
    others: list[AllianceSignal]  # raised at some point, matching no expectation
    flapping: list[tuple[AllianceSignal, int]]

    @property
    def met(self) -> int:
        return sum(r.met for r in self.results)

    @property
    def missed(self) -> list[ExpectationResult]:
        """Expectations not met that are not known gaps: what ``--strict`` fails on."""
        return [r for r in self.results if not r.met and not r.expectation.gap]


def _first_match(trace: SignalTrace, expectation: Expectation) -> int | None:
    return next(
        (
            i
            for i, v in enumerate(trace.versions)
            if v.status == "active" and v.evidence and expectation.matches(v)
        ),
        None,
    )


def check_stream(traces: dict[str, SignalTrace], expectations: list[Expectation]) -> StreamCheck:
    """Match the signals against the expectations. One meets an expectation when a version of
    it was raised (active) in the expected direction with evidence; the report keeps that
    version, the article on which it came, and the signal's last version (still active and
    matching, cleared, or turned). Of several signals that meet one expectation, the earliest
    raised is shown; none of them counts among the others."""
    raised = [t for _, t in sorted(traces.items()) if t.raised]
    results, matched = [], set()
    for expectation in expectations:
        hits = [(t, i) for t in raised if (i := _first_match(t, expectation)) is not None]
        matched.update(t.last.signal_id for t, _ in hits)
        if not hits:
            results.append(ExpectationResult(expectation))
            continue
        trace, index = min(hits, key=lambda hit: hit[0].versions[hit[1]].updated_at)
        results.append(
            ExpectationResult(
                expectation,
                trace.versions[index],
                trace.articles_at[index] if trace.articles_at else None,
                trace.last,
            )
        )
    others = sorted(
        (t.last for t in raised if t.last.signal_id not in matched),
        key=lambda s: (s.signal_type, s.pair, s.third_party or ""),
    )
    flapping = [(t.last, t.flaps) for t in raised if t.flaps]
    return StreamCheck(results, others, flapping)
