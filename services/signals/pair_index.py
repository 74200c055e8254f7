"""A cooperation-conflict index per pair of countries, and when it departs from normal.

Each dyadic event brings its PLOVER score (-10 conflict .. +10 cooperation), weighted by its
confidence, on *event* time (a replay of old news lands where it happened, not when it came):

- the **current index** is the weighted mean of the pair's latest events: those of the last
  ``RECENT_WINDOW`` (14 days before its latest event), at most the last ``RECENT_KEPT``, each
  decayed with a 7-day half-life;
- the **baseline** is what was normal before that: events that have left the window, by age
  or because ``RECENT_KEPT`` newer ones followed (a busy pair builds its own normal within
  days, so a short burst of news can still show a turn), feed a 90-day exponentially weighted
  mean, blended with the alignment table's prior for the pair (a partnership starts above
  zero, a rivalry below), worth ``PRIOR_WEIGHT`` events.

Change detection is a z-score: how many standard errors the current index lies from the
baseline, ``z = (current - baseline) / (sigma / sqrt(n_eff))``, where sigma is the spread of
single-event scores in the pair's own settled history (floored at ``MIN_SIGMA``: PLOVER scores
of unrelated event types routinely differ by that much) and ``n_eff`` the effective number of
recent events (Kish). A pair needs a history first: ``MIN_HISTORY`` weighted events that have
settled. Until then only a move against its alignment prior counts (allies turning hostile,
rivals warming): a pair's first news is its baseline, not a shift. A signal
is raised at |z| >= ``RAISE_Z`` with at least ``MIN_EVENTS``
effective events and a move of at least ``MIN_MOVE`` points; it clears only when |z| falls under
``CLEAR_Z``. The gap between the two thresholds is the hysteresis that keeps it from flapping.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

DAY = 86_400.0
RECENT_WINDOW = 14 * DAY
SHORT_HALF_LIFE = 7 * DAY
LONG_HALF_LIFE = 90 * DAY
PRIOR_WEIGHT = 3.0
MIN_SIGMA = 3.0
RAISE_Z = 2.0
CLEAR_Z = 1.0
MIN_EVENTS = 2.0
MIN_HISTORY = 3.0
MIN_MOVE = 1.5
EVIDENCE_KEPT = 5
RECENT_KEPT = 8


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
    prior_known: bool = False
    recent: list[list[float]] = field(default_factory=list)  # [time, score, weight]
    settled: Ewma = field(default_factory=lambda: Ewma(LONG_HALF_LIFE))
    events: int = 0
    quads: dict[str, int] = field(default_factory=dict)
    first_seen: float | None = None
    last_seen: float | None = None
    evidence: list[EvidenceItem] = field(default_factory=list)
    fingerprints: list[int] = field(default_factory=list)
    direction: str | None = None  # the raised signal's direction, None when quiet
    seen_events: list[str] = field(default_factory=list)

    def _recent_weights(self) -> list[float]:
        if not self.recent:
            return []
        latest = max(t for t, _, _ in self.recent)
        return [w * _decay(latest - t, SHORT_HALF_LIFE) for t, _, w in self.recent]

    @property
    def current(self) -> float:
        weights = self._recent_weights()
        total = sum(weights)
        if total <= 0:
            return self.baseline
        return sum(w * score for w, (_, score, _) in zip(weights, self.recent, strict=True)) / total

    @property
    def effective_events(self) -> float:
        weights = self._recent_weights()
        squares = sum(w * w for w in weights)
        return sum(weights) ** 2 / squares if squares > 0 else 0.0

    @property
    def baseline(self) -> float:
        settled = self.settled
        return (settled.total + PRIOR_WEIGHT * self.prior) / (settled.weight + PRIOR_WEIGHT)

    @property
    def sigma(self) -> float:
        return max(MIN_SIGMA, math.sqrt(self.settled.variance))

    @property
    def z(self) -> float:
        n = self.effective_events
        if n <= 0:
            return 0.0
        return (self.current - self.baseline) / (self.sigma / math.sqrt(n))

    def _settle(self) -> None:
        """Move events that left the recent window (or overflow it) into the baseline."""
        if not self.recent:
            return
        latest = max(t for t, _, _ in self.recent)
        keep = []
        for item in sorted(self.recent):
            if item[0] < latest - RECENT_WINDOW:
                self.settled.add(item[1], item[2], item[0])
            else:
                keep.append(item)
        for item in keep[:-RECENT_KEPT]:
            self.settled.add(item[1], item[2], item[0])
        self.recent = keep[-RECENT_KEPT:]

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PairState:
        return cls(
            pair=tuple(data["pair"]),  # type: ignore[arg-type]
            prior=data["prior"],
            prior_known=data["prior_known"],
            recent=[list(item) for item in data["recent"]],
            settled=Ewma(**data["settled"]),
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
    state.recent.append([evidence.event_time, evidence.score, weight])
    state._settle()
    state.events += 1
    state.quads[quad] = state.quads.get(quad, 0) + 1
    at = evidence.event_time
    state.first_seen = at if state.first_seen is None else min(state.first_seen, at)
    state.last_seen = at if state.last_seen is None else max(state.last_seen, at)
    if evidence.fingerprint not in state.fingerprints:
        state.fingerprints.append(evidence.fingerprint)
        del state.fingerprints[:-200]
    state.evidence = strongest_evidence(state.evidence, evidence)
    return _detect(state)


def strongest_evidence(kept: list[EvidenceItem], new: EvidenceItem) -> list[EvidenceItem]:
    """The strongest ``EVIDENCE_KEPT`` items, one per sentence (a sentence coded twice, or
    syndicated verbatim, is one piece of evidence)."""
    by_sentence: dict[str, EvidenceItem] = {}
    for item in sorted([*kept, new], key=lambda e: (-e.strength, e.event_id)):
        by_sentence.setdefault(" ".join(item.sentence.lower().split()), item)
    return list(by_sentence.values())[:EVIDENCE_KEPT]


def _detect(state: PairState) -> Transition:
    z = state.z
    move = state.current - state.baseline
    direction = "toward_cooperation" if move > 0 else "toward_conflict"
    own_history = state.settled.weight >= MIN_HISTORY
    # Without its own history a pair's prior says which side it is on, not how far: news that
    # allies cooperate (or rivals quarrel) is not a shift until the pair has a normal of its own.
    against_prior = state.prior_known and move * state.prior < 0
    strong = (
        (own_history or against_prior)
        and abs(z) >= RAISE_Z
        and state.effective_events >= MIN_EVENTS
        and abs(move) >= MIN_MOVE
    )
    if state.direction is None:
        if strong:
            state.direction = direction
            return Transition("raised", direction, abs(move), z)
        return Transition("none", None, abs(move), z)
    if abs(z) < CLEAR_Z or (direction != state.direction and not strong):
        state.direction = None
        return Transition("cleared", None, abs(move), z)
    if strong and direction != state.direction:
        state.direction = direction
        return Transition("raised", direction, abs(move), z)
    return Transition("updated", state.direction, abs(move), z)
