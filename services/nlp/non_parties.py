"""Countries a sentence names that take no part in its event: a weapon's maker, a base's host.

The role head reads who acts on whom from token states; it has no notion that "Russian" in
"Turkey's purchase of Russia's S-400 missile system" names where the missiles were made, not a
party to the United States sanctioning Turkey. Such readings put Russia into the Turkey-US
quarrel of 2019 as its target and raised a Russia-Turkey "turn toward conflict" from it. Two
shapes are common in news and have one reading:

- **a weapon's maker**: a demonym or a possessive country on a weapon, as what is bought,
  tested, used or sold ("acquired Russian S-400 missile systems", "a purchase of Russian
  jets", "turn to Russia's SU 35", "attacked with Iranian drones"), or a made-by compound
  anywhere ("Russian-built air-defence systems", "Chinese-made drones"). ConfliBERT's
  annotators agree: in "The US Trump administration has imposed sanctions on its NATO ally
  Turkey for acquiring the Russian S-400 missile defense system" the target is Turkey alone.
  A weapon phrase that acts ("Russian jets bombed Idlib") is not preceded by a preposition
  or a verb of acquiring or using, so its country stays the actor (its military);
- **a base's host**: the country after "in" or "at" on another country's base or embassy
  ("the U.S. naval base in Cuba", "its naval base at Guantanamo Bay, Cuba", "Russia's air
  and naval bases in Syria"): the base is where the owner acts, not a party it acts on. A
  base named without an owner ("a military base in Saudi Arabia") keeps its country, the
  CAMEO reading of a location as the target.

``non_party_mentions`` finds them; role assignment leaves them out, so an event keeps its real
actor and recipient, or has no second country at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsmon.nlp.actors import ActorMention

WEAPONS = (
    r"(?:anti-aircraft|air[- ]defen[cs]e|missile|radar|weapons?|arms|jets?|fighter(?: jet)?s?|"
    r"warplanes?|aircraft|planes?|bombers?|helicopters?|drones?|tanks?|rifles?|guns?|"
    r"artillery|munitions|ammunition|missiles?|rockets?|submarines?|warships?|frigates?|"
    r"systems?|hardware|(?:S|Su|SU|F|MiG|J)[- ]?\d+\w*)"
)
# what a weapon undergoes in a sentence about someone else: bought, tested, used, sold
_TAKEN_BY = (
    r"(?:of|to|for|with|acquir(?:e|ed|es|ing)|bought|buy(?:s|ing)?|purchas(?:e|ed|es|ing)|"
    r"test(?:s|ed|ing)?|us(?:e|ed|es|ing)|receiv(?:e|ed|es|ing)|deploy(?:s|ed|ing)?|"
    r"sold|sell(?:s|ing)?|supplied|deliver(?:s|ed|ing|y)?|operat(?:e|ed|es|ing))"
)
_DETERMINERS = r"(?:(?:a|an|the|its|their|his|her|new|newly|more|additional|advanced)\s+){0,3}"
_TAKEN_BEFORE = re.compile(rf"\b{_TAKEN_BY}\s+{_DETERMINERS}$", re.I)
_ON_A_WEAPON = re.compile(rf"(?:['’]s)?\s+(?:[\w-]+\s+){{0,3}}?{WEAPONS}\b", re.I)
_MADE_BY = re.compile(
    r"-(?:built|made|supplied|designed|manufactured|produced|developed|origin)\b", re.I
)
_FACILITY = (
    r"(?:(?:naval|air|military|army|missile|radar|air and naval)\s+)?"
    r"(?:bases?|embassy|consulate|facilit(?:y|ies))"
)
# the owner: a possessive, "its", a country's name or demonym, or the subject who "has" bases
_OWNED_FACILITY_IN = re.compile(
    rf"(?:['’]s|\b(?:its|their|has|have|had)|\b[A-Z][\w.]*)\s+{_FACILITY}\s+(?:in|at)\s+(?:[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*,\s+)?$"
)
_COUNTRY_KINDS = {"country", "demonym"}


def _weapon_maker(mention: ActorMention, text: str) -> bool:
    if _MADE_BY.match(text, mention.end):
        return True
    possessive = text.startswith(("'s", "’s"), mention.end)
    if mention.kind != "demonym" and not (mention.kind == "country" and possessive):
        return False
    return bool(
        _ON_A_WEAPON.match(text, mention.end) and _TAKEN_BEFORE.search(text[: mention.start])
    )


def _base_host(mention: ActorMention, text: str, mentions: Sequence[ActorMention]) -> bool:
    if mention.kind not in _COUNTRY_KINDS | {"capital"}:
        return False
    before = text[: mention.start]
    found = _OWNED_FACILITY_IN.search(before)
    if found is None:
        return False
    owner = before[found.start() : found.end()].split()[0]
    # an owner that is the host itself ("Syria's bases in Syria") is no other country's base
    owners = [m for m in mentions if m.end >= found.start() and m.start < found.end()]
    return owner.lower() in {"its", "their", "has", "have", "had"} or any(
        m.code != mention.code for m in owners
    )


def non_party_mentions(mentions: Sequence[ActorMention], text: str) -> list[ActorMention]:
    """The mentions that name a weapon's maker or a foreign base's host (module doc)."""
    return [m for m in mentions if _weapon_maker(m, text) or _base_host(m, text, mentions)]
