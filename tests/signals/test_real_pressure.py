"""Real protest and crackdown snippets from ../shared/data, coded by the real coder, replayed as
one country's news: what ``ally_at_risk`` is for.

CASE 2021 snippets of protests, riots and force used against protesters are coded (event
type, actor sector, confidence: all the coder's) and their participants moved to Iran, the way
``test_real_sequences`` moves coded events to one pair. A wave of them must put Russia's ally
at risk within ``WAVE_EVENTS_ALLOWED`` events, with those sentences as evidence; the same
sentences spread over months, each decayed before the next (``PRESSURE_HALF_LIFE``), must
raise nothing.
"""

from datetime import UTC, datetime

import pytest
from newsmon.core.encoder import served_encoder
from newsmon.nlp import datasets
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.coder import ArticleInput, CoderHeads, EventCoder
from newsmon.signals.alignments import AlignmentTable
from newsmon.signals.detector import AllianceDetector, SignalLedger, fan_out_article
from newsmon.signals.pressure import PressureState
from newsmon.signals.simhash import simhash

UNREST_TYPES = ("PEACE_PROTEST", "PROTEST_WITH_INTER", "VIOL_DEMONSTR", "FORCE_AGAINST_PROTEST")
WAVE_EVENTS_ALLOWED = 6
START = datetime(2025, 3, 1, tzinfo=UTC).timestamp()
DAY = 86_400.0

try:
    SNIPPETS = [s for s in datasets.case2021_raw() if s.label in UNREST_TYPES]
except FileNotFoundError:
    SNIPPETS = []

pytestmark = pytest.mark.skipif(not SNIPPETS, reason="../shared/data is not available")


def _in_iran(participants: list) -> list[dict]:
    """The coder's participants, moved to Iran: each keeps its sector (protesters stay CVL,
    police stay COP), so unrest and repression are still told apart by the coder's reading."""
    moved = {(p.agent or ""): {"code": "IRN", "agent": p.agent} for p in participants}
    return list(moved.values())


@pytest.fixture(scope="module")
def coded_unrest() -> list[dict]:
    """One event per snippet (the coder's first), as ``events.dyadic`` records on Iran, in
    the data's order; snippets the coder reads no event in are left out."""
    coder = EventCoder(served_encoder(), CoderHeads.load(), ActorResolver.default())
    coded = coder([ArticleInput(f"case{i}", "", s.text) for i, s in enumerate(SNIPPETS[:40])])
    events = []
    for article in coded:
        if not article.events:
            continue
        first = article.events[0]
        events.append(
            {
                "event_id": first.event_id,
                "article_id": article.id,
                "url": None,
                "source": "case2021",
                "sentence": first.sentence,
                "actors": _in_iran(first.actors),
                "recipients": _in_iran(first.recipients),
                "event_type": first.event_type,
                "mode": first.mode,
                "quad_class": first.quad_class,
                "score": first.score,
                "confidence": first.confidence,
                "size": first.size,
                "article_fingerprint": f"{simhash(first.sentence):016x}",
            }
        )
    return events


def replay(events: list[dict], step_days: float) -> tuple[list, int]:
    """Each event as its own article, ``step_days`` apart, through the detector's pressure
    path: the ally-at-risk signals on Russia and Iran, each with the event count it came at,
    and how many of the events pressed Iran at all."""
    detector = AllianceDetector(AlignmentTable.load())
    state: PressureState | None = None
    ledger, raised, pressing = SignalLedger(), [], 0
    for n, event in enumerate(events, start=1):
        timed = dict(event, event_time=START + n * step_days * DAY)
        _, by_country = fan_out_article([timed])
        if "IRN" not in by_country:
            continue
        pressing += 1
        state, signals = detector.on_pressure_events(state, ledger, by_country["IRN"], "IRN")
        raised.extend((n, s) for s in signals if s.pair == ("RUS", "IRN"))
    return raised, pressing


def test_a_wave_of_real_unrest_puts_russias_ally_at_risk(coded_unrest: list[dict]) -> None:
    assert len(coded_unrest) >= 20, "the coder reads most of these snippets as events"
    raised, _ = replay(coded_unrest, step_days=0.5)
    assert raised, "a wave of protests and crackdowns must raise ally_at_risk"
    count, first = raised[0]
    assert count <= WAVE_EVENTS_ALLOWED, f"raised only after {count} events"
    assert first.signal_type == "ally_at_risk" and first.direction == "toward_conflict"
    sentences = {e["sentence"] for e in coded_unrest[:count]}
    assert {e.sentence for e in first.evidence} <= sentences
    print(f"ally_at_risk RUS-IRN after {count} real unrest events: {first.summary}")


def test_the_same_unrest_spread_over_months_raises_nothing(coded_unrest: list[dict]) -> None:
    raised, pressing = replay(coded_unrest[:12], step_days=45.0)
    assert pressing >= 8, "most of them press Iran, one at a time"
    assert raised == []
