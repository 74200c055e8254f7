"""Time-aware actor resolution: find countries, IGOs, people and PLOVER sectors in a sentence.

The stream calls :meth:`ActorResolver.resolve` for every sentence, so everything expensive
happens once, in the constructor: every alias of the knowledge base (``data/actors/*.json``,
built by :mod:`newsmon.nlp.build_actor_kb`, plus ``seeds/actors/overrides.yaml``) goes into
one token trie. Resolving a sentence is then one regex tokenisation and a dictionary walk per
token, followed by a small composition pass that merges "US" + "President" + "Donald Trump"
into one mention.

Case rules, chosen to avoid the classic false positives:

* acronyms of up to three letters ("US", "UN", "EU", "WHO", "ICC") must match exactly, so
  "us", "Us" and "who" never resolve; longer acronyms only need a capital initial because
  some outlets write "Nato", "Opec";
* names need a capital initial on every capitalised word ("Iran", "Kremlin"), particles such
  as "al" or "of" match in any case; sector words ("troops", "protesters") match in any case;
* a single-word person alias, capital or ambiguous country name ("Chad", "Jordan",
  "Georgia") is rejected when it sits next to an unknown capitalised word, which is how
  "Michael Jordan", "Jordan Peterson", "Boris Johnson" vs "Andrew Johnson" and "Washington
  Institute" look; title-case headlines skip this check.

Time: a person's alias resolves to the role held on ``on`` (default today). Outside every
known role (before, after, or past the 2016 horizon of the Phoenix data for people not in
the overrides) the person resolves to the country of their latest role with ``agent=None``
-- Assad on 2026-01-15 is SYR/None, still named. PLOVER would call an ousted leader ELI; we
leave the sector empty because the dictionaries cannot tell a retired minister from an
exile or a prisoner.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

KINDS = ("country", "demonym", "capital", "metonym", "igo", "person", "org", "agent_phrase")
# PLOVER sectors that act as the state: government, military, police, intelligence, courts
STATE_AGENTS = frozenset({"GOV", "MIL", "COP", "SPY", "JUD"})

_DATA_PACKAGE = "newsmon.nlp"
_OVERRIDES = Path("seeds") / "actors" / "overrides.yaml"

_TOKEN = re.compile(r"[^\W_]+|[^\w\s-]")
_EXACT, _CAP, _ANY = 0, 1, 2
_END = ""

_PRIO_AGENT, _PRIO_GENERATED, _PRIO_CURATED, _PRIO_OVERRIDE = 1, 2, 3, 4

_AMBIGUOUS_COUNTRY_WORDS = {
    "chad",
    "jordan",
    "georgia",
    "niger",
    "india",
    "cuba",
    "israel",
    "kenya",
    "chile",
    "china",
    "peru",
    "mali",
    "togo",
    "victoria",
}
_LOCATIVES = {
    "in",
    "at",
    "near",
    "outside",
    "around",
    "across",
    "throughout",
    "within",
    "into",
    "inside",
    "visited",
    "visiting",
    "visit",
}
# kinds whose one-word aliases are guarded as common words ("Congress", "Foundation"), not as
# names: written in capitals they are acronyms ("FBI", "FARC") and need no guard
_GUARDED_WORDS = frozenset({"org", "metonym"})
_STOP_CAPS = {
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "from",
    "to",
    "and",
    "but",
    "or",
    "for",
    "with",
    "by",
    "of",
    "as",
    "if",
    "when",
    "while",
    "after",
    "before",
    "since",
    "why",
    "how",
    "what",
    "where",
    "who",
    "which",
    "meanwhile",
    "both",
    "between",
    "during",
    "under",
    "over",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "his",
    "her",
    "their",
    "our",
    "my",
    "then",
    "so",
    "yet",
    "also",
    "not",
    "no",
    "all",
    "some",
    "many",
    "most",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "sheikh",
    "gen",
    "lt",
    "col",
    "adm",
    "sen",
    "rep",
    "gov",
    "prof",
    "ayatollah",
    "king",
    "queen",
    "prince",
    "emir",
    "pope",
    "president",
    "minister",
    "premier",
    "reuters",
    "ap",
    "afp",
    "says",
    "said",
    "told",
    "according",
    "via",
    "today",
    "yesterday",
    "tomorrow",
    "later",
    "earlier",
    "now",
    "still",
    "even",
    "only",
    "last",
    "next",
    "however",
    "although",
    "though",
    "because",
    "once",
    "here",
    "there",
    "recently",
    "already",
    "separately",
    "neighbouring",
    "neighboring",
    "tiny",
    "landlocked",
    "oil",
    "rich",
    "war",
    "torn",
    "neither",
    "either",
    "every",
    "each",
    "such",
    "other",
    "another",
    "new",
}
_TITLE_LOWER = {
    "a",
    "an",
    "the",
    "and",
    "but",
    "or",
    "for",
    "nor",
    "of",
    "on",
    "in",
    "at",
    "to",
    "by",
    "with",
    "from",
    "as",
    "vs",
    "v",
    "s",
}
_PARTICLES = {
    "al",
    "el",
    "bin",
    "ibn",
    "bint",
    "de",
    "da",
    "del",
    "di",
    "du",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "dos",
    "das",
    "abu",
    "abd",
    "ul",
}


@dataclass(frozen=True)
class ActorMention:
    """One resolved actor in a text; ``text[start:end] == mention.text``.

    ``kind`` is one of :data:`KINDS`; "org" (armed groups, NGOs, national institutions) is
    an addition to the kinds the event coder was first specified with.
    """

    start: int
    end: int
    text: str
    code: str
    agent: str | None
    name: str | None
    kind: str


@dataclass(frozen=True)
class _Target:
    """What an alias points at. ``roles`` are (start, end, code, agent) with date ordinals;
    None bounds are open. ``authoritative`` marks hand-maintained entries whose roles are
    believed complete up to today."""

    kind: str
    code: str
    agent: str | None
    name: str | None
    roles: tuple[tuple[int | None, int | None, str, str | None], ...] = ()
    guard: bool = False
    authoritative: bool = False

    def at(self, day: int) -> tuple[str, str | None, bool]:
        """(code, agent, in_role) on the given date ordinal."""
        if not self.roles:
            return self.code, self.agent, True
        best = None
        for start, end, code, agent in self.roles:
            if (
                (start is None or start <= day)
                and (end is None or day < end)
                and (best is None or (start or 0) >= (best[0] or 0))
            ):
                best = (start, end, code, agent)
        if best is None:
            return self.code, None, False
        return best[2], best[3], True


@dataclass(frozen=True)
class _Candidate:
    target: _Target
    pattern: tuple[tuple[int, str], ...]
    priority: int


@dataclass
class _Match:
    i: int
    j: int
    target: _Target
    cls: str
    agent: str | None


_FOLD = {}
for _cp in range(0x80, 0x250):
    _ch = chr(_cp)
    _base = "".join(c for c in unicodedata.normalize("NFKD", _ch) if not unicodedata.combining(c))
    if len(_base) == 1 and _base != _ch:
        _FOLD[_cp] = _base
_FOLD.update(
    {
        ord(k): v
        for k, v in {
            "’": "'",
            "‘": "'",
            "ʼ": "'",
            "`": "'",
            "´": "'",
            "‐": "-",
            "‑": "-",
            "‒": "-",
            "İ": "I",
            "ı": "i",
            "ß": "s",
            "æ": "a",
            "Æ": "A",
            "ø": "o",
            "Ø": "O",
            "đ": "d",
            "Đ": "D",
            "ł": "l",
            "Ł": "L",
        }.items()
    }
)
del _cp, _ch, _base


def normalize(text: str) -> str:
    """Accent-free lower case with curly quotes straightened, keeping every offset."""
    folded = text.translate(_FOLD).lower()
    if len(folded) != len(text):
        folded = "".join(c.translate(_FOLD).lower()[:1] or c for c in text)
    return folded


def _tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(normalize(text))]


def _pattern(
    alias: str, spans: Sequence[tuple[int, int]], anycase: bool
) -> tuple[tuple[int, str], ...]:
    out = []
    for s, e in spans:
        tok = alias[s:e]
        if anycase or not tok[:1].isalpha():
            out.append((_ANY, tok))
        elif tok.isupper() and sum(c.isalpha() for c in tok) <= 3:
            out.append((_EXACT, tok))
        elif tok[:1].isupper():
            out.append((_CAP, tok))
        else:
            out.append((_ANY, tok))
    return tuple(out)


def _date_ord(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().toordinal()
    if isinstance(value, dt.date):
        return value.toordinal()
    return dt.date.fromisoformat(str(value)).toordinal()


class ActorResolver:
    """Resolve actor mentions in sentences; build once, call :meth:`resolve` per sentence."""

    def __init__(self, kb: dict[str, Any], overrides: dict[str, Any] | None = None) -> None:
        self._root: dict[str, Any] = {}
        self._plover: dict[str, str] = {}
        self._load_kb(kb, overrides or {})

    @classmethod
    def default(cls) -> ActorResolver:
        """The committed KB plus ``seeds/actors/overrides.yaml``, built once per process.

        The overrides are looked up in the working directory, then above this file (see
        :func:`find_overrides`); use :meth:`load` to pass other paths.
        """
        return _default_resolver()

    @classmethod
    def load(
        cls, data_dir: Path | None = None, overrides_path: Path | None = None
    ) -> ActorResolver:
        """Build from explicit paths (tests, tools); ``overrides_path=None`` means none."""
        kb = load_kb(data_dir)
        overrides = load_overrides(overrides_path) if overrides_path else None
        return cls(kb, overrides)

    def plover_country(self, code: str) -> str:
        """PLOVER's country field for a mention code: ISO codes pass through, IGO short codes
        map to UNO, EUR, IGO or NGO as the manual's table of non-state actors says."""
        return self._plover.get(code, code)

    def is_country(self, code: str) -> bool:
        """A state's ISO code, not an IGO's, NGO's or group's."""
        return len(code) == 3 and code.isalpha() and code.isupper() and code not in self._plover

    # -- building -------------------------------------------------------------------------

    def _add(self, alias: str, target: _Target, priority: int, anycase: bool = False) -> None:
        spans = _tokens(alias)
        if not spans:
            return
        norm = normalize(alias)
        keys = [norm[s:e] for s, e in spans]
        pattern = _pattern(alias, spans, anycase)
        guard = target.guard and sum(1 for k in keys if k[:1].isalnum()) == 1
        if guard != target.guard:
            target = _Target(
                target.kind,
                target.code,
                target.agent,
                target.name,
                target.roles,
                guard,
                target.authoritative,
            )
        node = self._root
        for key in keys:
            node = node.setdefault(key, {})
        bucket: list[_Candidate] = node.setdefault(_END, [])
        if any(c.target is target and c.pattern == pattern for c in bucket):
            return
        bucket.append(_Candidate(target, pattern, priority))

    def _load_kb(self, kb: dict[str, Any], overrides: dict[str, Any]) -> None:
        for code, c in kb["countries"].items():
            for alias in c["aliases"]:
                guarded = normalize(alias) in _AMBIGUOUS_COUNTRY_WORDS
                self._add(alias, _Target("country", code, None, None, guard=guarded), _PRIO_CURATED)
            demonym = _Target("demonym", code, None, None)
            for alias in c["demonyms"]:
                self._add(alias, demonym, _PRIO_CURATED)
            capital = _Target("capital", code, "GOV", None, guard=True)
            for alias in c["capitals"]:
                self._add(alias, capital, _PRIO_CURATED)
            for agent, names in c.get("metonyms", {}).items():
                for alias in names:
                    self._add(
                        alias, _Target("metonym", code, agent, alias, guard=True), _PRIO_CURATED
                    )
            pre = _Target("country", code, "PRE", None)
            for alias in c.get("pre", []):
                self._add(alias, pre, _PRIO_CURATED)
        for igo in kb["igos"]:
            kind = "org" if igo["plover"] == "NGO" else "igo"
            self._plover[igo["code"]] = igo["plover"]
            t = _Target(kind, igo["code"], None, igo["name"])
            for alias in igo["aliases"]:
                self._add(alias, t, _PRIO_CURATED)
        block = _Target("non_actor", "", None, None)
        for alias in [*kb["non_actors"], *overrides.get("non_actors", [])]:
            self._add(alias, block, _PRIO_OVERRIDE)
        for phrase, agent in kb["agents"].items():
            self._add(
                phrase, _Target("agent_phrase", "", agent or None, None), _PRIO_AGENT, anycase=True
            )
        for ent in _apply_overrides(kb["entities"], overrides):
            roles = tuple(
                sorted(
                    ((_date_ord(r[2]), _date_ord(r[3]), r[0], r[1]) for r in ent["roles"]),
                    key=lambda r: (r[0] or 0, r[1] or 0),
                )
            )
            t = _Target(
                ent["kind"],
                ent["home"],
                None,
                ent["name"],
                roles,
                guard=ent["kind"] == "person",
                authoritative=bool(ent.get("authoritative")),
            )
            # a generated group's one-word alias is often a common word ("Foundation" for El
            # Rukn): guarded like a surname, so the "Jamestown Foundation" is not the gang
            # (``_accept`` lets an acronym written in capitals, "FARC", through)
            if not ent.get("authoritative"):
                t = replace(t, guard=True)
            prio = _PRIO_OVERRIDE if ent.get("authoritative") else _PRIO_GENERATED
            for alias in ent["aliases"]:
                self._add(alias, t, prio)
            for alias in ent.get("absorbed", []):
                self._add(alias, t, _PRIO_GENERATED)
        for extra in overrides.get("aliases", []):
            kind = extra.get("kind", "country")
            t = _Target(
                kind, extra["code"], extra.get("agent"), extra.get("name"), guard=kind == "capital"
            )
            self._add(extra["alias"], t, _PRIO_OVERRIDE)
        self._finalise(self._root)

    def _finalise(self, node: dict[str, Any]) -> None:
        """Order each alias's candidates (priority, then strictest case first) and drop
        same-priority people or groups that share an alias but not a country."""
        for key, child in node.items():
            if key != _END:
                self._finalise(child)
                continue
            child.sort(key=lambda c: (-c.priority, [p for p, _ in c.pattern]))
            kept: list[_Candidate] = []
            for c in child:
                rivals = [
                    k
                    for k in kept
                    if k.priority == c.priority
                    and k.target.kind in ("person", "org")
                    and c.target.kind in ("person", "org")
                ]
                if rivals and all(k.target.code != c.target.code for k in rivals):
                    for k in rivals:
                        kept.remove(k)
                    continue
                if not rivals:
                    kept.append(c)
            node[_END] = kept

    # -- resolving ------------------------------------------------------------------------

    def resolve(
        self, text: str, on: dt.date | None = None, *, bare_agents: bool = False
    ) -> list[ActorMention]:
        """Non-overlapping actor mentions in ``text`` on date ``on``, sorted by start.

        A sector phrase with no country ("police said") is left out unless
        ``bare_agents`` is true; it then comes back with ``code=""``.
        """
        norm = normalize(text)
        spans = [m.span() for m in _TOKEN.finditer(norm)]
        keys = [norm[s:e] for s, e in spans]
        n = len(spans)
        if not n:
            return []
        day = (on or dt.date.today()).toordinal()
        words = [k for (s, _), k in zip(spans, keys, strict=True) if text[s].isalpha()]
        headline = len(words) >= 4 and not any(
            text[s].islower() and k not in _TITLE_LOWER
            for (s, _), k in zip(spans, keys, strict=True)
            if k[:1].isalpha()
        )
        root = self._root
        matches: list[_Match] = []
        i = 0
        while i < n:
            node = root.get(keys[i])
            if node is None:
                i += 1
                continue
            found: tuple[int, _Candidate] | None = None
            j = i
            while True:
                bucket = node.get(_END)
                if bucket:
                    for cand in bucket:
                        if self._accept(cand, text, spans, keys, i, j, headline):
                            found = (j, cand)
                            break
                j += 1
                if j >= n:
                    break
                node = node.get(keys[j])
                if node is None:
                    break
            if found is None:
                i += 1
                continue
            j, cand = found
            matches.append(self._classify(cand.target, keys, i, day))
            matches[-1].j = j
            i = j + 1
        return self._compose(matches, text, spans, keys, day, bare_agents)

    def _accept(
        self,
        cand: _Candidate,
        text: str,
        spans: list[tuple[int, int]],
        keys: list[str],
        i: int,
        j: int,
        headline: bool,
    ) -> bool:
        for (mode, want), (s, e) in zip(cand.pattern, spans[i : j + 1], strict=True):
            if mode == _ANY:
                continue
            if mode == _EXACT:
                if text[s:e] != want:
                    return False
            elif not text[s].isupper():
                return False
        acronym = cand.target.kind in _GUARDED_WORDS and text[spans[i][0] : spans[j][1]].isupper()
        if cand.target.guard and not headline and not acronym:
            if i > 0 and self._name_like(text, spans, keys, i - 1):
                return False
            if j + 1 < len(spans) and self._name_like(text, spans, keys, j + 1):
                return False
        return True

    def _name_like(self, text: str, spans: list[tuple[int, int]], keys: list[str], k: int) -> bool:
        """An unknown capitalised word: part of a name we do not know, e.g. 'Michael'."""
        node = self._root.get(keys[k])
        return (
            text[spans[k][0]].isupper()
            and keys[k].isalpha()
            and keys[k] not in _STOP_CAPS
            and not (node and node.get(_END))
        )

    @staticmethod
    def _classify(t: _Target, keys: list[str], i: int, day: int) -> _Match:
        if t.kind == "non_actor":
            return _Match(i, i, t, "N", None)
        if t.kind == "agent_phrase":
            return _Match(i, i, t, "A", t.agent)
        if t.kind == "person":
            return _Match(i, i, t, "P", None)
        if t.kind == "org":
            return _Match(i, i, t, "O", None)
        agent = t.agent
        if t.kind == "capital" and i > 0 and keys[i - 1] in _LOCATIVES:
            agent = None
        return _Match(i, i, t, "C", agent)

    def _compose(
        self,
        matches: list[_Match],
        text: str,
        spans: list[tuple[int, int]],
        keys: list[str],
        day: int,
        bare_agents: bool,
    ) -> list[ActorMention]:
        """Merge adjacent country + sector + person/group matches into single mentions."""
        out: list[ActorMention] = []
        k = 0
        while k < len(matches):
            group = [matches[k]]
            k += 1
            if group[0].cls == "N":
                continue
            while k < len(matches) and _joins(group, matches[k], keys):
                group.append(matches[k])
                k += 1
            mention = self._mention(group, text, spans, keys, day)
            if mention is not None and (mention.code or bare_agents):
                out.append(mention)
        return out

    def _mention(
        self,
        group: list[_Match],
        text: str,
        spans: list[tuple[int, int]],
        keys: list[str],
        day: int,
    ) -> ActorMention | None:
        first, last = group[0], group[-1]
        start, end = spans[first.i][0], spans[last.j][1]
        country = next((m for m in group if m.cls == "C"), None)
        agent_m = next((m for m in group if m.cls == "A"), None)
        sector = agent_m.agent if agent_m else None
        if last.cls == "P":
            t = last.target
            code, agent, in_role = t.at(day)
            if not in_role and not t.authoritative and agent_m is not None:
                code = country.target.code if country else code
                agent = sector
            return ActorMention(start, end, text[start:end], code, agent, t.name, "person")
        org = next((m for m in group if m.cls == "O"), None)
        if org is not None:
            code, agent, _ = org.target.at(day)
            if (
                country
                and country.target.kind != "igo"
                and code != country.target.code
                and (len(code) == 3 and code not in self._plover and code != "IMG")
            ):
                code = country.target.code
            return ActorMention(
                start, end, text[start:end], code, agent or sector, org.target.name, "org"
            )
        name: str | None = None
        if last.cls == "A" and text[spans[last.i][0]].isupper():
            end, name = self._absorb_name(text, spans, keys, last.j, end)
        if country is None:
            return ActorMention(start, end, text[start:end], "", sector, name, "agent_phrase")
        t = country.target
        if agent_m is None:
            return ActorMention(start, end, text[start:end], t.code, country.agent, t.name, t.kind)
        return ActorMention(
            start,
            end,
            text[start:end],
            t.code,
            sector,
            name or (t.name if t.kind == "igo" else None),
            "agent_phrase",
        )

    def _absorb_name(
        self, text: str, spans: list[tuple[int, int]], keys: list[str], j: int, end: int
    ) -> tuple[int, str | None]:
        """'Foreign Minister' + unknown 'Abbas Araghchi': keep the name with the title."""
        taken: list[int] = []
        k = j + 1
        while k < len(spans) and len(taken) < 4:
            s, e = spans[k]
            if text[end if not taken else spans[taken[-1]][1] : s].strip():
                break
            particle = (
                keys[k] in _PARTICLES and k + 1 < len(spans) and text[spans[k + 1][0]].isupper()
            )
            if not (particle or self._name_like(text, spans, keys, k)):
                break
            taken.append(k)
            k += 1
        while taken and keys[taken[-1]] in _PARTICLES:
            taken.pop()
        if not taken:
            return end, None
        return spans[taken[-1]][1], text[spans[taken[0]][0] : spans[taken[-1]][1]]


def _joins(group: list[_Match], nxt: _Match, keys: list[str]) -> bool:
    """Whether ``nxt`` continues the actor phrase built so far."""
    prev = group[-1]
    gap = keys[prev.j + 1 : nxt.i]
    if nxt.cls == "N" or prev.cls == "P":
        return False
    classes = {m.cls for m in group}
    if gap in (["'", "s"], ["'"]) and prev.cls not in ("C", "O"):
        return False
    if gap in ([], ["'", "s"], ["'"]):
        if nxt.cls == "A":
            return prev.cls in ("C", "A", "O")
        if nxt.cls == "P":
            return True
        if nxt.cls == "O":
            return "O" not in classes
        return False
    if gap in (["of"], ["of", "the"]) and nxt.cls == "C":
        return prev.cls == "A" and classes == {"A"}
    return False


def _apply_overrides(
    entities: Iterable[dict[str, Any]], overrides: dict[str, Any]
) -> list[dict[str, Any]]:
    """Overridden people and groups replace the generated entries that share a full name
    with them (their extra spellings are kept as aliases)."""
    curated = []
    for kind, key in (("person", "persons"), ("org", "orgs")):
        for item in overrides.get(key, []):
            roles = [
                [r["code"], r.get("agent"), _iso(r.get("start")), _iso(r.get("end"))]
                for r in item.get("roles", [])
            ]
            if not roles:
                raise ValueError(f"overrides: {item.get('name')!r} has no roles")
            home = item.get("home") or max(roles, key=lambda r: r[3] or "9999")[0]
            curated.append(
                {
                    "name": item["name"],
                    "kind": kind,
                    "home": home,
                    "aliases": _unique([item["name"], *item.get("aliases", [])]),
                    "roles": roles,
                    "authoritative": True,
                }
            )
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for ent in curated:
        for alias in ent["aliases"]:
            by_name[(ent["kind"], _key(alias))] = ent
    out = []
    for ent in entities:
        keys = [_key(ent["name"])]
        if ent["kind"] == "person":
            keys += [_key(a) for a in ent["aliases"] if _is_full_name(a)]
        owner = next((by_name[(ent["kind"], k)] for k in keys if (ent["kind"], k) in by_name), None)
        if owner is None:
            out.append(ent)
        else:
            owner.setdefault("absorbed", []).extend(ent["aliases"])
    return out + curated


def _is_full_name(alias: str) -> bool:
    return sum(1 for m in _TOKEN.finditer(normalize(alias)) if m.group().isalnum()) > 1


def _key(alias: str) -> str:
    return " ".join(m.group() for m in _TOKEN.finditer(normalize(alias)) if m.group().isalnum())


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            out.append(item)
    return out


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return dt.date.fromisoformat(str(value)).isoformat()


@functools.cache
def country_codes() -> frozenset[str]:
    """The ISO codes of the states in the installed knowledge base (``countries.json``): for
    code that must tell a state from an NGO or a group without loading the whole resolver."""
    base = resources.files(_DATA_PACKAGE) / "data" / "actors"
    return frozenset(json.loads((base / "countries.json").read_text("utf-8")))


def load_kb(data_dir: Path | None = None) -> dict[str, Any]:
    """The generated JSON files, from ``data_dir`` or the installed package data."""
    sections = ("countries", "igos", "agents", "non_actors", "entities")
    if data_dir is not None:
        return {s: json.loads((data_dir / f"{s}.json").read_text("utf-8")) for s in sections}
    base = resources.files(_DATA_PACKAGE) / "data" / "actors"
    return {s: json.loads((base / f"{s}.json").read_text("utf-8")) for s in sections}


def load_overrides(path: Path) -> dict[str, Any]:
    """Parse the hand-maintained overrides; a malformed file fails loudly at start-up."""
    import yaml

    data = yaml.safe_load(path.read_text("utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with persons/orgs/aliases/non_actors")
    return data


def find_overrides(start: Path | None = None) -> Path:
    """``seeds/actors/overrides.yaml`` in the working directory or above this file.

    The Docker image runs from /app with seeds/ copied there; a checkout finds it next to
    services/. Not finding it is an error: without it the KB stops in 2015.
    """
    candidates = [Path.cwd() / _OVERRIDES]
    here = (start or Path(__file__)).resolve()
    candidates += [p / _OVERRIDES for p in here.parents]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"{_OVERRIDES} not found (looked in {Path.cwd()} and above {here}); run from the "
        "repository root or pass overrides_path to ActorResolver.load"
    )


@functools.lru_cache(maxsize=1)
def _default_resolver() -> ActorResolver:
    return ActorResolver.load(overrides_path=find_overrides())
