"""Turning dyadic events into alliance-shift signals, with evidence and fatigue control.

Pure functions over two kinds of keyed state, so the stream can partition them:

- per pair of countries (``PairState``): the cooperation-conflict index and ``dyad_shift``;
  plus ``realignment`` when a pair B-C warms while B is (or recently was) a partner of A and C
  is A's adversary, per the alignment table;
- per country (``PressureState``): regime-threatening pressure and ``ally_at_risk`` for every
  partner A of the country (a partnership that ended in the last ``LOST_ALLY_DAYS`` counts:
  the signal then says the ally was lost; for realignments a partnership that ended in the last
  ``RECENT_DAYS`` counts, since a new government's reorientation takes longer to show).

Confidence grows with the number of (weighted) events and the size of the departure, and is
scaled by ``1 - 0.5 ** independent_sources``: one outlet's story is half as sure as a story
that several independent outlets confirm.

Each signal has a stable id per (type, parties), and per third party for a realignment, and
evolves in place: its version goes up, and it is re-sent, only on material change (raised,
direction flipped, cleared, magnitude moved by ``MATERIAL_CHANGE`` or more, more independent
sources, or another main outside pressure on an ally at risk). Times are event
times, so replaying the same events gives the same signals, ids and versions included.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from newsmon.core.records import AllianceSignal, Evidence
from newsmon.signals.alignments import PRIOR_WEIGHTS, Alignment, AlignmentTable
from newsmon.signals.pair_index import (
    RECENT_WINDOW,
    EvidenceItem,
    PairState,
    escalation_on_first_news,
    fold_event,
    pair_key,
    replay_transition,
)
from newsmon.signals.pressure import (
    PressureState,
    fold_pressure,
    pressure_targets,
    replay_change,
    severity,
)
from newsmon.signals.simhash import count_independent

RECENT_DAYS = 730
LOST_ALLY_DAYS = 90
MATERIAL_CHANGE = 0.25


def signal_id(signal_type: str, a: str, b: str, third: str | None) -> str:
    return hashlib.sha256(f"{signal_type}|{a}|{b}|{third or ''}".encode()).hexdigest()[:16]


def evidence_item(event: dict) -> EvidenceItem:
    return EvidenceItem(
        event_id=event["event_id"],
        article_id=event["article_id"],
        url=event.get("url"),
        sentence=event["sentence"],
        score=float(event["score"]),
        confidence=float(event["confidence"]),
        event_time=float(event["event_time"]),
        fingerprint=int(event.get("article_fingerprint") or "0", 16),
        source=event.get("source", ""),
        severity=severity(event.get("size")),
    )


def _day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, tz=UTC).date()


@dataclass
class SentSignal:
    version: int
    direction: str
    magnitude: float
    sources: int
    status: str
    third: str | None = None


@dataclass
class SignalLedger:
    """What was last sent per signal id (kept inside the keyed state that raises it)."""

    sent: dict[str, SentSignal] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: vars(v) for k, v in self.sent.items()}

    @classmethod
    def from_dict(cls, data: dict) -> SignalLedger:
        return cls({k: SentSignal(**v) for k, v in data.items()})


def _material(
    previous: SentSignal | None,
    direction: str,
    magnitude: float,
    sources: int,
    status: str,
    third: str | None,
) -> bool:
    if previous is None:
        return status == "active"
    if previous.status != status or previous.direction != direction:
        return True
    if previous.third != third:  # another country is now the main outside pressure
        return True
    if sources > previous.sources:
        return True
    base = max(previous.magnitude, 1e-6)
    return abs(magnitude - previous.magnitude) / base >= MATERIAL_CHANGE


@dataclass(frozen=True)
class Draft:
    signal_type: str
    pair: tuple[str, str]
    third: str | None
    direction: str
    magnitude: float
    confidence: float
    status: str
    summary: str
    evidence: list[EvidenceItem]
    fingerprints: list[int]
    first_time: float
    last_time: float


def _identity_third(draft: Draft) -> str | None:
    """A realignment is about its third party (B warming to C, not to D); an ally at risk is
    about the ally, and the main outside pressure on it is an attribute that may change."""
    return draft.third if draft.signal_type == "realignment" else None


def _finalise(draft: Draft, ledger: SignalLedger) -> AllianceSignal | None:
    sid = signal_id(draft.signal_type, *draft.pair, _identity_third(draft))
    sources = count_independent(sorted(set(draft.fingerprints)))
    confidence = draft.confidence * (1 - 0.5**sources)
    previous = ledger.sent.get(sid)
    magnitude = round(draft.magnitude, 3)
    if not _material(previous, draft.direction, magnitude, sources, draft.status, draft.third):
        return None
    version = 1 if previous is None else previous.version + 1
    ledger.sent[sid] = SentSignal(
        version, draft.direction, magnitude, sources, draft.status, draft.third
    )
    return AllianceSignal(
        signal_id=sid,
        version=version,
        signal_type=draft.signal_type,  # type: ignore[arg-type]
        pair=draft.pair,
        third_party=draft.third,
        direction=draft.direction,  # type: ignore[arg-type]
        magnitude=magnitude,
        confidence=round(confidence, 3),
        independent_sources=sources,
        evidence=[
            Evidence(article_id=e.article_id, url=e.url, sentence=e.sentence, source=e.source)
            for e in draft.evidence
        ],
        raised_at=draft.first_time,
        updated_at=draft.last_time,
        status=draft.status,  # type: ignore[arg-type]
        summary=draft.summary,
    )


class AllianceDetector:
    def __init__(self, alignments: AlignmentTable) -> None:
        self.alignments = alignments

    def on_pair_event(
        self, state: PairState | None, ledger: SignalLedger, event: dict, a: str, b: str
    ) -> tuple[PairState, list[AllianceSignal]]:
        return self.on_pair_events(state, ledger, [event], a, b)

    def on_pair_events(
        self, state: PairState | None, ledger: SignalLedger, events: list[dict], a: str, b: str
    ) -> tuple[PairState, list[AllianceSignal]]:
        """Fold in one article's events on the pair, then decide on its signals once: an
        article is one piece of news, and judging it sentence by sentence would raise and clear
        a signal within it."""
        pair = pair_key(a, b)
        times = [float(e["event_time"]) for e in events]
        on = _day(max(times))
        state = state or PairState(pair=pair)
        if state.first_seen is None or min(times) < state.first_seen:
            # the baseline is what was normal before the pair's news began, so is its prior
            # (taken at the earliest event, whichever arrived first)
            state.prior, state.prior_known = self.prior(*pair, _day(min(times) - RECENT_WINDOW))
        before = state.direction
        for event in events:
            fold_event(state, evidence_item(event), event["quad_class"])
        transition = replay_transition(state, before)
        signals: list[AllianceSignal] = []
        if transition.kind != "none":
            status = "cleared" if transition.kind == "cleared" else "active"
            direction = transition.direction or _last_direction(ledger, pair)
            if direction:
                relation = self.alignments.relation(*pair, on)
                summary = (
                    f"{pair[0]}-{pair[1]} relations moving {direction.replace('_', ' ')}: index "
                    f"{state.current:+.1f} against a baseline of {state.baseline:+.1f} "
                    f"(z {transition.z:+.1f})"
                    + (f"; prior: {relation.relation}" if relation else "")
                    + (
                        f"; force reported by {state.reading.force_sources} independent "
                        "articles, with no recent normal of the pair's own"
                        if status == "active"
                        and escalation_on_first_news(state.reading, state.prior_known)
                        else ""
                    )
                )
                signal = _finalise(
                    Draft(
                        "dyad_shift",
                        pair,
                        None,
                        direction,
                        transition.magnitude,
                        _confidence(state.effective_events, abs(transition.z) / 2),
                        status,
                        summary,
                        state.evidence_toward(direction if status == "active" else None),
                        state.recent_fingerprints(),
                        state.first_seen or 0.0,
                        state.last_seen or 0.0,
                    ),
                    ledger,
                )
                if signal:
                    signals.append(signal)
        signals.extend(self._realignments(state, ledger, on))
        return state, signals

    def _realignments(
        self, state: PairState, ledger: SignalLedger, on: date
    ) -> list[AllianceSignal]:
        warming = state.direction == "toward_cooperation"
        out: list[AllianceSignal] = []
        for b, c in (state.pair, tuple(reversed(state.pair))):
            for a, link in self._partners_recent(b, on):
                if a == c:
                    continue
                rivalry = self.alignments.relation(a, c, on)
                if rivalry is None or not rivalry.is_adversary:
                    continue
                if link.end is not None and not self._changed_government(b, on):
                    continue
                own = self.alignments.relation(b, c, on)
                if own is not None and own.is_adversary and link.end is None:
                    continue  # rivals warming while B keeps A's side: B-C's own dyad_shift
                ended = f" (their partnership ended {link.end})" if link.end else ""
                summary = (
                    f"{b}, a partner of {a}{ended}, is warming to {a}'s adversary {c}: "
                    f"{b}-{c} index {state.current:+.1f} against a baseline of "
                    f"{state.baseline:+.1f}"
                )
                signal = _finalise(
                    Draft(
                        "realignment",
                        (a, b),
                        c,
                        "toward_conflict",
                        max(state.current - state.baseline, 0.0),
                        _confidence(state.effective_events, abs(state.z) / 2),
                        "active" if warming else "cleared",
                        summary,
                        state.evidence_toward("toward_cooperation" if warming else None),
                        state.recent_fingerprints(),
                        state.first_seen or 0.0,
                        state.last_seen or 0.0,
                    ),
                    ledger,
                )
                if signal:
                    out.append(signal)
        return out

    def _changed_government(self, country: str, on: date) -> bool:
        """Several of the country's partnerships ended on one day: its government changed
        (Syria on 8 December 2024, Venezuela on 3 January 2026), so a realignment through a
        lapsed partnership is the new government's, not the old partner's."""
        ended = self.alignments.ended_between(country, on - timedelta(days=RECENT_DAYS), on)
        days = [e.end for e in ended]
        return any(days.count(day) >= 2 for day in set(days))

    def prior(self, a: str, b: str, on: date) -> tuple[float, bool]:
        """The alignment prior; a pair whose alignment ended recently keeps that as its normal.

        So a partnership that just ended (Russia and Syria after Assad) is judged against the
        partnership it was, and an index that now sits near zero reads as weakening.
        """
        if self.alignments.relation(a, b, on) is not None:
            return self.alignments.prior_index(a, b, on), True
        ended = [
            e
            for e in self.alignments.ended_between(a, on - timedelta(days=RECENT_DAYS), on)
            if set(e.parties) == {a, b}
        ]
        if not ended:
            return 0.0, False
        latest = max(ended, key=lambda e: e.end or on)
        return PRIOR_WEIGHTS[latest.relation] * latest.strength, True

    def _partners_recent(
        self, country: str, on: date, days: int = RECENT_DAYS
    ) -> list[tuple[str, Alignment]]:
        partners = list(self.alignments.partners(country, on))
        for ended in self.alignments.ended_between(country, on - timedelta(days=days), on):
            other = ended.parties[1] if ended.parties[0] == country else ended.parties[0]
            if other not in {p for p, _ in partners}:
                partners.append((other, ended))
        return sorted(partners, key=lambda p: p[0])

    def on_pressure_event(
        self,
        state: PressureState | None,
        ledger: SignalLedger,
        event: dict,
        country: str,
        kind: str,
        outside_actor: str | None,
    ) -> tuple[PressureState, list[AllianceSignal]]:
        return self.on_pressure_events(state, ledger, [(event, kind, outside_actor)], country)

    def on_pressure_events(
        self,
        state: PressureState | None,
        ledger: SignalLedger,
        items: list[tuple[dict, str, str | None]],
        country: str,
    ) -> tuple[PressureState, list[AllianceSignal]]:
        """Fold in one article's (event, kind, outside actor) items on the country, then decide
        on its signals once."""
        state = state or PressureState(country=country)
        before = state.at_risk
        for event, kind, outside_actor in items:
            fold_pressure(state, evidence_item(event), kind, outside_actor)
        change = replay_change(state, before)
        if change == "none":
            return state, []
        on = _day(max(float(event["event_time"]) for event, _, _ in items))
        status = "cleared" if change == "cleared" else "active"
        signals = []
        third, evidence = state.main_outside_actor, state.evidence_now()
        for partner, link in self._partners_recent(country, on, LOST_ALLY_DAYS):
            if partner == third:  # a partner pressing B is their own dyad's shift, not a risk
                continue
            lost = f"; their partnership ended {link.end}" if link.end else ""
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(state.kinds.items()))
            summary = (
                f"{country}, a partner of {partner}, is under regime-threatening pressure "
                f"({kinds}" + (f"; main outside pressure: {third}" if third else "") + f"){lost}"
            )
            signal = _finalise(
                Draft(
                    "ally_at_risk",
                    (partner, country),
                    third,
                    "toward_conflict",
                    state.pressure,
                    _confidence(state.pressure, state.pressure / 2),
                    status,
                    summary,
                    evidence,
                    state.recent_fingerprints(),
                    min(e.event_time for e in evidence),
                    max(e.event_time for e in evidence),
                ),
                ledger,
            )
            if signal:
                signals.append(signal)
        return state, signals


def _last_direction(ledger: SignalLedger, pair: tuple[str, str]) -> str | None:
    sent = ledger.sent.get(signal_id("dyad_shift", *pair, None))
    return sent.direction if sent else None


def _confidence(weight: float, strength: float) -> float:
    """More weighted events and a stronger departure give more confidence, saturating at 1."""
    return (1 - math.exp(-weight / 3)) * min(1.0, max(strength, 0.0) / 4)


def fan_out(event: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str, str | None]]]:
    """The pairs (actor, recipient) and the pressure targets one event feeds."""
    pairs = sorted(
        {
            pair_key(a["code"], r["code"])
            for a in event["actors"]
            for r in event["recipients"]
            if a["code"] != r["code"]
        }
    )
    return pairs, pressure_targets(event)


def fan_out_article(
    events: list[dict],
) -> tuple[dict[tuple[str, str], list[dict]], dict[str, list[tuple[dict, str, str | None]]]]:
    """One article's events grouped by the pair they feed and by the country they press, so
    each pair and each country takes the article in one step (``on_pair_events``)."""
    by_pair: dict[tuple[str, str], list[dict]] = {}
    by_country: dict[str, list[tuple[dict, str, str | None]]] = {}
    for event in events:
        pairs, pressures = fan_out(event)
        for pair in pairs:
            by_pair.setdefault(pair, []).append(event)
        for country, kind, outside in pressures:
            by_country.setdefault(country, []).append((event, kind, outside))
    return by_pair, by_country
