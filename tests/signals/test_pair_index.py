"""The pair index and its change detection, on tables of events."""

from dataclasses import replace

import pytest
from newsmon.signals.pair_index import (
    DAY,
    RECENT_WINDOW,
    EvidenceItem,
    Ewma,
    PairState,
    add_event,
    fold_event,
    replay_transition,
)


def evidence(n: int, score: float, day: float, confidence: float = 0.5) -> EvidenceItem:
    return EvidenceItem(
        event_id=f"e{n}",
        article_id=f"a{n}",
        url=None,
        sentence=f"sentence {n}",
        score=score,
        confidence=confidence,
        event_time=day * DAY,
        fingerprint=n,
        source="s",
    )


def feed(state: PairState, scores: list[tuple[float, float]], start: int = 0) -> list[str]:
    kinds = []
    for i, (score, day) in enumerate(scores, start=start):
        quad = "material_conflict" if score < 0 else "verbal_cooperation"
        kinds.append(add_event(state, evidence(i, score, day), quad).kind)
    return kinds


def test_ewma_decays_on_event_time_and_counts_late_events_decayed() -> None:
    ewma = Ewma(half_life=DAY)
    ewma.add(10.0, 1.0, 0.0)
    ewma.add(0.0, 1.0, DAY)  # the first now weighs one half
    assert ewma.mean == pytest.approx(10 * 0.5 / 1.5)
    ewma.add(0.0, 1.0, 0.0)  # a late event, as old as the first
    assert ewma.weight == pytest.approx(2.0)


def test_a_steady_relationship_raises_nothing() -> None:
    state = PairState(pair=("FRA", "DEU"))
    scores = [(3.0 + (i % 3) - 1, i * 2.0) for i in range(40)]
    assert set(feed(state, scores)) == {"none"}


def test_cooperation_then_conflict_raises_within_four_events_toward_conflict() -> None:
    state = PairState(pair=("FRA", "DEU"))
    feed(state, [(3.0, i * 2.0) for i in range(20)])
    kinds = feed(state, [(-7.0, 40.0 + i) for i in range(10)], start=20)
    first = kinds.index("raised")
    assert first < 4, kinds
    assert state.direction == "toward_conflict"
    assert kinds[first + 1 :].count("raised") == 0, "no flapping while the conflict lasts"


def test_a_new_pair_without_history_or_prior_raises_nothing() -> None:
    state = PairState(pair=("MUS", "CHN"))
    assert set(feed(state, [(8.0, 1.0 + i * 0.1) for i in range(6)])) == {"none"}


def test_a_prior_counts_as_history_and_sets_the_baseline() -> None:
    state = PairState(pair=("RUS", "SYR"), prior=2.85, prior_known=True)
    kinds = feed(state, [(-6.0, 1.0 + i) for i in range(4)])
    assert "raised" in kinds and state.direction == "toward_conflict"


def test_hysteresis_clears_only_when_back_to_normal() -> None:
    state = PairState(pair=("FRA", "DEU"))
    feed(state, [(3.0, i * 2.0) for i in range(20)])
    feed(state, [(-7.0, 40.0 + i) for i in range(5)], start=20)
    assert state.direction == "toward_conflict"
    back = feed(state, [(3.0, 45.0 + RECENT_WINDOW / DAY + i) for i in range(6)], start=30)
    assert "cleared" in back and state.direction is None
    assert back.count("raised") == 0


def test_an_event_counts_once_and_the_state_round_trips() -> None:
    state = PairState(pair=("FRA", "DEU"), prior=1.0, prior_known=True)
    feed(state, [(3.0, 1.0), (-2.0, 2.0)])
    assert add_event(state, evidence(0, 3.0, 1.0), "verbal_cooperation").kind == "none"
    assert state.events == 2
    restored = PairState.from_dict(state.as_dict())
    assert restored == state
    assert restored.current == state.current and restored.z == state.z


def test_evidence_keeps_the_strongest_sentence_once() -> None:
    state = PairState(pair=("FRA", "DEU"))
    add_event(state, evidence(1, -9.0, 1.0, 0.9), "material_conflict")
    duplicate = EvidenceItem(**{**evidence(2, -9.0, 1.0, 0.8).__dict__, "sentence": "Sentence  1"})
    add_event(state, duplicate, "material_conflict")
    add_event(state, evidence(3, 1.0, 1.0, 0.2), "verbal_cooperation")
    assert [e.event_id for e in state.evidence] == ["e1", "e3"]


def test_a_burst_of_news_builds_its_own_normal_and_shows_the_turn() -> None:
    """A rivalry's week of accusations, then strikes: no settled history by age, yet the pair's
    first events become its normal and the escalation is raised."""
    state = PairState(pair=("IND", "PAK"), prior=-2.1, prior_known=True)
    assert set(feed(state, [(-3.0, i * 0.5) for i in range(12)])) == {"none"}
    kinds = feed(state, [(-9.0, 6.0 + i * 0.1) for i in range(6)], start=12)
    assert "raised" in kinds and state.direction == "toward_conflict"


def from_articles(state: PairState, fingerprints: list[int], score: float = -9.0) -> list[str]:
    """Force-level events on consecutive half-days, each from the article of its fingerprint."""
    return [
        add_event(
            state, replace(evidence(i, score, i * 0.5), fingerprint=f), "material_conflict"
        ).kind
        for i, f in enumerate(fingerprints)
    ]


TWO_ARTICLES = [0x0F0F_0F0F_0F0F_0F0F, 0xF0F0_F0F0_F0F0_F0F0]  # 64 bits apart: not near-duplicates


def test_strangers_first_news_of_force_from_two_articles_is_a_shift() -> None:
    """No prior and no history, yet strikes that two independent articles report are a turn."""
    state = PairState(pair=("CHL", "NOR"))
    kinds = from_articles(state, [TWO_ARTICLES[0], TWO_ARTICLES[1], TWO_ARTICLES[0]])
    assert "raised" in kinds and state.direction == "toward_conflict"


def test_force_that_one_article_alone_reports_stays_the_baseline() -> None:
    """One article's misreading reaches force level too: without a second article the pair's
    first news is still its baseline."""
    state = PairState(pair=("CHL", "NOR"))
    assert set(from_articles(state, [TWO_ARTICLES[0]] * 4)) == {"none"}


def test_force_between_parties_at_war_is_their_normal() -> None:
    state = PairState(pair=("RUS", "UKR"), prior=-5.4, prior_known=True)
    assert set(from_articles(state, [TWO_ARTICLES[0], TWO_ARTICLES[1]] * 2)) == {"none"}


def test_sanctions_between_rivals_from_two_articles_are_an_escalation() -> None:
    """A rivalry's normal is verbal hostility (-2.4 here); a burst at the sanctions level (-6)
    from two articles is a move beyond it."""
    state = PairState(pair=("IND", "PAK"), prior=-2.4, prior_known=True)
    kinds = from_articles(state, [TWO_ARTICLES[0], TWO_ARTICLES[1], TWO_ARTICLES[0]], score=-6.0)
    assert "raised" in kinds and state.direction == "toward_conflict"


def test_a_second_article_must_report_force_not_just_name_the_pair() -> None:
    """Four strikes from one article and a handshake from another average below -6 and come
    from two articles, but only one of them reports force: still the baseline."""
    state = PairState(pair=("CHL", "NOR"))
    kinds = from_articles(state, [TWO_ARTICLES[0]] * 4)
    cooperative = replace(evidence(9, 3.0, 2.0), fingerprint=TWO_ARTICLES[1])
    kinds.append(add_event(state, cooperative, "verbal_cooperation").kind)
    assert state.reading.current <= -6.0 and set(kinds) == {"none"}


def test_history_written_before_fingerprints_were_kept_still_replays() -> None:
    """Changelog state from before the fifth field: its items count as no known article."""
    state = PairState(pair=("CHL", "NOR"))
    from_articles(state, TWO_ARTICLES)
    state.history = [item[:4] for item in state.history]
    state._reading = None
    assert state.replay().force_sources == 0 and state.direction is None


def test_the_same_events_in_any_order_end_in_the_same_state() -> None:
    """Partitions interleave and slow articles land late: the pair replays its history in
    event-time order, so the arrival order changes nothing."""
    import random

    scores = [(3.0, i * 2.0) for i in range(20)] + [(-7.0, 40.0 + i) for i in range(6)]
    in_order = PairState(pair=("FRA", "DEU"), prior=1.0, prior_known=True)
    feed(in_order, scores)
    assert in_order.direction == "toward_conflict"
    for seed in range(5):
        shuffled = list(enumerate(scores))
        random.Random(seed).shuffle(shuffled)
        state = PairState(pair=("FRA", "DEU"), prior=1.0, prior_known=True)
        for i, (score, day) in shuffled:
            add_event(state, evidence(i, score, day), "verbal_cooperation")
        assert state.direction == in_order.direction
        assert state.current == pytest.approx(in_order.current)
        assert state.baseline == pytest.approx(in_order.baseline)
        assert state.evidence_toward("toward_conflict") == in_order.evidence_toward(
            "toward_conflict"
        )


# The Iran-Russia sentences of the seed article (score, confidence), a partnership's prior:
# "a vital partner", "helped Russia develop" drones, and "ties have limits", "biggest fear"
SEED_IRAN_RUSSIA = [(-3.5, 0.18), (-2.0, 0.31), (-3.5, 0.43), (-5.0, 0.21), (5.0, 0.58)]
SEED_IRAN_RUSSIA += [(-3.5, 0.14), (10.0, 0.30), (-3.5, 0.37)]


def one_article(scores: list[tuple[float, float]], ids: list[int]) -> PairState:
    """A partnership's pair given one article's events at once, as the detector folds them."""
    state = PairState(pair=("IRN", "RUS"), prior=2.25, prior_known=True)
    for i, (score, confidence) in zip(ids, scores, strict=True):
        item = replace(evidence(i, score, 30.0, confidence), article_id="a", fingerprint=7)
        fold_event(state, item, "verbal_conflict")
    replay_transition(state, None)
    return state


@pytest.mark.parametrize("seed", range(8))
def test_an_article_is_judged_whole_whatever_the_ids_of_its_sentences(seed: int) -> None:
    """An article's sentences share its time and replay in id order (hashes): judged one by
    one, the first five of them raised a conflict signal the whole mixed article does not
    support, and whether they came first depended on the hashes."""
    import random

    ids = list(range(len(SEED_IRAN_RUSSIA)))
    random.Random(seed).shuffle(ids)
    assert one_article(SEED_IRAN_RUSSIA, ids).direction is None
    conflict_only = [(s, c) for s, c in SEED_IRAN_RUSSIA if s < 0]
    shifted = one_article(conflict_only, ids[: len(conflict_only)])
    assert shifted.direction == "toward_conflict"


@pytest.mark.parametrize("later", [0, 1, 5], ids=["last", "then-one", "then-five"])
def test_a_long_article_is_never_split_between_baseline_and_recent(later: int) -> None:
    """An article with more events on the pair than the recent window keeps stays recent
    whole while it is the latest, and settles whole when later news overflows the window:
    which of its sentences settled into the baseline depended on their ids (hashes)."""
    import random

    long_article = [(-7.0, 0.5)] * 6 + [(3.0, 0.5)] * 6
    readings = set()
    for seed in range(8):
        ids = list(range(100, 100 + len(long_article)))
        random.Random(seed).shuffle(ids)
        state = PairState(pair=("FRA", "DEU"))
        feed(state, [(3.0, i * 2.0) for i in range(20)])
        for i, (score, confidence) in zip(ids, long_article, strict=True):
            fold_event(state, evidence(i, score, 60.0, confidence), "material_conflict")
        for i in range(later):
            fold_event(state, evidence(200 + i, -7.0, 61.0), "material_conflict")
        replay_transition(state, None)
        readings.add((round(state.current, 9), round(state.baseline, 9), state.direction))
    assert len(readings) == 1, readings
    if later == 0:
        assert next(iter(readings))[0] == pytest.approx(-2.0)
        assert state.effective_events == pytest.approx(8.0), "capped: one story, not twelve"
    else:  # the long article settled whole: only the later news is recent
        assert next(iter(readings))[0] == pytest.approx(-7.0)


def test_a_normal_from_long_ago_fades_back_toward_the_prior() -> None:
    """The baseline's history is a 90-day weighted mean blended with the prior, and its
    weight decays to the latest event: two years of silence later, old quarrels no longer
    outweigh the alignment the table gives (until 2026-12-03 they did, in full), nor count
    as the pair's own history."""
    state = PairState(pair=("FRA", "DEU"), prior=3.0, prior_known=True)
    feed(state, [(-5.0, i * 2.0) for i in range(20)])
    assert state.reading.baseline < -1.5 and state.reading.settled_weight >= 3
    feed(state, [(3.0, 800.0)], start=20)
    assert state.reading.baseline == pytest.approx(3.0, abs=0.1)
    assert state.reading.settled_weight < 0.1


def test_a_turn_is_shown_with_the_sentences_on_its_side() -> None:
    """A move toward conflict is evidenced by the conflictual sentences that made it, not by
    the strongest sentences of the pair's past, whichever side they were on."""
    state = PairState(pair=("FRA", "DEU"))
    feed(state, [(8.0, i * 2.0) for i in range(20)])  # strong cooperation, long ago
    feed(state, [(-7.0, 40.0 + i) for i in range(5)], start=20)
    assert state.direction == "toward_conflict"
    shown = state.evidence_toward("toward_conflict")
    assert shown and all(e.score < state.baseline for e in shown)
    assert {e.event_id for e in shown} <= {f"e{i}" for i in range(20, 25)}


def test_two_coercions_amid_a_war_of_words_are_not_an_escalation_on_first_news() -> None:
    """Strangers' first news: two articles with a coercive act each, six of accusations. The
    move is significant (z about -3.8), but the index, -4, is a quarrel's, not force's: the
    escalation rule wants it within 1.5 of force level (-6)."""
    state = PairState(pair=("CHL", "NOR"))
    scores = [-7.0, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0, -7.0]
    fingerprints = [0x0F0F_0F0F_0F0F_0F0F] * 4 + [0xF0F0_F0F0_F0F0_F0F0] * 4
    for i, (score, fingerprint) in enumerate(zip(scores, fingerprints, strict=True)):
        item = replace(evidence(i, score, 1.0 + i * 0.1), fingerprint=fingerprint)
        add_event(state, item, "material_conflict")
    assert state.reading.force_sources == 2 and state.z < -2
    assert state.current == pytest.approx(-4.0, abs=0.2)
    assert state.direction is None


def test_a_copy_of_a_report_already_archived_adds_nothing() -> None:
    """The kept history holds 128 events; past it, events are archived. A copy arriving
    within three days of a report that has been archived counted twice: in the archive,
    and as the first report left in the history."""

    def busy_pair(with_copy: bool) -> PairState:
        state = PairState(pair=("IRN", "USA"))
        story = replace(evidence(0, -9.0, 10.0), sentence="Strikes hit the port.")
        add_event(state, story, "material_conflict")
        for n in range(1, 131):
            add_event(state, evidence(n, -3.0, 10.0 + 0.001 * n), "verbal_conflict")
        if with_copy:
            copy = replace(story, event_id="copy", fingerprint=99, event_time=10.5 * DAY)
            add_event(state, copy, "material_conflict")
        return state

    once, twice = busy_pair(False), busy_pair(True)
    assert twice.events == once.events == 131
    assert twice.current == pytest.approx(once.current)
    assert twice.baseline == pytest.approx(once.baseline)
