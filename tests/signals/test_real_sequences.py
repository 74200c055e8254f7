"""Real sentences from ../shared/data, coded by the real coder, replayed as one pair's news.

ConfliBERT sentences labelled cooperation, then ones labelled material conflict, are coded
(their event types and scores come from the coder, not from the labels) and attributed to one
pair with a known alignment. The index must turn and the signal fire within
``CONFLICT_EVENTS_ALLOWED`` conflict events; the cooperative stretch alone raises nothing.
Material-conflict sentences as the first news of strangers (no alignment) or of rivals raise a
shift when each comes from its own article, and nothing when one article reports them all.
"""

from datetime import UTC, datetime

import pytest
from newsmon.core.encoder import served_encoder
from newsmon.nlp import datasets
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.coder import ArticleInput, CoderHeads, EventCoder
from newsmon.signals.alignments import AlignmentTable
from newsmon.signals.detector import AllianceDetector, SignalLedger
from newsmon.signals.simhash import simhash

CONFLICT_EVENTS_ALLOWED = 5
START = datetime(2025, 3, 1, tzinfo=UTC).timestamp()
DAY = 86_400.0

try:
    QUAD = datasets.quad_examples(sources=("conflibert_cameo",))
except FileNotFoundError:
    QUAD = []

pytestmark = pytest.mark.skipif(not QUAD, reason="../shared/data is not available")


@pytest.fixture(scope="module")
def coded_scores() -> dict[str, list[tuple[str, float, float, str]]]:
    """(sentence, score, confidence, quad) of coded events, by gold label group."""
    coder = EventCoder(served_encoder(), CoderHeads.load(), ActorResolver.default())
    groups = {
        "cooperation": [e.text for e in QUAD if "cooperation" in e.label][:60],
        "conflict": [e.text for e in QUAD if e.label == "material_conflict"][:30],
        "verbal_conflict": [e.text for e in QUAD if e.label == "verbal_conflict"][:10],
    }
    out = {}
    for name, texts in groups.items():
        coded = coder([ArticleInput(str(i), "", t) for i, t in enumerate(texts)])
        out[name] = [
            (ev.sentence, ev.score, ev.confidence, ev.quad_class)
            for article in coded
            for ev in article.events[:1]
        ]
    return out


def as_events(
    items: list[tuple[str, float, float, str]], first: int, day0: float, step_days: float
) -> list[dict]:
    return [
        {
            "event_id": f"real{first + i}",
            "article_id": f"art{first + i}",
            "url": None,
            "source": "conflibert",
            "sentence": sentence,
            "score": score,
            "confidence": confidence,
            "quad_class": quad,
            "event_time": START + (day0 + i * step_days) * DAY,
            "article_fingerprint": f"{simhash(sentence):016x}",
            "actors": [{"code": "FRA", "agent": "GOV"}],
            "recipients": [{"code": "DEU", "agent": "GOV"}],
        }
        for i, (sentence, score, confidence, quad) in enumerate(items)
    ]


def replay(events: list[dict], pair: tuple[str, str] = ("DEU", "FRA")) -> list:
    detector = AllianceDetector(AlignmentTable.load())
    state, ledger, signals = None, SignalLedger(), []
    for event in events:
        state, new = detector.on_pair_event(state, ledger, event, *pair)
        signals.extend(s for s in new if s.signal_type == "dyad_shift")
    return signals


def test_cooperation_then_conflict_turns_the_index_and_fires(coded_scores: dict) -> None:
    cooperation = as_events(coded_scores["cooperation"][:30], 0, 0.0, 2.0)
    conflict = as_events(coded_scores["conflict"][:CONFLICT_EVENTS_ALLOWED], 100, 62.0, 0.5)
    assert len(conflict) == CONFLICT_EVENTS_ALLOWED
    signals = replay(cooperation + conflict)
    assert signals, "the conflict stretch must raise a dyad_shift"
    raised = signals[0]
    assert raised.direction == "toward_conflict" and raised.pair == ("DEU", "FRA")
    conflict_sentences = {e["sentence"] for e in conflict}
    assert {e.sentence for e in raised.evidence} & conflict_sentences
    print(f"signal after {len(conflict)} or fewer conflict events: {raised.summary}")


def test_the_cooperative_stretch_alone_raises_nothing(coded_scores: dict) -> None:
    cooperation = as_events(coded_scores["cooperation"], 0, 0.0, 2.0)
    assert len(cooperation) >= 30
    assert replay(cooperation) == []


FIRST_NEWS_PAIRS = [("CHL", "NOR"), ("IND", "PAK")]  # strangers; a rivalry in March 2025


@pytest.mark.parametrize("pair", FIRST_NEWS_PAIRS)
def test_a_first_burst_of_force_from_several_articles_fires(
    coded_scores: dict, pair: tuple[str, str]
) -> None:
    conflict = as_events(coded_scores["conflict"][:CONFLICT_EVENTS_ALLOWED], 0, 0.0, 0.5)
    signals = replay(conflict, pair)
    assert signals, "force reported by several articles is a shift, history or not"
    assert signals[0].direction == "toward_conflict" and signals[0].pair == pair
    assert signals[0].independent_sources >= 2
    assert "with no recent normal of the pair's own" in signals[0].summary
    print(f"{pair}: {signals[0].summary}")


@pytest.mark.parametrize("pair", FIRST_NEWS_PAIRS)
def test_a_first_burst_of_force_from_one_article_stays_the_baseline(
    coded_scores: dict, pair: tuple[str, str]
) -> None:
    conflict = as_events(coded_scores["conflict"][:CONFLICT_EVENTS_ALLOWED], 0, 0.0, 0.5)
    article = conflict[0]["article_fingerprint"]
    one_article = [{**e, "article_fingerprint": article} for e in conflict]
    assert replay(one_article, pair) == []


@pytest.mark.parametrize("pair", FIRST_NEWS_PAIRS)
def test_force_amid_the_words_around_it_is_a_shift_on_first_news(
    coded_scores: dict, pair: tuple[str, str]
) -> None:
    """Coverage of fighting mixes strikes with accusations and threats. Verbal-conflict and
    material-conflict sentences alternating, each its own article, verbal first: the index
    stays above -6 (about -5), and before 2026-12-03 neither the rivals nor the strangers
    raised a shift within these eight events."""
    words, force = coded_scores["verbal_conflict"][:4], coded_scores["conflict"][:4]
    mixed = as_events([x for pair_ in zip(words, force, strict=True) for x in pair_], 0, 0.0, 0.25)
    signals = replay(mixed, pair)
    assert signals, "four articles reporting force, amid four of words, are a shift"
    assert signals[0].direction == "toward_conflict"
    assert "with no recent normal of the pair's own" in signals[0].summary
    article = mixed[0]["article_fingerprint"]
    assert replay([{**e, "article_fingerprint": article} for e in mixed], pair) == []
