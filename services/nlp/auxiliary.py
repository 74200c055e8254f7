"""PLOVER's auxiliary modes from surface cues: negation, hypothetical, future.

The manual asks the coder to flag them; it leaves their use to the analyst. newsmon's policy:
a negated event ("Russia did not send troops") is dropped, since it did not happen; a
hypothetical one ("Trump could intervene") keeps its type and score with confidence halved; a
future one ("talks will resume") keeps them with confidence times 0.8. The cues are word lists,
so they misfire on idioms ("not only ... but also"); they are deliberately conservative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

HYPOTHETICAL_DISCOUNT = 0.5
FUTURE_DISCOUNT = 0.8


@dataclass(frozen=True)
class AuxiliaryModes:
    negation: bool
    hypothetical: bool
    future: bool

    @property
    def names(self) -> list[str]:
        return [n for n in ("negation", "hypothetical", "future") if getattr(self, n)]

    @property
    def confidence_factor(self) -> float:
        """0 drops the event; otherwise the discount its confidence gets."""
        if self.negation:
            return 0.0
        factor = HYPOTHETICAL_DISCOUNT if self.hypothetical else 1.0
        return factor * (FUTURE_DISCOUNT if self.future else 1.0)


def detect_auxiliary_modes(sentence: str) -> AuxiliaryModes:
    return AuxiliaryModes(
        negation=bool(_NEGATION.search(sentence)),
        hypothetical=bool(_HYPOTHETICAL.search(sentence)),
        future=bool(_FUTURE.search(sentence)),
    )
