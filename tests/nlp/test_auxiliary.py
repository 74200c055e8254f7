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
