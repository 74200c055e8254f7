"""PLOVER's size (dead, injured, arrested) read from a sentence's figures.

Most sentences are from the VOA seed stories; the rest are the shapes wire copy uses that the
seeds happen not to, and the numbers that are not casualties (years, dates, ages, shares).
"""

import pytest
from newsmon.nlp.casualties import extract_size, parse_figure
from newsmon.nlp.coder import _size


@pytest.mark.parametrize(
    ("sentence", "size"),
    [
        (
            "The Human Rights Activists News Agency estimates government forces have so far "
            "killed more than 2,500 protesters.",
            {"dead": 2500},
        ),
        (
            "He said the security forces have arrested at least 2,400 people for suspected "
            "participation in the anti-coup demonstrations since February 1.",
            {"arrested": 2400},
        ),
        (
            "The single biggest attack, in 2009, killed at least 25 people and injured 60 others.",
            {"dead": 25, "injured": 60},
        ),
        ("However, he said 21 passengers died in the initial attack by the BLA.", {"dead": 21}),
        ("Nine pro-Palestinian activists aboard were killed.", {"dead": 9}),
        (
            "Pakistani authorities reported the convoy was passing through Kalat when it came "
            "under attack, resulting in injuries to eight security personnel.",
            {"injured": 8},
        ),
        # the figure of another clause is not the dead: 190 were rescued, 30 killed
        (
            "Security sources said Wednesday a Pakistani military operation rescued 190 "
            "passengers and killed 30 terrorists, a day after an attack on a train.",
            {"dead": 30},
        ),
        (
            "Since 2009, hundreds of people have been killed in suicide attacks and car bombs "
            "on hotels, restaurants and government bases.",
            {"dead": 200},
        ),
        ("The death toll rose to 31 on Tuesday.", {"dead": 31}),
        ("Security forces shot dead five protesters.", {"dead": 5}),
        ("Tens of thousands were detained.", {"arrested": 20_000}),
        ("Some 1.5 million people were displaced and 2,000 died.", {"dead": 2000}),
        ("On March 6 two people were killed.", {"dead": 2}),
        (
            "West Bengal Chief Minister Mamata Banerjee expressed condolences to family members "
            "of six farmers who were killed in alleged police firing in Madhya Pradesh.",
            {"dead": 6},
        ),
        (
            "On Friday, Palestinian gunmen killed an Israeli soldier and the Israeli military "
            "launched dozens of strikes that killed four Palestinians.",
            {"dead": 4},
        ),
    ],
)
def test_figures_of_the_dead_injured_and_arrested(sentence: str, size: dict) -> None:
    assert extract_size(sentence) == size


@pytest.mark.parametrize(
    "sentence",
    [
        "In December 2024, a coalition of rebel groups killed Assad's guards.",  # a year
        "The alleged coup plotters involved in the attempt to overthrow President Jovenel "
        "Moise on Feb. 7 are also detained there.",  # a date
        "The 25-year-old was killed.",  # an age
        "Prices rose 5 percent, killing demand.",  # a share
        "He was jailed for 10 years.",  # a term
        "No one was hurt.",
        "Police fired tear gas at the crowd.",  # no figure at all
    ],
)
def test_numbers_that_are_not_casualties(sentence: str) -> None:
    assert extract_size(sentence) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2,500", 2500),
        ("1.5 million", 1_500_000),
        ("a dozen", 12),
        ("hundreds", 200),
        ("twelve", 12),
        ("2024", None),
        ("three thousand", 3000),
    ],
)
def test_parse_figure(text: str, value: int | None) -> None:
    assert parse_figure(text) == value


def test_each_type_keeps_the_figures_it_can_cause() -> None:
    """COERCE falls short of violence (PLOVER): deaths in a sentence read as COERCE are someone
    else's harm, arrests are its own. A statement carries no size at all."""
    tariffs = (
        "He said Trump's tariffs are aimed at cutting the tens of thousands of fentanyl deaths "
        "and that police arrested 40 smugglers."
    )
    assert extract_size(tariffs) == {"dead": 20_000, "arrested": 40}
    assert _size("COERCE", tariffs) == {"arrested": 40}
    assert _size("ASSAULT", tariffs) == {"dead": 20_000}
    assert _size("PROTEST", tariffs) == {"dead": 20_000, "arrested": 40}
    assert _size("ACCUSE", tariffs) is None


@pytest.mark.parametrize(
    ("sentence", "size"),
    [
        # a figure before an active verb names who acted, not the victims
        ("Dozens of strikes killed four.", {"dead": 4}),
        ("Thousands of troops killed dozens of civilians.", {"dead": 24}),
        ("Hundreds of police arrested 12 activists.", {"arrested": 12}),
        ("Police in 20 provinces arrested 5.", {"arrested": 5}),
        ("Two gunmen killed a police officer.", None),
        ("Thousands of troops killed civilians.", None),
        # times, ages, distances, votes and things are not people
        ("He died 10 minutes later.", None),
        ("Five were killed at 10:30.", {"dead": 5}),
        ("He was detained at 2 a.m.", None),
        ("The singer died at 85.", None),
        ("A shell landed and killed 100 meters from the border.", None),
        ("Parliament voted 230 to 10 to condemn the killing.", None),
        ("Not one person was hurt.", None),
        ("The strike hurt 200 businesses.", None),
        # places and words that only look like months
        ("In Mariupol 300 people were killed.", {"dead": 300}),
        ("Doctors declared five people dead.", {"dead": 5}),
        ("In May two people were killed.", {"dead": 2}),
        # more of the shapes
        ("The death toll has risen to 1,000.", {"dead": 1000}),
        ("At least 6 people have reportedly been killed.", {"dead": 6}),
        ("Twenty-five people were killed.", {"dead": 25}),
        ("12 killed in Kabul blast.", {"dead": 12}),
        ("At least 37 injured people are in hospitals for treatment.", {"injured": 37}),
        ("Five people killed, police said.", {"dead": 5}),
    ],
)
def test_who_acted_and_what_is_no_count(sentence: str, size: dict | None) -> None:
    assert extract_size(sentence) == size


def test_a_number_too_long_to_be_a_count_is_no_figure() -> None:
    """A hostile article must not crash the coder: digits past a count's length are no
    figure (a float of 400 digits overflowed)."""
    assert extract_size("Police arrested " + "9" * 400 + " people.") is None
