"""Mentions joined by "and" or a comma play one role: "China and Russia call on the US...".

In ConfliBERT's role spans, two country mentions with nothing but ",", "and", ", and" or "&"
between them held the same role every time both were labelled (56 of 56 pairs: 24 reciprocal,
19 recipients, 13 actors; never one actor and one recipient). And when such a pair were the
only participants named, they were reciprocal ("Armenia and Azerbaijan have agreed to a
ceasefire", "The US and China have signed an agreement") in 19 of 20 sentences.

The role head reads one token at a time and does not see the coordination, so it could make
"India" the actor and "China" the recipient of "India and China have stepped up efforts to
build ties with Indian Ocean countries". ``coordination_groups`` finds the coordinated runs;
``newsmon.nlp.coder.assign_roles`` keeps each run on one side of the event.

"Both" marks a run acting jointly, not on each other: "Both Russia and the Syrian government
have welcomed the OPCW visit", "India and the US have both indicted Sajid Mir" (all three such
runs in ConfliBERT were actors or recipients together, none reciprocal); "Both Pakistan and
China reject the claims" is their joint answer to a third party.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsmon.nlp.actors import ActorMention

_COMMA = re.compile(r"\s*,\s*(?:the\s+|both\s+)?", re.IGNORECASE)
_BOTH_BEFORE = re.compile(r"\bboth\s+(?:the\s+)?$", re.IGNORECASE)
_BOTH_AFTER = re.compile(r"\s+(?:\w+\s+)?both\b", re.IGNORECASE)
_AND = re.compile(r"\s*(?:,?\s*and|&)\s*(?:the\s+|both\s+)?", re.IGNORECASE)


def coordination_groups(mentions: Sequence[ActorMention], text: str) -> list[int]:
    """A group number per mention (in the order given): mentions next to each other in the
    text with only a coordinator between them share one.

    A comma joins a list only when an "and" closes it ("Poland, Germany and Sweden"): alone
    it is as often an apposition or a clause boundary ("barred her from leaving Turkey,
    German officials said")."""
    order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
    runs: list[list[int]] = []
    joined_by_and: list[bool] = []
    for position, current in enumerate(order):
        gap = text[mentions[order[position - 1]].end : mentions[current].start] if position else ""
        if position and _AND.fullmatch(gap):
            runs[-1].append(current)
            joined_by_and[-1] = True
        elif position and _COMMA.fullmatch(gap):
            runs[-1].append(current)
        else:
            runs.append([current])
            joined_by_and.append(False)
    groups = [0] * len(mentions)
    group = 0
    for run, has_and in zip(runs, joined_by_and, strict=True):
        for part in [run] if has_and else [[member] for member in run]:
            for member in part:
                groups[member] = group
            group += 1
    return groups


def acts_jointly(run: Sequence[ActorMention], text: str) -> bool:
    """The run is marked with "both", before it or just after it ("have both")."""
    first = min(run, key=lambda m: m.start)
    last = max(run, key=lambda m: m.end)
    return bool(_BOTH_BEFORE.search(text[: first.start]) or _BOTH_AFTER.match(text, last.end))
