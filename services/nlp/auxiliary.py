"""PLOVER's auxiliary modes from surface cues: negation, hypothetical, future.

The manual asks the coder to flag them; it leaves their use to the analyst. newsmon's policy:
a negated event ("Russia did not send troops") is dropped, since it did not happen; a
hypothetical one ("Trump could intervene") keeps its type and score with confidence halved; a
future one ("talks will resume") keeps them with confidence times 0.8. The cues are word lists,
so they misfire on idioms ("not only ... but also"); they are deliberately conservative.

A fourth, not PLOVER's: history. News recalls old events to explain new ones ("two Ivorian
soldiers stand accused of the 2004 bombing of the French army base", in a 2023 story), and
coded at the article's date they read as today's: France "at risk" from a bombing nineteen
years old. A sentence whose every year is at least ``HISTORY_YEARS`` before its article's is
history, and its event is dropped, as a negated one is (a year at most two back, "in December
2024" in a January 2026 story, can still be the news the story is about).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_NEGATION = re.compile(
    r"\b(?:not|never|no longer|didn't|doesn't|hasn't|haven't|hadn't|won't|wasn't|weren't|"
    r"isn't|aren't|cannot|can't|failed to)\b(?! only\b)",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:could|would|might|may|if|unless|possibility|possibly|potentially|hypothetical)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|shall|plans? to|planning to|intends? to|(?:is|are) set to|(?:is|are) expected to|"
    r"(?:is|are) due to|next (?:week|month|year))\b",
    re.IGNORECASE,
)

# a year the event is dated to; "since 1979" dates a state of affairs that goes on, not it
_YEAR = re.compile(r"(?<!since )(?<!since the )\b(19[0-9]{2}|20[0-9]{2})(?:s\b)?", re.IGNORECASE)
# ...unless the sentence also says the event is recent ("last month, a court sentenced...")
_RECENT = re.compile(
    r"\b(?:(?:last|this|past) (?:week|month|weekend)|yesterday|today|now|recently|currently|"
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.IGNORECASE,
)
HISTORY_YEARS = 3
HYPOTHETICAL_DISCOUNT = 0.5
FUTURE_DISCOUNT = 0.8


@dataclass(frozen=True)
class AuxiliaryModes:
    negation: bool
    hypothetical: bool
    future: bool
    history: bool = False

    @property
    def names(self) -> list[str]:
        return [n for n in ("negation", "hypothetical", "future", "history") if getattr(self, n)]

    @property
    def confidence_factor(self) -> float:
        """0 drops the event; otherwise the discount its confidence gets."""
        if self.negation or self.history:
            return 0.0
        factor = HYPOTHETICAL_DISCOUNT if self.hypothetical else 1.0
        return factor * (FUTURE_DISCOUNT if self.future else 1.0)


def is_history(sentence: str, published: date | None) -> bool:
    """Every year the sentence names lies ``HISTORY_YEARS`` or more before ``published``, and
    nothing in it says the event is recent."""
    years = [int(y) for y in _YEAR.findall(sentence)]
    if not (published and years) or _RECENT.search(sentence):
        return False
    return max(years) <= published.year - HISTORY_YEARS


def detect_auxiliary_modes(sentence: str, published: date | None = None) -> AuxiliaryModes:
    return AuxiliaryModes(
        negation=bool(_NEGATION.search(sentence)),
        hypothetical=bool(_HYPOTHETICAL.search(sentence)),
        future=bool(_FUTURE.search(sentence)),
        history=is_history(sentence, published),
    )
