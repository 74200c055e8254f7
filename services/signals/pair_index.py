"""A cooperation-conflict index per pair of countries, and when it departs from normal.

Each dyadic event brings its PLOVER score (-10 conflict .. +10 cooperation), weighted by its
confidence, on *event* time (a replay of old news lands where it happened, not when it came):

- the **current index** is the weighted mean of the pair's latest events: those of the last
  ``RECENT_WINDOW`` (14 days before its latest event), at most the last ``RECENT_KEPT``
  counted by whole articles (the latest article's all, when it alone has more; its effective
  number of events is still capped at ``RECENT_KEPT``), each decayed with a 7-day half-life;
- the **baseline** is what was normal before that: events that have left the window, by age
  or because ``RECENT_KEPT`` newer ones followed (a busy pair builds its own normal within
  days, so a short burst of news can still show a turn), feed a 90-day exponentially weighted
  mean, blended with the alignment table's prior for the pair (a partnership starts above
  zero, a rivalry below), worth ``PRIOR_WEIGHT`` events. The history's weight is decayed
  to the latest event, so a normal from long ago fades back toward the prior.

Change detection is a z-score: how many standard errors the current index lies from the
baseline, ``z = (current - baseline) / (sigma / sqrt(n_eff))``, where sigma is the spread of
single-event scores in the pair's own settled history (floored at ``MIN_SIGMA``: PLOVER scores
of unrelated event types routinely differ by that much) and ``n_eff`` the effective number of
recent events (Kish). A pair needs a history first: ``MIN_HISTORY`` weighted events that have
settled. Until then only a move against its alignment prior counts (allies turning hostile,
rivals warming), or an escalation to force that two independent articles report (events at
``FORCE_LEVEL`` or lower from two articles, with a significant move toward conflict, on a pair
whose normal is at most a rivalry's: strangers or rivals who start fighting); otherwise a
pair's first news is its baseline, not a shift. A signal
is raised at |z| >= ``RAISE_Z`` with at least ``MIN_EVENTS``
effective events and a move of at least ``MIN_MOVE`` points; it clears only when |z| falls under
``CLEAR_Z``. The gap between the two thresholds is the hysteresis that keeps it from flapping.

**Order does not matter.** News arrives out of order: partitions interleave, a slow article
lands after a faster later one. The pair keeps its last ``HISTORY_KEPT`` events sorted by
event time, and every new event *replays* that history through the detector from the start,
so the index, the baseline and the raised direction are what they would have been had the news
come in event-time order. Two runs over the same events, in any order, end in the same state.
The detector decides once per event time, not once per event: an article's sentences share
its time, and an article is judged whole (``with_step_ends``).
Older events than the kept history are folded into ``archived`` (a decayed sum, which does not
depend on order either). A replay costs ``HISTORY_KEPT`` small steps, about a millisecond.

**A report counts once.** A wire story carried by five outlets repeats its sentences word for
word; the index (and a country's pressure) takes each sentence once within ``COPY_WINDOW``,
at its first report (``first_reports``), and the pair's event counts are of reports. The
evidence shows each sentence once; a signal's independent sources are the articles behind
its move (``recent_fingerprints``), near-duplicates counted as one (SimHash).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from newsmon.signals.alignments import PRIOR_WEIGHTS
from newsmon.signals.simhash import count_independent

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
FORCE_LEVEL = -6.0  # PLOVER: SANCTION -6, COERCE -7, ASSAULT -9; an armed conflict's prior
RIVALRY_LEVEL = PRIOR_WEIGHTS["rivalry"]  # a full-strength rivalry's prior: below it, war
ESCALATION_SOURCES = 2  # one article's misreading is not enough; a second article confirms
EVIDENCE_KEPT = 5
RECENT_KEPT = 8
HISTORY_KEPT = 128
SEEN_KEPT = 500
REPORT_FIELD = 5  # where a pair's history item keeps its report key
COPY_WINDOW = 3 * DAY  # the same sentence within this of its first report is a copy


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
    severity: float = 1.0  # the harm its sentence states (``newsmon.signals.pressure.severity``)

    @property
    def strength(self) -> float:
        """How strongly the sentence shows the move: |score| x confidence x severity, so "forces
        killed more than 2,500 protesters" is shown before a protest with no figure."""
        return abs(self.score) * self.confidence * self.severity


@dataclass
class Ewma:
    """Exponentially weighted mean on event time: a decayed weighted sum and total weight.

    Adding events in any order gives the same sums: a late event counts with the decay it
    would have had by the latest time seen."""

    half_life: float
    total: float = 0.0
    weight: float = 0.0
    square: float = 0.0
    time: float | None = None

    def add(self, value: float, weight: float, at: float) -> None:
        if self.time is None or at >= self.time:
            factor = 1.0 if self.time is None else decay(at - self.time, self.half_life)
            self.total, self.weight, self.square = (
                self.total * factor,
                self.weight * factor,
                self.square * factor,
            )
            self.time = at
        else:  # an older event arriving late counts with the decay it would have had
            weight *= decay(self.time - at, self.half_life)
        self.total += weight * value
        self.square += weight * value * value
        self.weight += weight

    def weight_at(self, at: float) -> float:
        """The total weight as it will have decayed by ``at`` (its own time if later): a sum
        last added to long ago must not count as if it were news."""
        if self.time is None or at <= self.time:
            return self.weight
        return self.weight * decay(at - self.time, self.half_life)

    @property
    def mean(self) -> float:
        return self.total / self.weight if self.weight > 0 else 0.0

    @property
    def variance(self) -> float:
        if self.weight <= 0:
            return 0.0
        return max(0.0, self.square / self.weight - self.mean**2)


def decay(elapsed: float, half_life: float) -> float:
    return math.exp(-math.log(2) * max(0.0, elapsed) / half_life)


# One event in a pair's history: [event time, score, weight, event id, article fingerprint,
# report key]. The id breaks ties between the sentences of one article, which share its time,
# so the order is total. State written before the fingerprint was kept has four fields (no
# known source), before the report key five (every event its own report).
HistoryItem = list
_WORDS = re.compile(r"\w+")


def report_key(sentence: str) -> str:
    """The same report, whichever article carries it: the sentence's words, case and
    punctuation aside. A wire story syndicated by five outlets repeats its sentences
    verbatim; counted five times, one story would weigh as five (``first_reports``)."""
    words = " ".join(_WORDS.findall(sentence.lower()))
    return hashlib.sha256(words.encode()).hexdigest()[:16]


def first_reports(
    history: list[list],
    field_at: int,
    key: Callable[[str], str] = lambda k: k,
    archived: Sequence[str] = (),
) -> list[list]:
    """The history without repeated reports: of the items that share a report key (at
    ``field_at``, through ``key``) within ``COPY_WINDOW`` of the first, only the first in
    (event time, id) order, so arrival order changes nothing. The same words a week later
    ("protests continued on Friday") are new news. Items written without a key are each
    their own report; a copy of a report already archived (``archived``, "key@time") is
    not counted again."""
    first_at: dict[str, float] = {}
    for entry in archived:
        report, _, when = entry.rpartition("@")
        first_at[report] = max(first_at.get(report, float(when)), float(when))
    kept = []
    for item in history:
        report = key(item[field_at]) if len(item) > field_at else None
        if report is None:
            kept.append(item)
        elif report not in first_at or item[0] - first_at[report] > COPY_WINDOW:
            first_at[report] = item[0]
            kept.append(item)
    return kept


def _article(item: HistoryItem) -> int | None:
    """The fingerprint of the article an item came from; None where unknown (state kept
    before fingerprints)."""
    return item[4] if len(item) > 4 and item[4] else None


def first_time_seen(seen: list[str], report: str, at: float) -> bool:
    """Remember a report and when (the last ``SEEN_KEPT``, as "key@seconds"); True unless the
    same report was seen within ``COPY_WINDOW`` of ``at``. Counts are of reports whichever
    copy came first, and past the kept history too. (It runs for every event of every pair
    and country: entries of other reports are passed over on their prefix, unparsed.)"""
    prefix = f"{report}@"
    for entry in seen:
        if entry.startswith(prefix) and abs(float(entry[len(prefix) :]) - at) <= COPY_WINDOW:
            return False
    seen.append(f"{report}@{at:.0f}")
    del seen[:-SEEN_KEPT]
    return True


@dataclass
class IndexReading:
    """The index at one point of the replay: the recent events and the settled baseline."""

    prior: float
    recent: list[HistoryItem]
    settled: Ewma

    def _recent_weights(self) -> list[float]:
        if not self.recent:
            return []
        latest = self.recent[-1][0]
        return [item[2] * decay(latest - item[0], SHORT_HALF_LIFE) for item in self.recent]

    @property
    def settled_weight(self) -> float:
        """The settled history's weight as of the latest event: a pair's normal from long ago
        fades back toward its prior instead of counting as if it were last month's."""
        return self.settled.weight_at(self.recent[-1][0]) if self.recent else self.settled.weight

    @property
    def baseline(self) -> float:
        settled, weight = self.settled, self.settled_weight
        if weight <= 0:
            return self.prior
        return (settled.mean * weight + PRIOR_WEIGHT * self.prior) / (weight + PRIOR_WEIGHT)

    @property
    def current(self) -> float:
        weights = self._recent_weights()
        total = sum(weights)
        if total <= 0:
            return self.baseline
        return sum(w * item[1] for w, item in zip(weights, self.recent, strict=True)) / total

    @property
    def effective_events(self) -> float:
        """Kish's effective number of the recent events, at most ``RECENT_KEPT``: a long
        article kept whole is not more sure than a full window (its sentences are one
        story's, not independent)."""
        weights = self._recent_weights()
        squares = sum(w * w for w in weights)
        return min(sum(weights) ** 2 / squares, RECENT_KEPT) if squares > 0 else 0.0

    @property
    def force_sources(self) -> int:
        """Independent articles (near-duplicates are one) among the recent events at force
        level: the articles that report the force, not just any that name the pair."""
        known = {_article(item) for item in self.recent if item[1] <= FORCE_LEVEL} - {None}
        return count_independent(sorted(known))

    @property
    def sigma(self) -> float:
        return max(MIN_SIGMA, math.sqrt(self.settled.variance))

    @property
    def z(self) -> float:
        n = self.effective_events
        if n <= 0:
            return 0.0
        return (self.current - self.baseline) / (self.sigma / math.sqrt(n))

    def push(self, item: HistoryItem) -> None:
        """The next event in time order; events that leave the window (or overflow it) settle.

        Overflow settles whole event times (articles), oldest first, and never the latest:
        which of one article's sentences became baseline and which stayed recent would
        otherwise depend on their ids, which are hashes."""
        self.recent.append(item)
        while self.recent[0][0] < item[0] - RECENT_WINDOW:
            old = self.recent.pop(0)
            self.settled.add(old[1], old[2], old[0])
        while len(self.recent) > RECENT_KEPT and self.recent[0][0] < item[0]:
            oldest = self.recent[0][0]
            while self.recent[0][0] == oldest:
                old = self.recent.pop(0)
                self.settled.add(old[1], old[2], old[0])


def next_direction(reading: IndexReading, direction: str | None, prior_known: bool) -> str | None:
    """The raised direction after one more event, with hysteresis: None while quiet."""
    z = reading.z
    move = reading.current - reading.baseline
    toward = "toward_cooperation" if move > 0 else "toward_conflict"
    # Without its own history a pair's prior says which side it is on, not how far: news that
    # allies cooperate (or rivals quarrel) is not a shift until the pair has a normal of its own.
    strong = (
        (
            _own_history(reading)
            or _against_prior(reading, move, prior_known)
            or _corroborated_escalation(reading, move)
        )
        and abs(z) >= RAISE_Z
        and reading.effective_events >= MIN_EVENTS
        and abs(move) >= MIN_MOVE
    )
    if direction is None:
        return toward if strong else None
    if abs(z) < CLEAR_Z or (toward != direction and not strong):
        return None
    return toward if strong else direction


def escalation_on_first_news(reading: IndexReading, prior_known: bool) -> bool:
    """The raise rests on the escalation rule alone: no history of its own, and a move that
    runs with the prior, not against it (what the signal's summary says, so an analyst sees
    why a pair's first news counted)."""
    move = reading.current - reading.baseline
    return (
        not _own_history(reading)
        and not _against_prior(reading, move, prior_known)
        and _corroborated_escalation(reading, move)
    )


def _own_history(reading: IndexReading) -> bool:
    return reading.settled_weight >= MIN_HISTORY


def _against_prior(reading: IndexReading, move: float, prior_known: bool) -> bool:
    return prior_known and move * reading.prior < 0


def _corroborated_escalation(reading: IndexReading, move: float) -> bool:
    """Strangers or rivals whose first news is force (strikes, seizures, sanctions) have
    shifted, history or not; but one article's misreadings reach that level too (a 2021 story
    recalling a 2004 bombing, a UN report on a civil war read as the UN fighting Sudan), so
    the force must be reported by ``ESCALATION_SOURCES`` articles that are not near-duplicates
    of each other. The index itself need not reach force level: coverage of fighting mixes
    the strikes with the accusations, threats and calls for restraint around them, and those
    held it above -6 for a pair whose every other article reported strikes. So the index
    need only be within ``MIN_MOVE`` of force level (two force reports amid talks are not an
    escalation), and the move significant, as for any raise."""
    return (
        move < 0
        and reading.current <= FORCE_LEVEL + MIN_MOVE
        and reading.prior >= RIVALRY_LEVEL
        and reading.force_sources >= ESCALATION_SOURCES
    )


@dataclass
class PairState:
    pair: tuple[str, str]
    prior: float = 0.0
    prior_known: bool = False
    history: list[HistoryItem] = field(default_factory=list)  # sorted, at most HISTORY_KEPT
    archived: Ewma = field(default_factory=lambda: Ewma(LONG_HALF_LIFE))
    events: int = 0
    quads: dict[str, int] = field(default_factory=dict)
    first_seen: float | None = None
    last_seen: float | None = None
    evidence: list[EvidenceItem] = field(default_factory=list)  # strongest ever, one per side
    latest: list[EvidenceItem] = field(default_factory=list)  # of the latest events
    fingerprints: list[int] = field(default_factory=list)
    direction: str | None = None  # the raised signal's direction, None when quiet
    seen_events: list[str] = field(default_factory=list)
    seen_reports: list[str] = field(default_factory=list)
    archived_reports: list[str] = field(default_factory=list)  # reports in ``archived``

    def replay(self) -> IndexReading:
        """Run the kept history through the detector in event-time order; sets ``direction``."""
        reading = IndexReading(self.prior, [], replace(self.archived))
        direction = None
        reports = first_reports(self.history, REPORT_FIELD, archived=self.archived_reports)
        for item, step_ends in with_step_ends(reports):
            reading.push(item)
            if step_ends:
                direction = next_direction(reading, direction, self.prior_known)
        self.direction = direction
        self._reading = reading
        return reading

    @property
    def reading(self) -> IndexReading:
        """The index after the whole history (computed once per change, not per look)."""
        cached = getattr(self, "_reading", None)
        return cached if cached is not None else self.replay()

    @property
    def current(self) -> float:
        return self.reading.current

    @property
    def baseline(self) -> float:
        return self.reading.baseline

    @property
    def z(self) -> float:
        return self.reading.z

    @property
    def effective_events(self) -> float:
        return self.reading.effective_events

    def recent_fingerprints(self) -> list[int]:
        """The articles behind the index now (the recent window's), whose independent count a
        signal reports: every article the pair ever had would count a story of years ago as a
        source of today's move. State kept before fingerprints has none: all of the pair's."""
        found = [f for f in map(_article, self.reading.recent) if f is not None]
        return found or self.fingerprints

    def evidence_toward(self, direction: str | None) -> list[EvidenceItem]:
        """The sentences that moved the index: the recent window's events on the side of the
        move (below the baseline for conflict, above it for cooperation), strongest first;
        the strongest of that side ever when the window holds none."""
        reading = self.reading
        recent_ids = {item[3] for item in reading.recent}

        def on_side(e: EvidenceItem) -> bool:
            if direction == "toward_conflict":
                return e.score < reading.baseline
            if direction == "toward_cooperation":
                return e.score > reading.baseline
            return True

        recent = [e for e in self.latest if e.event_id in recent_ids and on_side(e)]
        chosen = strongest(recent) or strongest([e for e in self.evidence if on_side(e)])
        return chosen or self.evidence

    def as_dict(self) -> dict:
        """What ``dataclasses.asdict`` gives, built directly: it runs on every pair message,
        and asdict's generic deep copy took 4% of the worker's event loop."""
        return {
            "pair": self.pair,
            "prior": self.prior,
            "prior_known": self.prior_known,
            "history": [list(item) for item in self.history],
            "archived": vars(self.archived).copy(),
            "events": self.events,
            "quads": dict(self.quads),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "evidence": [vars(e).copy() for e in self.evidence],
            "latest": [vars(e).copy() for e in self.latest],
            "fingerprints": list(self.fingerprints),
            "direction": self.direction,
            "seen_events": list(self.seen_events),
            "seen_reports": list(self.seen_reports),
            "archived_reports": list(self.archived_reports),
        }

    @classmethod
    def from_dict(cls, data: dict) -> PairState:
        return cls(
            pair=tuple(data["pair"]),  # type: ignore[arg-type]
            prior=data["prior"],
            prior_known=data["prior_known"],
            history=[list(item) for item in data["history"]],
            archived=Ewma(**data["archived"]),
            events=data["events"],
            quads=dict(data["quads"]),
            first_seen=data["first_seen"],
            last_seen=data["last_seen"],
            evidence=[EvidenceItem(**e) for e in data["evidence"]],
            latest=[EvidenceItem(**e) for e in data["latest"]],
            fingerprints=list(data["fingerprints"]),
            direction=data["direction"],
            seen_events=list(data["seen_events"]),
            seen_reports=list(data.get("seen_reports", [])),  # absent before
            archived_reports=list(data.get("archived_reports", [])),
        )


@dataclass(frozen=True)
class Transition:
    """What one event did to the pair's signal: raised, updated, cleared, or nothing."""

    kind: str  # "raised" | "updated" | "cleared" | "none"
    direction: str | None
    magnitude: float
    z: float


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def transition(before: str | None, after: str | None) -> str:
    """How a raised direction changed: the same for pairs and for pressure."""
    if after is None:
        return "none" if before is None else "cleared"
    return "updated" if before == after else "raised"


def add_event(state: PairState, evidence: EvidenceItem, quad: str) -> Transition:
    """Fold one event into the pair's state and replay it; idempotent per event id, whatever
    the order."""
    before = state.direction
    if not fold_event(state, evidence, quad):
        return Transition("none", state.direction, 0.0, state.z)
    return replay_transition(state, before)


def fold_event(state: PairState, evidence: EvidenceItem, quad: str) -> bool:
    """Add one event to the pair's history without replaying it (``replay_transition`` does,
    once for a whole article); False for an event already seen."""
    if evidence.event_id in state.seen_events:
        return False
    state.seen_events.append(evidence.event_id)
    del state.seen_events[:-SEEN_KEPT]
    report = report_key(evidence.sentence)
    item = [
        evidence.event_time,
        evidence.score,
        max(evidence.confidence, 0.05),
        evidence.event_id,
        evidence.fingerprint,
        report,
    ]
    if first_time_seen(state.seen_reports, report, evidence.event_time):  # counts of reports
        state.events += 1
        state.quads[quad] = state.quads.get(quad, 0) + 1

    def archive(old: list) -> None:  # a copy of a report already archived adds nothing
        report = old[REPORT_FIELD] if len(old) > REPORT_FIELD else None
        if report is None or first_time_seen(state.archived_reports, report, old[0]):
            state.archived.add(old[1], old[2], old[0])

    insert_sorted(state.history, item, archive)
    at = evidence.event_time
    state.first_seen = at if state.first_seen is None else min(state.first_seen, at)
    state.last_seen = at if state.last_seen is None else max(state.last_seen, at)
    if evidence.fingerprint not in state.fingerprints:
        state.fingerprints.append(evidence.fingerprint)
        del state.fingerprints[:-200]
    state.evidence = strongest_by_side(state.evidence, evidence)
    state.latest = latest_evidence(state.latest, evidence, 2 * RECENT_KEPT)
    return True


def replay_transition(state: PairState, before: str | None) -> Transition:
    """Replay the history and say how the raised direction changed since ``before``."""
    reading = state.replay()
    move = reading.current - reading.baseline
    return Transition(transition(before, state.direction), state.direction, abs(move), reading.z)


def with_step_ends(history: list[list]) -> list[tuple[list, bool]]:
    """Each history item, and whether it is the last of its event time. The detector judges a
    time step whole: an article's sentences share its time, and judged one by one, in the
    order of their ids (hashes), its mixed sentences could raise a signal halfway through the
    article that the whole article does not support, or not, depending on the hashes. Articles
    published at the same second (a feed that gives dates only) are one step too."""
    return [
        (item, i + 1 == len(history) or history[i + 1][0] != item[0])
        for i, item in enumerate(history)
    ]


def insert_sorted(history: list[list], item: list, archive: Callable[[list], None]) -> None:
    """Keep ``history`` sorted by (event time, id) and at most ``HISTORY_KEPT`` long; what
    falls off its old end goes to ``archive`` (pairs and pressure keep their history so)."""
    history.append(item)
    history.sort(key=lambda i: (i[0], i[3]))
    while len(history) > HISTORY_KEPT:
        archive(history.pop(0))


def strongest(items: list[EvidenceItem]) -> list[EvidenceItem]:
    """The ``EVIDENCE_KEPT`` strongest items (``EvidenceItem.strength``), one per sentence."""
    by_sentence: dict[str, EvidenceItem] = {}
    for item in sorted(items, key=lambda e: (-e.strength, e.event_id)):
        by_sentence.setdefault(" ".join(item.sentence.lower().split()), item)
    return list(by_sentence.values())[:EVIDENCE_KEPT]


def strongest_evidence(kept: list[EvidenceItem], new: EvidenceItem) -> list[EvidenceItem]:
    """The strongest ``EVIDENCE_KEPT`` items, one per sentence (a sentence coded twice, or
    syndicated verbatim, is one piece of evidence)."""
    return strongest([*kept, new])


def strongest_by_side(kept: list[EvidenceItem], new: EvidenceItem) -> list[EvidenceItem]:
    """The strongest items on each side (cooperation, conflict), so a turn either way has its
    own evidence to show even when the window has moved on."""
    items = [*kept, new]
    sides = strongest([e for e in items if e.score > 0]) + strongest(
        [e for e in items if e.score <= 0]
    )
    return sorted(sides, key=lambda e: (-e.strength, e.event_id))


def latest_evidence(kept: list[EvidenceItem], new: EvidenceItem, size: int) -> list[EvidenceItem]:
    """The items of the latest ``size`` events by event time (ties by id), whatever the order
    they came in."""
    items = {e.event_id: e for e in [*kept, new]}
    return sorted(items.values(), key=lambda e: (e.event_time, e.event_id))[-size:]
