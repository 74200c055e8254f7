"""The alliance detector on hand-written events, against the project's alignment table."""

import copy
import dataclasses
import hashlib
from datetime import UTC, datetime

import pytest
from newsmon.signals.alignments import AlignmentTable
from newsmon.signals.detector import (
    AllianceDetector,
    SignalLedger,
    fan_out,
    fan_out_article,
    signal_id,
)
from newsmon.signals.pair_index import PairState
from newsmon.signals.pressure import PressureState, pressure_targets, severity

JAN_2026 = datetime(2026, 1, 10, tzinfo=UTC).timestamp()
DAY = 86_400.0


def event(
    n: int,
    actor: tuple[str, str | None],
    recipients: list[str],
    kind: str,
    quad: str,
    score: float,
    day: float = 0.0,
    confidence: float = 0.6,
    fingerprint: str = "",
    mode: str | None = None,
) -> dict:
    return {
        "event_id": f"e{n}",
        "article_id": f"a{n}",
        "url": f"https://example.org/{n}",
        "source": "wire",
        "sentence": f"sentence {n} about {actor[0]}",
        "actors": [{"code": actor[0], "agent": actor[1]}],
        "recipients": [{"code": r, "agent": None} for r in recipients],
        "event_type": kind,
        "mode": mode,
        "quad_class": quad,
        "score": score,
        "confidence": confidence,
        "event_time": JAN_2026 + day * DAY,
        "article_fingerprint": fingerprint or hashlib.sha256(str(n).encode()).hexdigest()[:16],
    }


@pytest.fixture(scope="module")
def detector() -> AllianceDetector:
    return AllianceDetector(AlignmentTable.load())


def run_pressure(detector: AllianceDetector, events: list[dict]) -> list:
    states: dict[str, PressureState] = {}
    ledgers: dict[str, SignalLedger] = {}
    out = []
    for e in events:
        for country, kind, outside in pressure_targets(e):
            ledger = ledgers.setdefault(country, SignalLedger())
            states[country], signals = detector.on_pressure_event(
                states.get(country), ledger, e, country, kind, outside
            )
            out.extend(signals)
    return out


def run_pairs(detector: AllianceDetector, events: list[dict]) -> list:
    states: dict[tuple[str, str], PairState] = {}
    ledgers: dict[tuple[str, str], SignalLedger] = {}
    out = []
    for e in events:
        pairs, _ = fan_out(e)
        for a, b in pairs:
            ledger = ledgers.setdefault((a, b), SignalLedger())
            states[(a, b)], signals = detector.on_pair_event(states.get((a, b)), ledger, e, a, b)
            out.extend(signals)
    return out


IRAN_UNDER_PRESSURE = [
    event(1, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, 0.0),
    event(2, ("IRN", "GOV"), [], "ASSAULT", "material_conflict", -9.0, 0.5),
    event(3, ("USA", "GOV"), ["IRN"], "THREATEN", "verbal_conflict", -3.5, 1.0, mode="violence"),
    event(4, ("IRN", "OPP"), ["IRN"], "PROTEST", "material_conflict", -5.0, 1.5),
    event(5, ("IRN", None), [], "PROTEST", "material_conflict", -5.0, 2.0),
]


def test_pressure_on_iran_puts_russias_ally_at_risk_with_evidence(
    detector: AllianceDetector,
) -> None:
    signals = run_pressure(detector, IRAN_UNDER_PRESSURE)
    at_risk = [s for s in signals if s.signal_type == "ally_at_risk" and s.pair == ("RUS", "IRN")]
    assert at_risk, [s.summary for s in signals]
    latest = at_risk[-1]
    assert latest.third_party == "USA" and latest.direction == "toward_conflict"
    assert latest.evidence and all(e.url and e.sentence for e in latest.evidence)
    assert latest.independent_sources == 5
    assert [s.version for s in at_risk] == list(range(1, len(at_risk) + 1))


def test_states_serialise_as_dataclasses_asdict_would_and_round_trip(
    detector: AllianceDetector,
) -> None:
    """The table's values: written by hand for speed, they must stay what asdict gives."""
    pressure: PressureState | None = None
    for e in IRAN_UNDER_PRESSURE:
        for country, kind, outside in pressure_targets(e):
            if country == "IRN":
                pressure, _ = detector.on_pressure_event(
                    pressure, SignalLedger(), e, country, kind, outside
                )
    pair: PairState | None = None
    for e in IRAN_UNDER_PRESSURE:
        if ("IRN", "USA") in fan_out(e)[0]:
            pair, _ = detector.on_pair_event(pair, SignalLedger(), e, "IRN", "USA")
    assert pressure is not None and pressure.history and pressure.evidence
    assert pair is not None and pair.history and pair.evidence
    for state in (pressure, pair):
        assert state.as_dict() == dataclasses.asdict(state)
        assert type(state).from_dict(state.as_dict()) == state


def test_syndicated_copies_are_one_source(detector: AllianceDetector) -> None:
    copies = [dict(e, article_fingerprint="00000000000000ff") for e in IRAN_UNDER_PRESSURE]
    [*_, latest] = [s for s in run_pressure(detector, copies) if s.pair == ("RUS", "IRN")]
    assert latest.independent_sources == 1


def test_the_us_capture_of_maduro_loses_russia_its_venezuelan_ally(
    detector: AllianceDetector,
) -> None:
    events = [
        event(10, ("USA", "MIL"), ["VEN"], "ASSAULT", "material_conflict", -9.0, -5.0),
        event(11, ("USA", "MIL"), ["VEN"], "COERCE", "material_conflict", -7.0, -4.0),
        event(
            12, ("USA", "GOV"), ["VEN"], "THREATEN", "verbal_conflict", -3.5, -3.0, mode="violence"
        ),
        event(13, ("USA", "MIL"), ["VEN"], "ASSAULT", "material_conflict", -9.0, -2.0),
    ]
    signals = run_pressure(detector, events)
    lost = [s for s in signals if s.pair == ("RUS", "VEN")]
    assert lost and "partnership ended 2026-01-03" in lost[-1].summary
    assert lost[-1].third_party == "USA"


def test_russia_syria_after_assad_is_judged_against_the_old_partnership(
    detector: AllianceDetector,
) -> None:
    prior, known = detector.prior("RUS", "SYR", datetime(2026, 1, 10).date())
    assert known and prior > 2
    events = [
        event(20 + i, ("SYR", "GOV"), ["RUS"], kind, "verbal_conflict", score, float(i))
        for i, (kind, score) in enumerate([("REJECT", -4.0), ("ACCUSE", -3.0), ("REJECT", -4.0)])
    ]
    shifts = [s for s in run_pairs(detector, events) if s.signal_type == "dyad_shift"]
    assert shifts and shifts[-1].pair == ("RUS", "SYR")
    assert shifts[-1].direction == "toward_conflict" and "prior" not in shifts[-1].summary


@pytest.mark.parametrize(
    ("country", "kind", "lost_partner"),
    [
        # Venezuela, a partner of Russia and Cuba until Maduro's capture, warming to the US
        ("VEN", "AGREE", ("RUS", "VEN")),
        # the seed's reader: post-Assad Syria "has engaged with Putin's enemies"; when the news
        # names one, that is the realignment (the table's Syria-US rivalry, weakened since May
        # 2025, is what the warming runs against)
        ("SYR", "CONSULT", ("RUS", "SYR")),
    ],
)
def test_a_partner_warming_to_an_adversary_is_a_realignment(
    detector: AllianceDetector, country: str, kind: str, lost_partner: tuple[str, str]
) -> None:
    events = [
        event(30 + i, (country, "GOV"), ["USA"], kind, "verbal_cooperation", 4.0, float(i))
        for i in range(4)
    ]
    realign = [s for s in run_pairs(detector, events) if s.signal_type == "realignment"]
    assert any(s.pair == lost_partner and s.third_party == "USA" for s in realign), [
        s.summary for s in realign
    ]


def test_signals_are_identical_when_the_same_events_are_replayed(
    detector: AllianceDetector,
) -> None:
    first = run_pressure(detector, IRAN_UNDER_PRESSURE)
    second = run_pressure(detector, IRAN_UNDER_PRESSURE)
    assert first == second
    russia = next(s for s in first if s.pair == ("RUS", "IRN"))
    assert russia.signal_id == signal_id("ally_at_risk", "RUS", "IRN", None)


def test_fatigue_control_resends_only_on_material_change(detector: AllianceDetector) -> None:
    state, ledger, sent = None, SignalLedger(), []
    for e in IRAN_UNDER_PRESSURE:
        for country, kind, outside in pressure_targets(e):
            if country != "IRN":
                continue
            state, signals = detector.on_pressure_event(state, ledger, e, country, kind, outside)
            sent.extend(s for s in signals if s.pair == ("RUS", "IRN"))
    repeat = dict(IRAN_UNDER_PRESSURE[-1], event_id="e99", confidence=0.01)
    again = []
    for country, kind, outside in pressure_targets(repeat):
        state, signals = detector.on_pressure_event(state, ledger, repeat, country, kind, outside)
        again.extend(s for s in signals if s.pair == ("RUS", "IRN"))
    assert sent and again == [], "a tiny, already-known update is not re-sent"


def with_recipient_agent(e: dict, agent: str) -> dict:
    return dict(e, recipients=[dict(r, agent=agent) for r in e["recipients"]])


def test_a_rights_group_protesting_a_state_is_unrest_there_not_a_regime_of_its_own() -> None:
    """ "The Human Rights Activists News Agency estimates government forces have so far killed
    more than 2,500 protesters", as the coder reads it: HRANA protesting against Iran."""
    e = event(50, ("HRANA", None), ["IRN"], "PROTEST", "material_conflict", -5.0)
    assert pressure_targets(e) == [("IRN", "unrest", None)]


def test_government_forces_killing_protesters_is_repression_of_a_challenge() -> None:
    e = event(51, ("IRN", "MIL"), ["IRN"], "ASSAULT", "material_conflict", -9.0)
    assert pressure_targets(with_recipient_agent(e, "CVL")) == [
        ("IRN", "repression", None),
        ("IRN", "unrest", None),
    ]
    assert pressure_targets(e) == [("IRN", "repression", None)], "nobody challenging it"


def test_another_state_protesting_or_striking_is_not_unrest() -> None:
    protest = event(52, ("CHN", "GOV"), ["JPN"], "PROTEST", "verbal_conflict", -2.0)
    assert pressure_targets(protest) == []
    strike = with_recipient_agent(
        event(53, ("USA", "MIL"), ["IRN"], "ASSAULT", "material_conflict", -9.0), "CVL"
    )
    assert pressure_targets(strike) == [("IRN", "outside", "USA")]


def test_another_countrys_militants_are_not_its_state_intervening() -> None:
    """'Militants launched a brazen assault on a joint Kenya-U.S. military base', the militants
    resolved to Kenya: an attack on US forces, not Kenya pressing the US regime."""
    attack = event(54, ("KEN", "REB"), ["USA"], "ASSAULT", "material_conflict", -9.0)
    targets = pressure_targets(with_recipient_agent(attack, "MIL"))
    assert [t for t in targets if t[0] == "USA"] == []
    assert targets == [("KEN", "unrest", None)], "rebels fighting: unrest where they are from"
    named = event(55, ("KEN", None), ["USA"], "ASSAULT", "material_conflict", -9.0)
    assert pressure_targets(named) == [("USA", "outside", "KEN")], "the country itself: a state"


def test_fan_out_routes_pairs_and_pressure() -> None:
    e = event(40, ("USA", "MIL"), ["VEN", "CUB"], "ASSAULT", "material_conflict", -9.0)
    pairs, pressures = fan_out(e)
    assert pairs == [("CUB", "USA"), ("USA", "VEN")]
    assert pressures == [("CUB", "outside", "USA"), ("VEN", "outside", "USA")]


def test_a_pair_is_judged_against_the_relation_it_had_before_the_recent_window(
    detector: AllianceDetector,
) -> None:
    """The table records the January 2026 US-Venezuela conflict, but the normal that the news
    of it departs from is the rivalry before it."""
    state, _ = detector.on_pair_event(
        None,
        SignalLedger(),
        event(1, ("USA", "MIL"), ["VEN"], "COERCE", "material_conflict", -7.0, day=5.0),
        "USA",
        "VEN",
    )
    before, _ = detector.prior("USA", "VEN", datetime(2026, 1, 1, tzinfo=UTC).date())
    assert state.prior == before < 0
    assert state.prior > detector.prior("USA", "VEN", datetime(2026, 1, 15).date())[0]


def test_a_partner_that_is_itself_the_pressure_is_not_told_its_ally_is_at_risk(
    detector: AllianceDetector,
) -> None:
    threats = [
        event(
            n,
            ("RUS", "GOV"),
            ["IRN"],
            "THREATEN",
            "verbal_conflict",
            -3.5,
            n * 0.2,
            mode="violence",
        )
        for n in range(5)
    ]
    signals = run_pressure(detector, threats)
    assert all(s.third_party != s.pair[0] for s in signals), [
        (s.pair, s.third_party) for s in signals
    ]
    assert not any(s.pair == ("RUS", "IRN") for s in signals)


def test_repression_with_nobody_pressing_is_not_a_regime_at_risk(
    detector: AllianceDetector,
) -> None:
    """A state that censors or arrests with no unrest and no outside threat is not at risk;
    the same repression answering protests is."""
    repression = [
        event(50 + n, ("IRN", "GOV"), [], "COERCE", "material_conflict", -7.0, n * 0.2, 0.9)
        for n in range(6)
    ]
    assert not [s for s in run_pressure(detector, repression) if s.signal_type == "ally_at_risk"]
    protests = [
        event(60 + n, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, n * 0.2, 0.9)
        for n in range(2)
    ]
    raised = run_pressure(detector, repression + protests)
    assert any(s.pair == ("RUS", "IRN") and s.status == "active" for s in raised)


def test_repression_long_past_does_not_answer_todays_protests(detector: AllianceDetector) -> None:
    """Repression counts as far as it answers a challenge, and both decay (14-day half-life):
    a crackdown ten months before today's protests must not count as if it were today's. A
    sum decays only when next added to, so the crackdown kept its full weight until
    2026-12-03, and the same protests put Iran at risk with it and not without it."""
    crackdown = [
        event(70 + n, ("IRN", "GOV"), [], "COERCE", "material_conflict", -7.0, -300 + n * 0.2, 0.9)
        for n in range(6)
    ]
    protests = [
        event(80 + n, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, n * 0.2, 0.9)
        for n in range(2)
    ]
    raised = run_pressure(detector, crackdown + protests)
    assert not any(s.signal_type == "ally_at_risk" and s.status == "active" for s in raised)
    fresh = [dict(e, event_time=e["event_time"] + 300 * DAY) for e in crackdown]
    raised = run_pressure(detector, fresh + protests)
    assert any(s.pair == ("RUS", "IRN") and s.status == "active" for s in raised)


def test_the_main_outside_pressure_is_who_presses_now(detector: AllianceDetector) -> None:
    """Three US threats of force ten months ago outweigh one Israeli strike today in lifetime
    totals, but not today: the signal's third party is who presses now."""
    threats = [
        event(
            90 + n,
            ("USA", "GOV"),
            ["IRN"],
            "THREATEN",
            "verbal_conflict",
            -7.0,
            -300 + n,
            0.9,
            mode="violence",
        )
        for n in range(3)
    ]
    strike = [event(95, ("ISR", "MIL"), ["IRN"], "ASSAULT", "material_conflict", -9.0, 0.0, 0.5)]
    state = None
    for e in threats + strike:
        [(country, kind, outside)] = pressure_targets(e)
        state, _ = detector.on_pressure_event(state, SignalLedger(), e, country, kind, outside)
    assert state is not None and state.outside["USA"] > state.outside["ISR"]
    assert state.main_outside_actor == "ISR"


def test_a_country_named_without_its_state_does_not_repress() -> None:
    """'Militants attacked a train in Pakistan': Pakistan is the place, not the attacker."""
    e = event(70, ("PAK", None), [], "ASSAULT", "material_conflict", -9.0)
    assert pressure_targets(e) == []


def test_pressure_signals_do_not_depend_on_arrival_order(detector: AllianceDetector) -> None:
    forward = run_pressure(detector, IRAN_UNDER_PRESSURE)
    backward = run_pressure(detector, list(reversed(IRAN_UNDER_PRESSURE)))
    last = {s.signal_id: s for s in forward}
    last_backward = {s.signal_id: s for s in backward}
    assert last.keys() == last_backward.keys()
    for sid, signal in last.items():
        other = last_backward[sid]
        assert (signal.status, signal.direction, signal.magnitude) == (
            other.status,
            other.direction,
            other.magnitude,
        )


def test_threats_to_trade_or_relations_are_not_a_threat_to_the_regime() -> None:
    """Turkey threatening to close a US base presses a policy, not the US government's survival;
    a threat of violence is intervention."""
    bases = event(80, ("TUR", "GOV"), ["USA"], "THREATEN", "verbal_conflict", -3.5, mode="restrict")
    assert pressure_targets(bases) == []
    force = dict(bases, mode="violence")
    assert pressure_targets(force) == [("USA", "outside", "TUR")]


def test_an_ally_at_risk_is_one_signal_whoever_presses_it(detector: AllianceDetector) -> None:
    """The main outside pressure may change as the story grows: the signal about Russia's ally
    Iran evolves in place and names the new third party, rather than starting another."""
    israel = [
        event(90 + n, ("ISR", "MIL"), ["IRN"], "ASSAULT", "material_conflict", -9.0, n * 0.1, 0.9)
        for n in range(3)
    ]
    america = [
        event(
            95 + n, ("USA", "MIL"), ["IRN"], "ASSAULT", "material_conflict", -9.0, 1 + n * 0.1, 0.9
        )
        for n in range(5)
    ]
    signals = [s for s in run_pressure(detector, israel + america) if s.pair == ("RUS", "IRN")]
    assert len({s.signal_id for s in signals}) == 1
    assert signals[0].third_party == "ISR" and signals[-1].third_party == "USA"
    assert [s.version for s in signals] == list(range(1, len(signals) + 1))


def test_an_article_is_judged_once_not_sentence_by_sentence(detector: AllianceDetector) -> None:
    """An article is one piece of news: taken whole it updates the pair's signal once, where
    fed sentence by sentence it would re-send the signal after each one."""
    history = [
        event(100 + n, ("SYR", "GOV"), ["RUS"], "REJECT", "verbal_conflict", -4.0, float(n))
        for n in range(4)
    ]
    article = [
        event(110 + n, ("SYR", "GOV"), ["RUS"], kind, quad, score, 5.0)
        for n, (kind, quad, score) in enumerate(
            [("AID", "material_cooperation", 7.0)] * 3
            + [("ASSAULT", "material_conflict", -9.0)] * 3
        )
    ]
    state, ledger = None, SignalLedger()
    for e in history:
        state, _ = detector.on_pair_events(state, ledger, [e], "RUS", "SYR")
    assert state is not None and state.direction == "toward_conflict"
    one_by_one, one_ledger, sent_one_by_one = copy.deepcopy(state), copy.deepcopy(ledger), []
    for e in article:
        one_by_one, signals = detector.on_pair_events(one_by_one, one_ledger, [e], "RUS", "SYR")
        sent_one_by_one.extend(signals)
    state, whole = detector.on_pair_events(state, ledger, article, "RUS", "SYR")
    assert len(sent_one_by_one) > 1 and len(whole) == 1
    # the same end state (the last version sent one by one may be older: a change too small
    # to re-send is not sent)
    assert whole[0].status == "active" and whole[0].direction == one_by_one.direction
    assert whole[0].magnitude == round(abs(one_by_one.current - one_by_one.baseline), 3)
    by_pair, by_country = fan_out_article(article)
    assert list(by_pair) == [("RUS", "SYR")] and len(by_pair[("RUS", "SYR")]) == 6
    assert by_country == {"RUS": [(e, "outside", "SYR") for e in article[3:]]}


def syndicated(original: dict, copy: int) -> dict:
    """Another outlet's copy of the same wire story: its own ids, article and time, the same
    sentence (case and punctuation may differ)."""
    return dict(
        original,
        event_id=f"{original['event_id']}-copy{copy}",
        article_id=f"{original['article_id']}-copy{copy}",
        sentence=original["sentence"].upper() + "!",
        event_time=original["event_time"] + 600.0 * copy,
        article_fingerprint=f"{copy:016x}",
    )


def test_a_syndicated_story_presses_a_country_as_one_report(detector: AllianceDetector) -> None:
    def pressure_after(events: list[dict]) -> PressureState:
        state = None
        for e in events:
            for country, kind, outside in pressure_targets(e):
                if country == "IRN":
                    state, _ = detector.on_pressure_event(
                        state, SignalLedger(), e, country, kind, outside
                    )
        assert state is not None
        return state

    once = pressure_after(IRAN_UNDER_PRESSURE)
    copies = [syndicated(e, n) for n in (1, 2, 3) for e in IRAN_UNDER_PRESSURE]
    four_times = pressure_after(IRAN_UNDER_PRESSURE + copies)
    assert four_times.pressure == pytest.approx(once.pressure, rel=0.02)  # copies 10-30 min on
    assert four_times.kinds == once.kinds and four_times.outside == once.outside


def test_a_syndicated_story_does_not_shift_a_pair_that_one_copy_does_not(
    detector: AllianceDetector,
) -> None:
    """One sentence of post-Assad Syria rejecting Russia is one event: too little for a shift
    (two effective events are needed). Four outlets carrying it made four, and a shift."""
    story = event(30, ("SYR", "GOV"), ["RUS"], "REJECT", "verbal_conflict", -4.0)
    copies = [story] + [syndicated(story, n) for n in (1, 2, 3)]
    state, ledger, signals = None, SignalLedger(), []
    for carried in copies:
        state, raised = detector.on_pair_events(state, ledger, [carried], "RUS", "SYR")
        signals.extend(raised)
    assert signals == []
    assert state is not None and state.events == 1 and state.effective_events == 1.0


def test_a_regime_at_risk_now_is_shown_with_todays_sentences(detector: AllianceDetector) -> None:
    """A strong crackdown report ten months old is the strongest evidence ever, but the
    signal raised by today's protests shows today's reports."""
    old = event(100, ("IRN", "GOV"), [], "ASSAULT", "material_conflict", -9.0, -300.0, 0.95)
    today = [
        event(101 + n, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, n * 0.1, 0.8)
        for n in range(3)
    ]
    raised = [s for s in run_pressure(detector, [old, *today]) if s.pair == ("RUS", "IRN")]
    assert raised and raised[-1].status == "active"
    shown = {e.sentence for e in raised[-1].evidence}
    assert shown == {e["sentence"] for e in today}


def test_a_joint_strike_presses_once_and_counts_for_both_strikers(
    detector: AllianceDetector,
) -> None:
    joint = event(110, ("ISR", "GOV"), ["IRN"], "ASSAULT", "material_conflict", -9.0, 0.0, 0.8)
    joint["actors"].append({"code": "USA", "agent": "GOV"})
    us_alone = event(111, ("USA", "GOV"), ["IRN"], "ASSAULT", "material_conflict", -9.0, 0.1, 0.8)
    state = None
    for e in (joint, us_alone):
        for country, kind, outside in pressure_targets(e):
            state, _ = detector.on_pressure_event(state, SignalLedger(), e, country, kind, outside)
    assert state is not None
    assert state.kinds == {"outside": 2}, "two reports, not three"
    assert state.pressure == pytest.approx(0.8 + 0.8 * 0.5 ** (0.1 / 14), rel=1e-6)
    assert state.outside == {"ISR": 0.8, "USA": 1.6}
    assert state.main_outside_actor == "USA"


@pytest.mark.parametrize("copy_first", [False, True])
def test_a_copy_counts_once_even_past_the_kept_history(
    detector: AllianceDetector, copy_first: bool
) -> None:
    """A syndicated copy arriving after 130 other reports (the kept history holds 128)
    counted again, and how often depended on the order the copies came in."""
    story = event(120, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, 0.0, 0.5)
    others = [
        event(200 + n, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, 0.01 * n, 0.5)
        for n in range(130)
    ]
    events = [syndicated(story, 1), *others, story] if copy_first else [story, *others]
    if not copy_first:
        events.append(syndicated(story, 1))
    state = None
    for e in events:
        [(country, kind, outside)] = pressure_targets(e)
        state, _ = detector.on_pressure_event(state, SignalLedger(), e, country, kind, outside)
    assert state is not None and state.kinds == {"unrest": 131}


def test_the_same_words_a_week_later_are_new_news(detector: AllianceDetector) -> None:
    """Copies are the same sentence within three days of its first report; "protests
    continued on Friday", a week apart, is two reports."""
    friday = event(130, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, 0.0, 0.5)
    a_week_on = dict(syndicated(friday, 1), event_time=friday["event_time"] + 7 * DAY)
    next_day = dict(syndicated(friday, 2), event_time=friday["event_time"] + DAY)
    state = None
    for e in (a_week_on, friday, next_day):
        [(country, kind, outside)] = pressure_targets(e)
        state, _ = detector.on_pressure_event(state, SignalLedger(), e, country, kind, outside)
    assert state is not None and state.kinds == {"unrest": 2}


def test_a_signal_counts_the_sources_of_its_move_not_of_the_pairs_past(
    detector: AllianceDetector,
) -> None:
    """Five articles of a calm partnership a year ago are not sources of today's turn."""
    past = [
        event(140 + n, ("SYR", "GOV"), ["RUS"], "CONSULT", "verbal_cooperation", 1.0, -400.0 + n)
        for n in range(5)
    ]
    today = [
        dict(
            event(150 + n, ("SYR", "GOV"), ["RUS"], "REJECT", "verbal_conflict", -4.0, 0.1 * n),
            article_fingerprint="00000000000000aa",
        )
        for n in range(3)
    ]
    signals = run_pairs(detector, past + today)
    assert signals and signals[-1].status == "active"
    assert signals[-1].independent_sources == 1


def test_severity_grows_with_the_log_of_the_harm_stated() -> None:
    assert severity(None) == severity({}) == 1.0
    assert severity({"dead": 9}) == pytest.approx(2.0)
    assert severity({"injured": 90}) == severity({"arrested": 90}) == severity({"dead": 9})
    assert severity({"dead": 2500}) == pytest.approx(4.398, abs=1e-3)


def test_a_crackdown_that_kills_thousands_presses_more_than_one_report(
    detector: AllianceDetector,
) -> None:
    """A protest and forces killing protesters, at the coder's usual confidence (0.3): with no
    figure stated that is two middling reports and no regime at risk; when the forces killed
    2,500, the scale the sentence states is the crisis a reader sees (PLOVER's size)."""
    protest = event(90, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, 0.0, 0.3)
    killing = event(91, ("IRN", "MIL"), [], "ASSAULT", "material_conflict", -9.0, 0.5, 0.3)
    killing["recipients"] = [{"code": "IRN", "agent": "CVL"}]
    assert not [s for s in run_pressure(detector, [protest, killing]) if s.pair == ("RUS", "IRN")]
    massacre = dict(killing, size={"dead": 2500})
    raised = run_pressure(detector, [protest, massacre])
    assert any(s.pair == ("RUS", "IRN") and s.status == "active" for s in raised)


def test_the_gravest_report_is_shown_first(detector: AllianceDetector) -> None:
    """Evidence is ranked by |score| x confidence x severity: the killing of 2,500 comes
    before a protest the coder is surer of."""
    protest = event(92, ("IRN", "CVL"), [], "PROTEST", "material_conflict", -5.0, 0.0, 0.6)
    killing = event(93, ("IRN", "MIL"), [], "ASSAULT", "material_conflict", -9.0, 0.5, 0.3)
    killing["recipients"] = [{"code": "IRN", "agent": "CVL"}]
    killing["size"] = {"dead": 2500}
    raised = [s for s in run_pressure(detector, [protest, killing]) if s.pair == ("RUS", "IRN")]
    assert raised and raised[-1].evidence[0].sentence == killing["sentence"]
