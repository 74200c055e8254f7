"""The alignment prior table (seeds/alignments.yaml) and its loader.

Table tests pin the relationships the seed article (15 Jan 2026) turns on: Russia's ties with
Iran, Syria after Assad and Venezuela after Maduro's capture, and the US's adversaries. The
loader tests write small bad files and expect a ValueError naming the entry.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from newsmon.signals.alignments import AlignmentTable, default_path

REPO = Path(__file__).resolve().parents[2]
D = date.fromisoformat


@pytest.fixture(scope="module")
def table() -> AlignmentTable:
    return AlignmentTable.load()


def codes(pairs: list) -> set[str]:
    return {code for code, _ in pairs}


def test_default_path_is_the_repo_seed_and_the_file_is_in_range(table: AlignmentTable) -> None:
    assert default_path() == REPO / "seeds" / "alignments.yaml"
    assert len(table) >= 50


def test_every_party_is_a_country_the_resolver_knows(table: AlignmentTable) -> None:
    """A code the coder never emits would make an entry that no event can ever reach."""
    from newsmon.nlp.actors import ActorResolver

    resolver = ActorResolver.default()
    unknown = {c for e in table.entries for c in e.parties if not resolver.is_country(c)}
    assert not unknown


@pytest.mark.parametrize(
    ("a", "b", "on", "partner"),
    [
        ("RUS", "SYR", "2024-06-01", True),
        ("RUS", "SYR", "2024-12-07", True),
        ("RUS", "SYR", "2024-12-08", False),  # Assad fell: end is exclusive
        ("RUS", "SYR", "2025-06-01", False),
        ("RUS", "VEN", "2025-12-01", True),
        ("RUS", "VEN", "2026-02-01", False),
        ("RUS", "IRN", "2026-01-15", True),
        ("RUS", "CHN", "2026-01-15", True),
        ("RUS", "BLR", "2026-01-15", True),
        ("TUR", "SYR", "2025-06-01", True),
        ("TUR", "SYR", "2024-06-01", False),
        ("SAU", "PAK", "2025-10-01", True),  # the defence agreement of Sep 2025
        ("SAU", "PAK", "2025-03-01", False),
        ("FRA", "MLI", "2022-06-01", False),  # the junta ended the defence accords
        ("RUS", "AZE", "2025-07-01", True),
    ],
)
def test_partner_on_date(table: AlignmentTable, a: str, b: str, on: str, partner: bool) -> None:
    assert (b in codes(table.partners(a, D(on)))) is partner
    assert (a in codes(table.partners(b, D(on)))) is partner


def test_relation_is_dated_and_order_independent(table: AlignmentTable) -> None:
    on = D("2026-01-15")
    rus_irn = table.relation("RUS", "IRN", on)
    assert rus_irn is not None and rus_irn.relation == "partnership"
    assert rus_irn.start == D("2025-01-17")
    assert table.relation("IRN", "RUS", on) == rus_irn
    assert table.relation("RUS", "PRK", on).relation == "alliance"
    assert table.relation("RUS", "PRK", D("2024-01-01")).relation == "partnership"
    assert table.relation("RUS", "SYR", D("2025-06-01")) is None


def test_a_war_inside_a_rivalry_wins_while_it_lasts(table: AlignmentTable) -> None:
    assert table.relation("ISR", "IRN", D("2025-06-20")).relation == "conflict"
    assert table.relation("IRN", "ISR", D("2025-07-01")).relation == "rivalry"
    assert table.relation("USA", "VEN", D("2025-12-01")).relation == "rivalry"
    assert table.relation("USA", "VEN", D("2026-01-03")).relation == "conflict"
    assert table.relation("PAK", "AFG", D("2025-10-15")).relation == "conflict"
    assert table.relation("PAK", "AFG", D("2025-11-01")).relation == "rivalry"
    assert table.relation("THA", "KHM", D("2025-07-25")).relation == "conflict"


def test_usa_adversaries_in_january_2026(table: AlignmentTable) -> None:
    adversaries = codes(table.adversaries("USA", D("2026-01-15")))
    assert {"IRN", "VEN", "RUS", "CHN"} <= adversaries
    assert not adversaries & codes(table.partners("USA", D("2026-01-15")))
    assert {"GBR", "JPN", "KOR", "AUS", "ISR", "UKR"} <= codes(
        table.partners("USA", D("2026-01-15"))
    )


def test_ended_between_lists_lost_partners_not_upgrades(table: AlignmentTable) -> None:
    ended = table.ended_between("RUS", D("2024-12-01"), D("2026-02-01"))
    lost = {e.parties: e.end for e in ended}
    assert lost[("RUS", "SYR")] == D("2024-12-08")
    assert lost[("RUS", "VEN")] == D("2026-01-03")
    # Russia-Iran's 2015 partnership ended on 2025-01-17 only to be upgraded by the treaty.
    assert ("IRN", "RUS") not in lost
    assert all(e.relation in ("alliance", "partnership") for e in ended)
    assert table.ended_between("RUS", D("2025-01-01"), D("2025-12-31")) == []


def test_prior_index_is_symmetric_with_the_right_signs(table: AlignmentTable) -> None:
    on = D("2026-01-15")
    for a, b in [("RUS", "IRN"), ("USA", "JPN"), ("USA", "IRN"), ("RUS", "UKR"), ("FRA", "JPN")]:
        assert table.prior_index(a, b, on) == table.prior_index(b, a, on)
    assert table.prior_index("USA", "JPN", on) > table.prior_index("RUS", "IRN", on) > 0
    assert table.prior_index("RUS", "UKR", on) < table.prior_index("USA", "IRN", on) < 0
    assert table.prior_index("RUS", "UKR", on) == pytest.approx(-6.0)
    assert table.prior_index("RUS", "IRN", on) == pytest.approx(3 * 0.75)
    assert table.prior_index("FRA", "JPN", on) == 0.0
    assert table.prior_index("RUS", "SYR", D("2024-06-01")) > 0
    assert table.prior_index("RUS", "SYR", D("2025-06-01")) == 0.0
    for entry in table.entries:
        for code in entry.parties:
            on = entry.start or D("2000-01-01")
            assert -10.0 <= table.prior_index(code, entry.other(code), on) <= 10.0


GOOD = """\
- parties: [RUS, IRN]
  relation: partnership
  strength: 0.8
  start: 2025-01-17
  end: null
  note: ok
"""


def write(tmp_path: Path, second: str) -> Path:
    path = tmp_path / "alignments.yaml"
    path.write_text(GOOD + second, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            "- {parties: [USA, CHN], relation: frenemy, strength: 0.5, start: 2018-07-06}",
            "relation",
        ),
        (
            "- {parties: [USA, CHN], relation: rivalry, strength: 1.5, start: 2018-07-06}",
            "strength",
        ),
        (
            "- {parties: [USA, CHN], relation: rivalry, strength: -0.1, start: 2018-07-06}",
            "strength",
        ),
        ("- {parties: [USA, CHN], relation: rivalry, strength: 0.5, start: 2018-13-06}", "start"),
        (
            "- {parties: [USA, CHN], relation: rivalry, strength: 0.5, start: 2018-07-06, "
            "end: yesterday}",
            "end",
        ),
        (
            "- {parties: [USA, CHN], relation: rivalry, strength: 0.5, start: 2018-07-06, "
            "end: 2018-01-01}",
            "not after start",
        ),
        ("- {parties: [usa, CHN], relation: rivalry, strength: 0.5, start: 2018-07-06}", "alpha-3"),
        (
            "- {parties: [NATO, RUS], relation: rivalry, strength: 0.5, start: 2014-03-18}",
            "alpha-3",
        ),
        ("- {parties: [USA], relation: rivalry, strength: 0.5, start: 2018-07-06}", "parties"),
        (
            "- {parties: [USA, CHN], relation: rivalry, strength: 0.5, begin: 2018-07-06}",
            "unknown keys",
        ),
    ],
)
def test_bad_entry_raises_naming_its_index(tmp_path: Path, second: str, message: str) -> None:
    with pytest.raises(ValueError, match="entry 1") as info:
        AlignmentTable.load(write(tmp_path, second + "\n"))
    assert message in str(info.value)


def test_good_temp_file_loads(tmp_path: Path) -> None:
    table = AlignmentTable.load(write(tmp_path, ""))
    assert len(table) == 1
    assert table.relation("IRN", "RUS", D("2025-02-01")).strength == 0.8
