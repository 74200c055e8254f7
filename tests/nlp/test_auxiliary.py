from datetime import date

import pytest
from newsmon.nlp.auxiliary import detect_auxiliary_modes


@pytest.mark.parametrize(
    ("sentence", "modes", "factor"),
    [
        ("Russian troops shelled Kharkiv on Monday.", [], 1.0),
        ("Russia did not send troops to Syria.", ["negation"], 0.0),
        ("Moscow has never recognised the vote.", ["negation"], 0.0),
        ("Trump could order strikes on Iran.", ["hypothetical"], 0.5),
        ("Talks will resume in Geneva next week.", ["future"], 0.8),
        ("If talks fail, Iran will enrich more uranium.", ["hypothetical", "future"], 0.4),
        ("Turkey is not only a NATO member but also a buyer of Russian arms.", [], 1.0),
    ],
)
def test_auxiliary_modes_drop_or_discount(sentence: str, modes: list[str], factor: float) -> None:
    found = detect_auxiliary_modes(sentence)
    assert found.names == modes
    assert found.confidence_factor == pytest.approx(factor)


@pytest.mark.parametrize(
    ("sentence", "history"),
    [
        ("Two Ivorian soldiers stand accused of the 2004 bombing of the French army base.", True),
        ("In the 1990s the two armies clashed along the border.", True),
        ("In December 2024, rebels swept Bashar al-Assad out of power.", False),
        ("The 2004 accord was broken by the strikes of 2026.", False),
        ("Russian troops shelled Kharkiv on Monday.", False),
        ("Iran, ruled by clerics since 1979, cracked down on the protesters.", False),
        ("Last month a court banned him over his 2006 campaign.", False),
    ],
)
def test_an_event_dated_years_before_its_story_is_history(sentence: str, history: bool) -> None:
    """Published in January 2026: "history" drops the event, as a negation does."""
    found = detect_auxiliary_modes(sentence, date(2026, 1, 15))
    assert found.history is history
    assert (found.confidence_factor == 0.0) is history
    assert not detect_auxiliary_modes(sentence).history, "no date, no history"
