"""Sentence splitting.

Blingfire's finite-state splitter handles abbreviations ("U.S.", "Mr.") well and costs
microseconds, so it never shows in the pipeline's profile. Paragraph breaks always end a
sentence, and fragments without a letter (bylines, "Loading…" widgets) are dropped.
"""

from __future__ import annotations

import re

import blingfire

_HAS_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
MAX_SENTENCE_CHARS = 2000


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        for sentence in blingfire.text_to_sentences(paragraph).split("\n"):
            sentence = sentence.strip()
            if len(sentence) < 3 or not _HAS_LETTER.search(sentence):
                continue
            sentences.append(sentence[:MAX_SENTENCE_CHARS])
    return sentences
