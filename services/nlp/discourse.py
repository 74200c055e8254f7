"""Whose "government forces"? Sector phrases that name no country, read in their article.

News names a country once and then goes on with "government forces", "protesters", "the
police": "Iran's leadership is struggling to contain the unrest. ... government forces have so
far killed more than 2,500 protesters." A coder that reads sentences one by one drops those
actors, and with them most of what an article says about a country's own turmoil.

``attribute_bare_agents`` gives such a phrase the country the text is about at that point,
and only when that is unambiguous:

1. the one country the sentence itself names; else
2. the one country named by the nearest earlier sentence that names any, no more than
   ``CONTEXT_SENTENCES`` back (a paragraph's reach, not the whole article's).

Two countries at either step, or none within reach, and the phrase stays out, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from newsmon.nlp.actors import ActorMention

CONTEXT_SENTENCES = 2


def _countries(mentions: Sequence[ActorMention], is_country: Callable[[str], bool]) -> set[str]:
    return {m.code for m in mentions if m.code and is_country(m.code)}


def attribute_bare_agents(
    article: Sequence[Sequence[ActorMention]], is_country: Callable[[str], bool]
) -> list[list[ActorMention]]:
    """The article's mentions, sentence by sentence, with bare sector phrases (``code == ""``)
    given their country where the text makes it unambiguous and dropped where it does not."""
    out: list[list[ActorMention]] = []
    for index, mentions in enumerate(article):
        bare = [m for m in mentions if not m.code]
        if not bare:
            out.append(list(mentions))
            continue
        country = _country_in_reach(article, index, is_country)
        out.append(
            [
                m if m.code else replace(m, code=country)
                for m in mentions
                if m.code or country is not None
            ]
        )
    return out


def _country_in_reach(
    article: Sequence[Sequence[ActorMention]], index: int, is_country: Callable[[str], bool]
) -> str | None:
    for back in range(CONTEXT_SENTENCES + 1):
        if index - back < 0:
            return None
        named = _countries(article[index - back], is_country)
        if named:
            return next(iter(named)) if len(named) == 1 else None
    return None
