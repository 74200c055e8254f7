from newsmon.core.sentences import split_sentences


def test_splits_on_sentence_ends_and_keeps_abbreviations() -> None:
    text = "The U.S. envoy met Mr. Lavrov on Monday. Talks ended without a deal."
    assert split_sentences(text) == [
        "The U.S. envoy met Mr. Lavrov on Monday.",
        "Talks ended without a deal.",
    ]


def test_paragraph_breaks_end_sentences_and_junk_is_dropped() -> None:
    text = "Headline without a stop\n\n2,500\n--\nSecond paragraph here."
    assert split_sentences(text) == ["Headline without a stop", "Second paragraph here."]


def test_empty_text_gives_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []
