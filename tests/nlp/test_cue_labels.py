"""Weak event types from verb cues inside a human pentacode."""

import pytest
from newsmon.nlp.cue_labels import PENTACODE_TYPES, cue_type, plover_quad
from newsmon.nlp.ontology import EVENT_TYPE_NAMES


@pytest.mark.parametrize(
    ("text", "pentacode", "expected"),
    [
        (
            "Theresa May has met Angela Merkel at a summit in Estonia.",
            "verbal_cooperation",
            "CONSULT",
        ),
        ("Erdogan will meet Mattarella in Rome.", "verbal_cooperation", "AGREE"),  # future: AGREE
        ("North Korea threatened to shell South Korean sites.", "verbal_conflict", "THREATEN"),
        ("Germany summoned the Chinese ambassador to complain.", "verbal_conflict", "ACCUSE"),
        ("Denmark announced a suspension of aid to Egypt.", "verbal_conflict", "SANCTION"),
        ("Beijing police have detained 18 people.", "material_conflict", "COERCE"),
        ("Iraqi warplanes attacked a Daesh factory.", "material_conflict", "ASSAULT"),
        ("Germany gave 352.5 million euros to Ethiopia.", "material_cooperation", "AID"),
        ("Japan lifted travel curbs on North Korea.", "material_cooperation", "RETREAT"),
    ],
)
def test_the_earliest_cue_among_the_pentacodes_types_wins(text, pentacode, expected) -> None:
    assert cue_type(text, pentacode) == expected


def test_no_cue_or_no_event_gives_no_label() -> None:
    assert cue_type("The weather in Kabul was mild.", "material_conflict") is None
    assert cue_type("Police detained protesters.", "none") is None


def test_pentacodes_partition_the_plover_types_and_sanction_is_material() -> None:
    allowed = [t for types in PENTACODE_TYPES.values() for t in types]
    assert sorted(allowed) == sorted(EVENT_TYPE_NAMES) and len(set(allowed)) == len(allowed)
    assert (
        plover_quad("The US imposed sanctions on Iran.", "verbal_conflict") == "material_conflict"
    )
    assert plover_quad("Russia accused Ukraine.", "verbal_conflict") == "verbal_conflict"
