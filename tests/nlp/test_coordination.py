"""Countries joined by "and" or a list play one role in the event (``newsmon.nlp.coordination``)."""

from datetime import UTC, date, datetime

import pytest
from newsmon.core.encoder import served_encoder
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.coder import ArticleInput, CoderHeads, EventCoder
from newsmon.nlp.coordination import coordination_groups


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.default()


def runs(resolver: ActorResolver, sentence: str) -> list[list[str]]:
    """The sentence's mentions as coordinated runs of their texts, in reading order."""
    mentions = sorted(resolver.resolve(sentence, date(2026, 1, 15)), key=lambda m: m.start)
    groups = coordination_groups(mentions, sentence)
    out: dict[int, list[str]] = {}
    for mention, group in zip(mentions, groups, strict=True):
        out.setdefault(group, []).append(mention.text)
    return list(out.values())


def test_and_and_a_list_closed_by_and_join_their_countries(resolver: ActorResolver) -> None:
    assert runs(resolver, "China and Russia call on the United States to lift sanctions.") == [
        ["China", "Russia"],
        ["United States"],
    ]
    assert runs(resolver, "Russia expelled diplomats from Poland, Germany and Sweden.") == [
        ["Russia"],
        ["Poland", "Germany", "Sweden"],
    ]


def test_a_comma_alone_joins_nothing(resolver: ActorResolver) -> None:
    sentence = "A court barred her from leaving Turkey, German officials said."
    assert runs(resolver, sentence) == [["Turkey"], ["German officials"]]


@pytest.fixture(scope="module")
def coder() -> EventCoder:
    return EventCoder(served_encoder(), CoderHeads.load(), ActorResolver.default())


def code(coder: EventCoder, text: str) -> list[tuple[set[str], set[str]]]:
    [article] = coder([ArticleInput("a1", "", text, datetime(2026, 1, 15, tzinfo=UTC))])
    return [({a.code for a in e.actors}, {r.code for r in e.recipients}) for e in article.events]


def test_coordinated_actors_act_together_on_the_recipient(coder: EventCoder) -> None:
    assert code(coder, "China and Russia condemned the United States over its sanctions.") == [
        ({"CHN", "RUS"}, {"USA"})
    ]


def test_every_listed_recipient_is_a_recipient(coder: EventCoder) -> None:
    assert code(coder, "Russia expelled diplomats from Poland, Germany and Sweden.") == [
        ({"RUS"}, {"POL", "DEU", "SWE"})
    ]


def test_two_coordinated_countries_alone_act_on_each_other(coder: EventCoder) -> None:
    assert code(coder, "Armenia and Azerbaijan agreed to a ceasefire on Tuesday.") == [
        ({"ARM", "AZE"}, {"ARM", "AZE"})
    ]


def test_both_marks_a_joint_answer_not_a_reciprocal_one(coder: EventCoder) -> None:
    [(actors, recipients)] = code(
        coder, "Both Pakistan and China rejected the claims made by the rebels."
    )
    assert actors == {"PAK", "CHN"}
    assert recipients == set()
