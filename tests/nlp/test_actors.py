"""Actor knowledge base and time-aware resolver.

The seed article (published 2026-01-15) is the main fixture: it names Putin and Lavrov in
office, Assad and Maduro after they lost power, and uses Tehran/Moscow/Damascus/the Kremlin
as metonyms. Table tests cover dated roles, IGOs, demonyms, sector phrases and the false
positives the case rules exist for. The data-sync test rebuilds the KB from the Phoenix
dictionaries and skips, with the path in the reason, when ../shared is absent.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from newsmon.nlp import build_actor_kb as kb
from newsmon.nlp.actors import ActorMention, ActorResolver, find_overrides

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_783d31cd25a2e179.txt"
SHARED = REPO.parent / "shared"
SEED_DAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.default()


@pytest.fixture(scope="module")
def seed_mentions(resolver: ActorResolver) -> tuple[str, list[ActorMention]]:
    header, _, body = SEED.read_text(encoding="utf-8").partition("\n\n")
    assert "Published: 2026-01-15" in header
    return body, resolver.resolve(body, SEED_DAY)


def _by_text(mentions: list[ActorMention], text: str) -> list[ActorMention]:
    return [m for m in mentions if m.text == text]


def _one(resolver: ActorResolver, text: str, on: dt.date = SEED_DAY) -> ActorMention:
    found = resolver.resolve(text, on)
    assert len(found) == 1, found
    return found[0]


# -- the seed article -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "agent"),
    [
        ("Vladimir Putin", "RUS", "GOV"),
        ("Sergey Lavrov", "RUS", "GOV"),
        ("Donald Trump", "USA", "GOV"),
    ],
)
def test_seed_people_in_office(
    seed_mentions: tuple[str, list[ActorMention]], name: str, code: str, agent: str
) -> None:
    _, mentions = seed_mentions
    found = [m for m in mentions if m.name == name]
    assert found, name
    assert {(m.code, m.agent, m.kind) for m in found} == {(code, agent, "person")}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Bashar al-Assad", "SYR"),
        ("Nicolás Maduro", "VEN"),
    ],
)
def test_seed_people_out_of_office_keep_country_lose_sector(
    seed_mentions: tuple[str, list[ActorMention]], name: str, code: str
) -> None:
    _, mentions = seed_mentions
    found = [m for m in mentions if m.name == name]
    assert len(found) >= 2, name
    assert {(m.code, m.agent) for m in found} == {(code, None)}


def test_seed_metonyms_and_capitals(seed_mentions: tuple[str, list[ActorMention]]) -> None:
    _, mentions = seed_mentions
    kremlin = _by_text(mentions, "Kremlin")
    assert kremlin and {(m.code, m.agent, m.kind) for m in kremlin} == {("RUS", "GOV", "metonym")}
    assert {m.code for m in _by_text(mentions, "Tehran")} == {"IRN"}
    assert {m.code for m in _by_text(mentions, "Moscow")} == {"RUS"}
    assert {m.code for m in _by_text(mentions, "Damascus")} == {"SYR"}
    # "Tehran is the epicentre", "between Moscow and Tehran": the government
    assert "GOV" in {m.agent for m in _by_text(mentions, "Tehran")}
    # "the fledging government in Damascus": a place, so no sector
    assert {m.agent for m in _by_text(mentions, "Damascus")} == {None}


def test_seed_composed_mentions(seed_mentions: tuple[str, list[ActorMention]]) -> None:
    _, mentions = seed_mentions
    trump = _by_text(mentions, "US President Donald Trump")
    assert [(m.code, m.agent, m.name) for m in trump] == [("USA", "GOV", "Donald Trump")]
    lavrov = _by_text(mentions, "Foreign Minister Sergey Lavrov")
    assert [(m.code, m.agent) for m in lavrov] == [("RUS", "GOV")]
    assert [(m.code, m.agent) for m in _by_text(mentions, "Russia’s president")] == [("RUS", "GOV")]
    assert all(m.code != "USA" for m in mentions if "Washington" in m.text)


def test_seed_spans_are_exact_sorted_and_disjoint(
    seed_mentions: tuple[str, list[ActorMention]],
) -> None:
    body, mentions = seed_mentions
    assert len(mentions) > 50
    end = 0
    for m in mentions:
        assert body[m.start : m.end] == m.text
        assert m.start >= end
        end = m.end
        assert m.code


# -- dated roles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "on", "code", "agent"),
    [
        ("Assad", dt.date(2020, 1, 1), "SYR", "GOV"),
        ("Assad", dt.date(2024, 12, 7), "SYR", "GOV"),
        ("Assad", dt.date(2024, 12, 8), "SYR", None),
        ("Bashar al-Assad", dt.date(2026, 1, 15), "SYR", None),
        ("Maduro", dt.date(2025, 6, 1), "VEN", "GOV"),
        ("Maduro", dt.date(2026, 1, 3), "VEN", None),
        ("Delcy Rodríguez", dt.date(2026, 1, 15), "VEN", "GOV"),
        ("al-Jolani", dt.date(2023, 5, 1), "SYR", "REB"),
        ("Ahmed al-Sharaa", dt.date(2025, 5, 1), "SYR", "GOV"),
        ("Trump", dt.date(2019, 6, 1), "USA", "GOV"),
        ("Trump", dt.date(2022, 6, 1), "USA", None),
        ("Trump", dt.date(2025, 1, 20), "USA", "GOV"),
        ("Biden", dt.date(2022, 6, 1), "USA", "GOV"),
        ("Biden", dt.date(2025, 6, 1), "USA", None),
        ("Pezeshkian", dt.date(2024, 8, 1), "IRN", "GOV"),
        ("Khamenei", dt.date(2026, 1, 15), "IRN", "GOV"),
        ("Starmer", dt.date(2024, 7, 4), "GBR", "OPP"),
        ("Starmer", dt.date(2024, 7, 5), "GBR", "GOV"),
        ("Merz", dt.date(2025, 5, 6), "DEU", "GOV"),
        ("Scholz", dt.date(2025, 5, 6), "DEU", None),
        ("Scholz", dt.date(2024, 1, 1), "DEU", "GOV"),
        ("Zelensky", dt.date(2026, 1, 15), "UKR", "GOV"),
        ("Xi Jinping", dt.date(2026, 1, 15), "CHN", "GOV"),
        ("Wang Yi", dt.date(2026, 1, 15), "CHN", "GOV"),
        ("Netanyahu", dt.date(2022, 1, 1), "ISR", "OPP"),
        ("Erdogan", dt.date(2026, 1, 15), "TUR", "GOV"),
        ("Modi", dt.date(2026, 1, 15), "IND", "GOV"),
        ("Kim Jong Un", dt.date(2026, 1, 15), "PRK", "GOV"),
        ("Macron", dt.date(2026, 1, 15), "FRA", "GOV"),
        ("Peskov", dt.date(2026, 1, 15), "RUS", "GOV"),
        ("Mishustin", dt.date(2026, 1, 15), "RUS", "GOV"),
        ("Araghchi", dt.date(2026, 1, 15), "IRN", "GOV"),
        ("The Taliban", dt.date(2019, 1, 1), "AFG", "REB"),
        ("The Taliban", dt.date(2022, 1, 1), "AFG", "GOV"),
        ("Duda", dt.date(2020, 1, 1), "POL", "GOV"),
        ("Duda", dt.date(2025, 8, 6), "POL", None),
        ("Nawrocki", dt.date(2025, 8, 6), "POL", "GOV"),
        ("Mike Waltz", dt.date(2020, 1, 1), "USA", "LEG"),
        ("Mike Waltz", dt.date(2025, 9, 19), "USA", "GOV"),
        ("Min Aung Hlaing", dt.date(2020, 1, 1), "MMR", "MIL"),
        ("Min Aung Hlaing", dt.date(2021, 2, 1), "MMR", "GOV"),
        ("Ghalibaf", dt.date(2026, 1, 15), "IRN", "LEG"),
        ("Pompeo", dt.date(2017, 6, 1), "USA", "SPY"),
        ("Pompeo", dt.date(2019, 1, 1), "USA", "GOV"),
        ("Pompeo", dt.date(2022, 1, 1), "USA", None),
        ("Immigration and Customs Enforcement", dt.date(2018, 1, 1), "USA", "COP"),
    ],
)
def test_dated_roles(
    resolver: ActorResolver, text: str, on: dt.date, code: str, agent: str | None
) -> None:
    m = _one(resolver, f"{text} said on Tuesday.", on)
    assert (m.code, m.agent) == (code, agent)
    assert m.kind in ("person", "org")


def test_default_date_is_today(resolver: ActorResolver) -> None:
    assert resolver.resolve("Putin spoke.") == resolver.resolve("Putin spoke.", dt.date.today())


# -- countries, IGOs, sectors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "alias", "code", "agent", "kind"),
    [
        ("NATO allies met.", "NATO", "NATO", None, "igo"),
        ("He addressed the United Nations on Monday.", "United Nations", "UN", None, "igo"),
        ("The IAEA inspectors left.", "IAEA", "IAEA", None, "igo"),
        ("The EU and the WHO agreed.", "EU", "EU", None, "igo"),
        ("Iranian drones were used.", "Iranian", "IRN", None, "demonym"),
        ("Russians voted.", "Russians", "RUS", None, "demonym"),
        ("Chinese exports fell.", "Chinese", "CHN", None, "demonym"),
        ("Iranian protesters marched.", "Iranian protesters", "IRN", "CVL", "agent_phrase"),
        (
            "Iranian anti-government protesters marched.",
            "Iranian anti-government protesters",
            "IRN",
            "OPP",
            "agent_phrase",
        ),
        ("Russian troops advanced.", "Russian troops", "RUS", "MIL", "agent_phrase"),
        ("Syrian rebels advanced.", "Syrian rebels", "SYR", "REB", "agent_phrase"),
        ("Israeli police arrested him.", "Israeli police", "ISR", "COP", "agent_phrase"),
        ("The president of Russia said so.", "president of Russia", "RUS", "GOV", "agent_phrase"),
        ("The White House said so.", "White House", "USA", "GOV", "metonym"),
        ("Downing Street said so.", "Downing Street", "GBR", "GOV", "metonym"),
        ("The Pentagon said so.", "Pentagon", "USA", "MIL", "metonym"),
        ("Congress passed the bill.", "Congress", "USA", "LEG", "metonym"),
        ("The Kremlin said so.", "Kremlin", "RUS", "GOV", "metonym"),
        ("FBI Director Christopher Wray spoke.", "FBI", "USA", "COP", "org"),
        ("Hamas militants fired rockets.", "Hamas militants", "PSE", "REB", "org"),
        ("The US imposed sanctions.", "US", "USA", None, "country"),
        ("The U.S. imposed sanctions.", "U.S.", "USA", None, "country"),
        ("Côte d’Ivoire voted.", "Côte d’Ivoire", "CIV", None, "country"),
        ("Abkhazia declared independence.", "Abkhazia", "GEO", "PRE", "country"),
    ],
)
def test_table(
    resolver: ActorResolver, text: str, alias: str, code: str, agent: str | None, kind: str
) -> None:
    m = resolver.resolve(text, SEED_DAY)[0]
    assert (m.text, m.code, m.agent, m.kind) == (alias, code, agent, kind)


def test_plover_country_for_igos(resolver: ActorResolver) -> None:
    assert resolver.plover_country("UN") == "UNO"
    assert resolver.plover_country("EU") == "EUR"
    assert resolver.plover_country("NATO") == "IGO"
    assert resolver.plover_country("IAEA") == "UNO"
    assert resolver.plover_country("RUS") == "RUS"


@pytest.mark.parametrize(
    "text",
    [
        "Let us know, tell us everything.",
        "Us and them.",
        "The team that beat us was from the US Virgin Islands.".replace("US Virgin Islands", "us"),
        "Who is in charge?",
        "Michael Jordan met Chad Smith.",
        "Jordan Peterson spoke.",
        "George Washington crossed the river.",
        "Latin America and the Middle East watched.",
        "She wrote for the Washington Post.",
        "The turkey was roasted in china dishes.",
        # one word of another organisation's name: not the US Congress, not the El Rukn gang
        "Sayim, of the World Uyghur Congress, spoke.",
        "His National Congress Party was dissolved.",
        "Janusz Bugajski of the Jamestown Foundation spoke.",
    ],
)
def test_no_false_positives(resolver: ActorResolver, text: str) -> None:
    assert resolver.resolve(text, SEED_DAY) == []


def test_longest_match_wins(resolver: ActorResolver) -> None:
    (m,) = resolver.resolve("Papua New Guinea voted.", SEED_DAY)
    assert m.code == "PNG"
    (m,) = resolver.resolve("South Sudan voted.", SEED_DAY)
    assert m.code == "SSD"


def test_unknown_person_after_title_keeps_name(resolver: ActorResolver) -> None:
    (m,) = resolver.resolve("Egyptian Foreign Minister Badr Abdelatty arrived.", SEED_DAY)
    assert (m.text, m.code, m.agent, m.name) == (
        "Egyptian Foreign Minister Badr Abdelatty",
        "EGY",
        "GOV",
        "Badr Abdelatty",
    )


def test_bare_agents_only_on_request(resolver: ActorResolver) -> None:
    text = "Police said protesters were arrested."
    assert resolver.resolve(text, SEED_DAY) == []
    bare = resolver.resolve(text, SEED_DAY, bare_agents=True)
    assert [(m.text, m.code, m.agent) for m in bare] == [
        ("Police", "", "COP"),
        ("protesters", "", "CVL"),
    ]


# -- overrides and data -------------------------------------------------------------------


def test_override_replaces_generated_person(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(
        "persons:\n"
        "  - name: Vladimir Putin\n"
        "    aliases: [Putin]\n"
        "    roles:\n"
        "      - {code: RUS, agent: GOV, start: 1999-08-09, end: 2001-01-01}\n"
        "non_actors: [Putin Street]\n",
        encoding="utf-8",
    )
    custom = ActorResolver.load(overrides_path=overrides)
    (m,) = custom.resolve("Vladimir V. Putin spoke.", dt.date(2026, 1, 15))
    assert (m.code, m.agent, m.name) == ("RUS", None, "Vladimir Putin")
    assert custom.resolve("They walked down Putin Street.", SEED_DAY) == []


def test_override_without_roles_fails_loudly(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("persons:\n  - name: Nobody\n    aliases: [Nobody]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Nobody"):
        ActorResolver.load(overrides_path=overrides)


def test_committed_overrides_are_found() -> None:
    assert find_overrides() == REPO / "seeds" / "actors" / "overrides.yaml"


def test_parse_dictionary_blocks_and_dates() -> None:
    lines = [
        "RUSSIAN_FEDERATION_  [RUS]",
        "+RUSSIA_",
        "VLADIMIR_PUTIN_  # CountryInfo.txt",
        "+PUTIN_",
        "+PRESIDENT_PUTIN_",
        "\t[RUSGOV 991231-080507]",
        "\t[RUSGOV >080508]",
        "\t[RUSELI]",
    ]
    country, putin = kb.parse_dictionary(lines)
    assert country.names == ["RUSSIAN_FEDERATION_", "RUSSIA_"]
    assert country.codes == [("RUS", None, None)]
    assert putin.names == ["VLADIMIR_PUTIN_", "PUTIN_", "PRESIDENT_PUTIN_"]
    assert putin.codes == [
        ("RUSGOV", "1999-12-31", "2008-05-07"),
        ("RUSGOV", "2008-05-08", None),
        ("RUSELI", None, None),
    ]
    assert kb.display_name("BASHAR_AL-ASSAD_", acronyms=False) == "Bashar al-Assad"
    assert kb.display_name("FSB_", acronyms=True) == "FSB"


@pytest.mark.skipif(
    not (SHARED / "reference" / "actors").is_dir(),
    reason=f"Phoenix dictionaries not found under {SHARED}/reference/actors",
)
def test_committed_data_matches_builder(tmp_path: Path) -> None:
    built = kb.build(SHARED)
    kb.write(built, tmp_path)
    data_dir = REPO / "services" / "nlp" / "data" / "actors"
    for path in sorted(tmp_path.glob("*.json")):
        committed = json.loads((data_dir / path.name).read_text("utf-8"))
        assert json.loads(path.read_text("utf-8")) == committed, (
            f"{path.name} is stale: run python -m newsmon.nlp.build_actor_kb"
        )
    total = sum(p.stat().st_size for p in data_dir.glob("*.json"))
    assert total < 4_000_000
