"""The event coder end to end on clear sentences: a sanity check of the wiring, with the
committed heads and the real encoder (accuracy is measured by `newsmon eval`, not here)."""

from datetime import UTC, datetime

import pytest
from newsmon.core.encoder import served_encoder
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.coder import ArticleInput, CoderHeads, EventCoder, event_id
from newsmon.nlp.ontology import modes_of, plover_score, quad_of

from tests.conftest import REPO

ON = datetime(2026, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def coder() -> EventCoder:
    return EventCoder(served_encoder(), CoderHeads.load(), ActorResolver.default())


def code_one(coder: EventCoder, text: str):  # noqa: ANN201
    [article] = coder([ArticleInput("a1", "", text, ON)])
    return article


def test_an_attack_is_material_conflict_from_attacker_to_target(coder: EventCoder) -> None:
    article = code_one(coder, "Russian troops attacked Ukrainian positions near Kharkiv.")
    [event] = article.events
    assert event.quad_class == "material_conflict"
    assert event.event_type == "ASSAULT"
    assert [a.code for a in event.actors] == ["RUS"]
    assert [r.code for r in event.recipients] == ["UKR"]
    assert event.score == plover_score("ASSAULT", event.mode) < 0
    assert 0 < event.confidence <= 1


def test_sentences_without_actors_and_negated_events_give_nothing(coder: EventCoder) -> None:
    article = code_one(
        coder, "The weather was mild on Tuesday. Russia did not send troops to Syria."
    )
    assert article.sentences == [
        "The weather was mild on Tuesday.",
        "Russia did not send troops to Syria.",
    ]
    assert article.events == []


def test_every_event_is_consistent_with_the_ontology(coder: EventCoder) -> None:
    text = (REPO / "seeds" / "000_783d31cd25a2e179.txt").read_text().split("\n\n", 1)[1]
    article = code_one(coder, text)
    assert len(article.events) >= 10
    for event in article.events:
        assert quad_of(event.event_type) == event.quad_class
        assert event.score == plover_score(event.event_type, event.mode)
        assert event.mode is None or event.mode in {m.name for m in modes_of(event.event_type)}
        assert event.sentence in article.sentences
        assert article.sentences[event.sentence_index] == event.sentence
        assert event.actors, "an event needs an actor"
        assert event.event_id == event_id("a1", event.sentence_index, event.event_type)
        assert not {a.code for a in event.actors} & {r.code for r in event.recipients} or (
            len(event.actors) == 2 and event.actors == list(reversed(event.recipients))
        ), "only reciprocal events may share codes between actors and recipients"
    codes = {c.code for e in article.events for c in e.actors + e.recipients}
    assert {"RUS", "IRN", "SYR", "VEN", "USA"} <= codes


def test_an_air_strike_gets_the_aerial_mode_and_its_score(coder: EventCoder) -> None:
    article = code_one(coder, "Israeli warplanes carried out air strikes on Syrian army bases.")
    [event] = article.events
    assert (event.event_type, event.mode) == ("ASSAULT", "aerial")
    assert event.score == plover_score("ASSAULT", "aerial")


def test_recoding_is_deterministic(coder: EventCoder) -> None:
    text = "Iran and Russia signed a strategic partnership treaty in Moscow."
    assert code_one(coder, text) == code_one(coder, text)


def test_a_capital_where_people_protest_is_unrest_there_not_its_state_protesting(
    coder: EventCoder,
) -> None:
    """PLOVER's PROTEST is civilian collective action (a government's protest is ACCUSE), so
    the seed article's "Tehran is the epicentre of the nightly protests" presses Iran."""
    from newsmon.signals.pressure import pressure_targets

    sentence = (
        "Tehran is the epicentre of the nightly protests shaking Iran’s regime, but the "
        "reverberations are being felt loud and clear in Moscow, too."
    )
    [event] = code_one(coder, sentence).events
    assert event.event_type == "PROTEST"
    tehran = next(a for a in event.actors if a.text == "Tehran")
    assert tehran.code == "IRN" and tehran.agent is None
    record = {
        "event_type": event.event_type,
        "quad_class": event.quad_class,
        "actors": [a.as_dict() for a in event.actors],
        "recipients": [r.as_dict() for r in event.recipients],
    }
    assert ("IRN", "unrest", None) in pressure_targets(record)


def test_only_a_capital_is_read_as_the_place_not_a_seat_of_government() -> None:
    from newsmon.nlp.actors import ActorMention
    from newsmon.nlp.coder import Participant, capitals_as_places

    mentions = [
        ActorMention(0, 6, "Tehran", "IRN", "GOV", None, "capital"),
        ActorMention(20, 31, "the Kremlin", "RUS", "GOV", "Kremlin", "metonym"),
    ]
    actors = [
        Participant("IRN", "GOV", None, "Tehran"),
        Participant("RUS", "GOV", "Kremlin", "the Kremlin"),
    ]
    assert [a.agent for a in capitals_as_places(actors, mentions)] == [None, "GOV"]


def test_a_capital_that_does_not_protest_stays_its_government(coder: EventCoder) -> None:
    [event] = code_one(coder, "Tehran rejected the proposal from Washington.").events
    assert event.event_type != "PROTEST"
    assert [(a.code, a.agent) for a in event.actors] == [("IRN", "GOV")]


def test_a_capital_protesting_to_another_government_stays_its_government() -> None:
    from newsmon.nlp.coder import Participant, addresses_a_government

    beijing = [Participant("CHN", "GOV", None, "Beijing")]
    assert addresses_a_government(beijing, [Participant("JPN", "GOV", None, "Tokyo")])
    assert not addresses_a_government(beijing, [Participant("RUS", None, None, "Moscow")])
    assert not addresses_a_government(beijing, [Participant("CHN", "GOV", None, "Beijing")])


def test_a_weapons_maker_and_a_bases_host_take_no_part(coder: EventCoder) -> None:
    """The seeds' S-400 and Guantanamo sentences made Russia a target of US sanctions on Turkey
    and Cuba a party to US migrant policy (``newsmon.nlp.non_parties``)."""
    s400 = code_one(
        coder,
        "The measures are in response to Ankara's purchase of Russia's S-400 missile system, "
        "which is deemed to violate Congress's Countering America's Adversaries Through "
        "Sanctions Act.",
    )
    base = code_one(
        coder,
        "President Donald Trump first raised the idea of using the U.S. naval base in Cuba as "
        "part of his administration's plans for mass deportations.",
    )
    for article in (s400, base):
        assert article.events, "both report an event"
        named = {p.code for e in article.events for p in e.actors + e.recipients}
        assert not named & {"RUS", "CUB"}, named


def test_events_carry_the_figures_their_sentence_states(coder: EventCoder) -> None:
    article = code_one(
        coder,
        "The Human Rights Activists News Agency estimates Iranian government forces have so "
        "far killed more than 2,500 protesters.",
    )
    assert [e.size for e in article.events] == [{"dead": 2500}]
