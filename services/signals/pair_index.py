"""A cooperation-conflict index per pair of countries, and when it departs from normal.

Each dyadic event contributes its PLOVER score (-10 conflict .. +10 cooperation), weighted by
its confidence, to two exponentially weighted averages on *event* time (so a replay of old
news lands where it happened, not when it arrived):

- ``short``: half-life 7 days, "what the news says about this pair now";
- ``long``: half-life 90 days, the pair's own normal, blended with the alignment table's prior
  (a partnership starts the baseline above zero, a rivalry below) worth ``PRIOR_WEIGHT`` events.

Change detection is a z-score of the short index against that baseline, with the spread
estimated from the pair's own events (exponentially weighted variance of scores around the
long average, floored at ``MIN_SIGMA`` so three events cannot look like a crisis). A signal is
raised when |z| >= ``RAISE_Z``, the short index has the weight of at least ``MIN_WEIGHT`` events
and moved at least ``MIN_MOVE`` points; it clears only when |z| falls under ``CLEAR_Z``. The
gap between the two thresholds is the hysteresis that stops a signal from flapping.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

DAY = 86_400.0
SHORT_HALF_LIFE = 7 * DAY
LONG_HALF_LIFE = 90 * DAY
PRIOR_WEIGHT = 3.0
MIN_SIGMA = 2.0
RAISE_Z = 2.0
CLEAR_Z = 1.0
MIN_WEIGHT = 2.0
MIN_MOVE = 2.0
EVIDENCE_KEPT = 5


@dataclass
class EvidenceItem:
    event_id: str
    article_id: str
    url: str | None
    sentence: str
    score: float
    confidence: float
    event_time: float
    fingerprint: int
    source: str

    @property
    def strength(self) -> float:
        return abs(self.score) * self.confidence


@dataclass
class Ewma:
    """Exponentially weighted mean on event time: a decayed weighted sum and total weight."""

    half_life: float
    total: float = 0.0
    weight: float = 0.0
    square: float = 0.0
    time: float | None = None

    def add(self, value: float, weight: float, at: float) -> None:
        if self.time is None or at >= self.time:
            decay = 1.0 if self.time is None else _decay(at - self.time, self.half_life)
            self.total, self.weight, self.square = (
                self.total * decay,
                self.weight * decay,
                self.square * decay,
            )
            self.time = at
        else:  # an older event arriving late counts with the decay it would have had
            weight *= _decay(self.time - at, self.half_life)
        self.total += weight * value
        self.square += weight * value * value
        self.weight += weight

    @property
    def mean(self) -> float:
        return self.total / self.weight if self.weight > 0 else 0.0

    @property
    def variance(self) -> float:
        if self.weight <= 0:
            return 0.0
        return max(0.0, self.square / self.weight - self.mean**2)


def _decay(elapsed: float, half_life: float) -> float:
    return math.exp(-math.log(2) * max(0.0, elapsed) / half_life)


@dataclass
class PairState:
    pair: tuple[str, str]
    prior: float = 0.0
    short: Ewma = field(default_factory=lambda: Ewma(SHORT_HALF_LIFE))
    long: Ewma = field(default_factory=lambda: Ewma(LONG_HALF_LIFE))
    events: int = 0
    quads: dict[str, int] = field(default_factory=dict)
    first_seen: float | None = None
    last_seen: float | None = None
    evidence: list[EvidenceItem] = field(default_factory=list)
    fingerprints: list[int] = field(default_factory=list)
    direction: str | None = None  # the raised signal's direction, None when quiet
    seen_events: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> float:
        return (self.long.total + PRIOR_WEIGHT * self.prior) / (self.long.weight + PRIOR_WEIGHT)

    @property
    def sigma(self) -> float:
        return max(MIN_SIGMA, math.sqrt(self.long.variance))

    @property
    def z(self) -> float:
        return (self.short.mean - self.baseline) / self.sigma if self.short.weight > 0 else 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PairState:
        return cls(
            pair=tuple(data["pair"]),  # type: ignore[arg-type]
            prior=data["prior"],
            short=Ewma(**data["short"]),
            long=Ewma(**data["long"]),
            events=data["events"],
            quads=dict(data["quads"]),
            first_seen=data["first_seen"],
            last_seen=data["last_seen"],
            evidence=[EvidenceItem(**e) for e in data["evidence"]],
            fingerprints=list(data["fingerprints"]),
            direction=data["direction"],
            seen_events=list(data["seen_events"]),
        )


@dataclass(frozen=True)
class Transition:
    """What one event did to the pair's signal: raised, updated, cleared, or nothing."""

    kind: str  # "raised" | "updated" | "cleared" | "none"
    direction: str | None
    magnitude: float
    z: float


SEEN_KEPT = 500


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def add_event(state: PairState, evidence: EvidenceItem, quad: str) -> Transition:
    """Fold one event into the pair's state; idempotent per event id."""
    if evidence.event_id in state.seen_events:
        return Transition("none", state.direction, 0.0, state.z)
    state.seen_events.append(evidence.event_id)
    del state.seen_events[:-SEEN_KEPT]
    weight = max(evidence.confidence, 0.05)
    state.short.add(evidence.score, weight, evidence.event_time)
    state.long.add(evidence.score, weight, evidence.event_time)
    state.events += 1
    state.quads[quad] = state.quads.get(quad, 0) + 1
    state.first_seen = min(filter(None, [state.first_seen, evidence.event_time]))
    state.last_seen = max(filter(None, [state.last_seen, evidence.event_time]))
    if evidence.fingerprint not in state.fingerprints:
        state.fingerprints.append(evidence.fingerprint)
        del state.fingerprints[:-200]
    state.evidence = sorted([*state.evidence, evidence], key=lambda e: (-e.strength, e.event_id))[
        :EVIDENCE_KEPT
    ]
    return _detect(state)


def _detect(state: PairState) -> Transition:
    z = state.z
    move = state.short.mean - state.baseline
    direction = "toward_cooperation" if move > 0 else "toward_conflict"
    strong = abs(z) >= RAISE_Z and state.short.weight >= MIN_WEIGHT and abs(move) >= MIN_MOVE
    if state.direction is None:
        if strong:
            state.direction = direction
            return Transition("raised", direction, abs(move), z)
        return Transition("none", None, abs(move), z)
    if abs(z) < CLEAR_Z:
        state.direction = None
        return Transition("cleared", None, abs(move), z)
    if strong and direction != state.direction:
        state.direction = direction
        return Transition("raised", direction, abs(move), z)
    return Transition("updated", state.direction, abs(move), z)
