"""How many were killed, injured or arrested: PLOVER's ``size`` of an event, read from its sentence.

PLOVER gives events of force and repression a ``size`` with three standard fields, ``dead``,
``injured`` and ``arrested`` (the manual's "information object for size"; ASSAULT carries
dead and injured, PROTEST and COERCE arrests). The encoder heads say *what* happened; the scale
is in the numbers, which a classifier over a pooled embedding does not read: "security forces
killed two protesters" and "security forces killed more than 2,500 protesters" get the same
type and nearly the same confidence. Wire copy states these figures in a handful of fixed
shapes, so a small grammar reads them:

- a figure before its verb: "at least 12 people were killed", "50 dead", "five soldiers
  wounded";
- a verb before its figure: "killed more than 2,500 protesters", "arresting hundreds";
- a toll: "the death toll rose to 31", "12 deaths", "300 arrests".

A figure is digits ("2,500", "1.5 million"), number words ("twelve", "a dozen") or a vague
quantity read as its lower bound ("dozens" 24, "scores" 40, "hundreds" 200, "thousands" 2000,
"tens of thousands" 20000), as the manual allows ("number or code"). Years, percentages, sums
of money and ages are not figures, nor is a figure more than ``MAX_FILLER`` words from its
verb. Of several figures of one kind in a sentence the largest is kept, a lower bound of the
sentence's total.
"""

from __future__ import annotations

import re

# The size fields each type can carry. PLOVER gives ASSAULT dead and injured; COERCE is
# coercion "falling short of violence", so its figures are arrests ("killed" in a sentence read
# as COERCE is someone else's harm: "tariffs ... aimed at cutting the tens of thousands of
# fentanyl deaths"); a PROTEST, riots included, can end in deaths, injuries and arrests.
SIZE_FIELDS = {
    "ASSAULT": ("dead", "injured"),
    "PROTEST": ("dead", "injured", "arrested"),
    "COERCE": ("arrested",),
}
MAX_FILLER = 3  # words allowed between a figure and its verb ("12 unarmed young protesters")

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "a dozen": 12, "a hundred": 100, "a thousand": 1000,
}  # fmt: skip
_VAGUE = {
    "tens of thousands": 20_000, "hundreds of thousands": 200_000, "dozens": 24,
    "scores": 40, "hundreds": 200, "thousands": 2000,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

# How each kind is said. A figure before its verb counts only where the verb has no object
# of its own: passive ("were killed"), reduced ("12 killed in a blast", "37 injured people") or
# intransitive ("21 died", "25 deaths"); "Two gunmen killed a police officer" names gunmen. A
# figure after a transitive verb is its object ("killed more than 2,500 protesters").
_PARTICIPLES = {
    "dead": r"killed|slain|massacred|executed|shot dead|slaughtered",
    "injured": r"injured|wounded|hurt",
    "arrested": r"arrested|detained|jailed|imprisoned|rounded up|taken into custody",
}
_INTRANSITIVE = {
    "dead": r"died|dead|deaths|fatalities|lost their lives|perished",
    "injured": r"injuries",
    "arrested": r"arrests|detentions",
}
_ACTIVE = {
    "dead": r"killed|killing|kills|kill|massacred|executed|shot dead|slaughtered|deaths of",
    "injured": r"injured|injuring|wounded|wounding|injuries to",
    "arrested": r"arrested|arresting|detained|detaining|jailed|jailing|imprisoned|"
    r"rounded up|arrest of|arrests of|detention of",
}
_TOLL = (
    r"\b(?:death toll|toll|number of (?:dead|deaths|fatalities))\s+"
    r"(?:(?:has|had|have|now|rose|risen|rises|climbed|reached|hit|increased|jumped|stood|"
    r"stands|is|was|of|to|at)\s+)*"
)
_NUMBER_WORDS = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_VAGUE_WORDS = "|".join(sorted(map(re.escape, _VAGUE), key=len, reverse=True))
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ONES = "one|two|three|four|five|six|seven|eight|nine"
_FIGURE = (
    rf"(?<![\w$£€.,:-])(?P<figure>(?:{_VAGUE_WORDS})\b|"
    rf"(?:\d{{1,3}}(?:,\d{{3}}){{1,3}}|\d{{1,7}}(?:\.\d{{1,3}})?|(?:{_TENS})[- ](?:{_ONES})|"
    rf"(?:{_NUMBER_WORDS}))"
    rf"(?:[ -](?:hundred|thousand|million)\b)?)(?![\w%:]|\.\d| ?percent| per cent)"
)
_QUALIFIER = (
    r"(?:(?:more than|over|at least|nearly|almost|about|around|some|up to|an estimated|"
    r"as many as|roughly|approximately|upwards of)\s+)?"
)
# words that end a figure's phrase: "rescued 190 passengers and killed 30" names 30 dead
_CLAUSE_BREAK = r"(?:and|or|but|while|after|before|when|as|who|which|that|said|says)\b"
_FILLER = rf"(?:(?!{_CLAUSE_BREAK})[A-Za-z][\w'-]*\s+){{0,{MAX_FILLER}}}"
# "six farmers who were killed"; not "dozens of strikes that killed four"
_RELATIVE = r"(?:(?:who|that|which)\s+)?"
_PASSIVE = (
    r"(?:(?:have|has|had|now|also|all|reportedly|allegedly)\s+)*(?:were|was|been|are|is|being)"
    r"\s+(?:(?:reportedly|allegedly|also|all|later|been|being)\s+)*"
)
# what may follow a reduced passive: "12 killed in a blast", "five wounded, police said"; and
# for the injured, whom ("37 injured people": "wounded civilians" is never an act of the 37)
_REDUCED_END = (
    r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:in|on|at|during|when|after|as|by|and|or|while|since|near|"
    r"across|overnight|last|this|yesterday|today|following|amid|(?-i:[A-Z]){whom})\b)"
)
_WHOM = r"|people|persons|civilians|others|passengers|soldiers|troops|protesters|children|men|women"
_NOT_A_FIGURE_AFTER = re.compile(
    r"[\s-]*(?:years?|year-old|days?|months?|weeks?|hours?|minutes?|seconds?|km|kilometers|"
    r"kilometres|miles|meters|metres|feet|foot|yards|a\.m\.|p\.m\.|am|pm|o'clock|percent|"
    r"per cent|dollars|euros|votes|%)(?:\b|(?<=\.))",
    re.I,
)
# "no one was hurt" states no figure, nor does a date ("detained since Feb. 7")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NOT_A_FIGURE_BEFORE = re.compile(rf"(?:\b(?:no|not) one|\b(?:{_MONTHS})\.?\s+\d{{1,2}})$", re.I)
_LOOK_BACK = 40  # characters before a figure that can hold a month or "no one"


def _patterns(kind: str) -> list[re.Pattern[str]]:
    participle = rf"(?:{_PARTICIPLES[kind]})\b"
    intransitive = rf"(?:{_INTRANSITIVE[kind]})\b"
    before = rf"{_QUALIFIER}{_FIGURE}\s+{_FILLER}"
    patterns = [
        # "more than 2,500 protesters were killed", "six farmers who were killed"
        rf"{before}{_RELATIVE}{_PASSIVE}{participle}",
        # "12 killed in a blast", "37 injured people"
        rf"{before}{participle}" + _REDUCED_END.format(whom=_WHOM if kind == "injured" else ""),
        # "21 passengers died", "12 dead", "300 arrests"
        rf"{before}(?:{_PASSIVE})?{intransitive}",
        # "killed more than 2,500 protesters", "the killing of four young men"
        rf"\b(?:{_ACTIVE[kind]})\s+(?:of\s+)?{_QUALIFIER}{_FIGURE}",
    ]
    if kind == "dead":
        patterns.append(rf"{_TOLL}{_QUALIFIER}{_FIGURE}")  # "the death toll rose to 31"
    return [re.compile(p, re.I) for p in patterns]


_BY_KIND = {kind: _patterns(kind) for kind in _PARTICIPLES}
_ANY_HARM = re.compile(
    r"kill|dead|died|death|fatalit|slain|massacr|execut|slaughter|perish|lives|toll|injur|"
    r"wound|hurt|arrest|detain|detention|jail|imprison|rounded up|custody",
    re.I,
)


def parse_figure(text: str) -> int | None:
    """The number a figure states ("2,500" 2500, "1.5 million" 1500000, "a dozen" 12,
    "twenty-five" 25, "hundreds" 200); None for a year or anything else it cannot read."""
    words = text.lower().replace("-", " ").split()
    phrase = " ".join(words)
    if phrase in _VAGUE:
        return _VAGUE[phrase]
    scale = 1
    if len(words) > 1 and words[-1] in _SCALES:
        scale, words = _SCALES[words[-1]], words[:-1]
    head = " ".join(words)
    if head in _UNITS:
        value = float(_UNITS[head])
    elif len(words) == 2 and all(w in _UNITS for w in words):  # "twenty-five"
        value = float(_UNITS[words[0]] + _UNITS[words[1]])
    else:
        digits = head.replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            return None
        if scale == 1 and "," not in head and "." not in head and 1800 <= value <= 2100:
            return None  # a year
    return int(value * scale)


def extract_size(sentence: str) -> dict[str, int] | None:
    """The sentence's figures by kind (``dead``, ``injured``, ``arrested``, each the largest
    stated), or None when it states none."""
    if not _ANY_HARM.search(sentence):  # most sentences: one scan instead of fifteen
        return None
    found: dict[str, int] = {}
    for kind, patterns in _BY_KIND.items():
        for pattern in patterns:
            for figure, end in _figures(pattern, sentence):
                if _NOT_A_FIGURE_AFTER.match(sentence, end) or _NOT_A_FIGURE_BEFORE.search(
                    sentence, max(0, end - _LOOK_BACK), end
                ):
                    continue
                value = parse_figure(figure)
                if value is not None and value > 0:
                    found[kind] = max(found.get(kind, 0), value)
    return found or None


def _figures(pattern: re.Pattern[str], sentence: str) -> list[tuple[str, int]]:
    """Every figure the pattern finds, overlapping matches included: "On March 6 two people
    were killed" must try "two" after rejecting the date's "6"."""
    found, position = [], 0
    while (match := pattern.search(sentence, position)) is not None:
        found.append((match.group("figure"), match.end("figure")))
        position = match.start() + 1
    return found
