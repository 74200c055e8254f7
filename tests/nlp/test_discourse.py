"""Sector phrases with no country take the country their paragraph is about, when it is clear."""

from datetime import date

import pytest
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.discourse import attribute_bare_agents


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.default()


def read(resolver: ActorResolver, *sentences: str) -> list[list[tuple[str, str | None, str]]]:
    found = [resolver.resolve(s, date(2026, 1, 15), bare_agents=True) for s in sentences]
    return [
        [(m.code, m.agent, m.text) for m in sentence]
        for sentence in attribute_bare_agents(found, resolver.is_country)
    ]


def test_government_forces_belong_to_the_country_of_the_sentence_before(resolver) -> None:
    _, second = read(
        resolver,
        "Iran's leadership is struggling to contain the unrest.",
        "Activists say government forces have so far killed more than 2,500 protesters.",
    )
    assert ("IRN", "MIL", "government forces") in second
    assert ("IRN", "CVL", "protesters") in second


def test_the_one_country_a_sentence_names_is_its_sector_phrases_country(resolver) -> None:
    [only] = read(resolver, "In Sudan, police fired tear gas at protesters on Thursday.")
    assert {code for code, _, _ in only} == {"SDN"}


def test_two_countries_in_reach_leave_the_phrase_out(resolver) -> None:
    _, second = read(
        resolver,
        "Russia and Ukraine traded accusations on Monday.",
        "Government forces shelled several villages overnight.",
    )
    assert second == []


def test_a_phrase_beyond_the_paragraphs_reach_stays_out(resolver) -> None:
    sentences = read(
        resolver,
        "Kenya's president spoke on Monday.",
        "The weather was fine.",
        "Crowds gathered in the afternoon.",
        "It rained later.",
        "Police arrested dozens of protesters.",
    )
    assert sentences[-1] == []
