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

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from newsmon.core.records import AllianceSignal
from newsmon.signals.detector import AllianceDetector, SignalLedger, fan_out_article
from newsmon.signals.pair_index import PairState
from newsmon.signals.pressure import PressureState

SIGNAL_TYPES = ("dyad_shift", "ally_at_risk", "realignment")
DIRECTIONS = ("toward_conflict", "toward_cooperation")


@dataclass(frozen=True)
class Expectation:
    """What a reader expects: a signal type on a pair (in either order), in a direction.

    ``gap`` marks an expectation the project knows it does not meet yet (the end-to-end
    test keeps those as expected failures): it is reported, not hidden."""

    signal_type: str
    pair: tuple[str, str]
    direction: str
    reader: str
    gap: bool = False

    def matches(self, signal: AllianceSignal) -> bool:
        return (
            signal.signal_type == self.signal_type
            and set(signal.pair) == set(self.pair)
            and signal.direction == self.direction
        )


def load_expectations(path: Path) -> list[Expectation]:
    """The expectations file: a YAML list of {type, pair, direction, reader, gap}; a wrong
    entry is named by its position."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of expectations")
    found = []
    for index, entry in enumerate(entries):
        where = f"{path}: entry {index}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping")
        unknown = set(entry) - {"type", "pair", "direction", "reader", "gap"}
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
        found.append(
            Expectation(
                entry["type"],
                (pair[0], pair[1]),
                entry["direction"],
                str(entry.get("reader", "")),
                bool(entry.get("gap", False)),
            )
        )
    return found


@dataclass
class SignalTrace:
    """Every version of one signal as the stream sent it, and the last."""

    versions: list[AllianceSignal] = field(default_factory=list)

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
    traces: dict[str, SignalTrace] = {}
    for events in articles:
        by_pair, by_country = fan_out_article(events)
        sent: list[AllianceSignal] = []
        for pair, pair_events in sorted(by_pair.items()):
            state, ledger = pairs.get(pair, (None, SignalLedger()))
            state, signals = detector.on_pair_events(state, ledger, pair_events, *pair)
            pairs[pair] = (state, ledger)
            sent.extend(signals)
        for country, items in sorted(by_country.items()):
            pressure, ledger = countries.get(country, (None, SignalLedger()))
            pressure, signals = detector.on_pressure_events(pressure, ledger, items, country)
            countries[country] = (pressure, ledger)
            sent.extend(signals)
        for signal in sent:
            traces.setdefault(signal.signal_id, SignalTrace()).versions.append(signal)
    return traces


@dataclass(frozen=True)
class ExpectationResult:
    expectation: Expectation
    signal: AllianceSignal | None  # the matching signal's last version, if it was ever raised

    @property
    def met(self) -> bool:
        return self.signal is not None and bool(self.signal.evidence)


@dataclass(frozen=True)
class StreamCheck:
    results: list[ExpectationResult]
    others: list[AllianceSignal]  # raised at some point, expected by nobody
    flapping: list[tuple[AllianceSignal, int]]

    @property
    def met(self) -> int:
        return sum(r.met for r in self.results)

    @property
    def missed(self) -> list[ExpectationResult]:
        """Expectations not met that are not known gaps: what ``--strict`` fails on."""
        return [r for r in self.results if not r.met and not r.expectation.gap]


def check_stream(traces: dict[str, SignalTrace], expectations: list[Expectation]) -> StreamCheck:
    """Match the raised signals against the expectations. A signal meets one when it was
    raised at some point with evidence, in the expected direction; its last version says
    whether it is still active."""
    raised = [t for _, t in sorted(traces.items()) if t.raised]
    results = []
    for expectation in expectations:
        found = [t.last for t in raised if any(expectation.matches(v) for v in t.versions)]
        results.append(ExpectationResult(expectation, found[0] if found else None))
    matched = {r.signal.signal_id for r in results if r.signal is not None}
    others = sorted(
        (t.last for t in raised if t.last.signal_id not in matched),
        key=lambda s: (s.signal_type, s.pair, s.third_party or ""),
    )
    flapping = [(t.last, t.flaps) for t in raised if t.flaps]
    return StreamCheck(results, others, flapping)
