"""Loaders for the human-labeled data in ``../shared/data`` (never copied into the repository).

Every loader takes ``data_dir``; without it the folder is ``<repo root>/../shared/data``, where
the repo root is the folder holding ``pyproject.toml`` above this file. The environment is not
read: callers that want an override pass it in.

* ``quad_examples()``: sentences with a quad class or ``"none"`` (ConfliBERT pentacode,
  UN QuadClass, UNSCon conflict=1).
* ``event_type_examples()``: sentences with a PLOVER event type (CASE 2021 task 2 mapped from
  its 30 fine-grained types, plus the PLOVER manual's own examples).
* ``role_examples()``: ConfliBERT sentences with actor (source), recipient (target) and
  reciprocal spans as character offsets into the raw sentence.
* ``fold_of()``: deterministic fold of a group id; ``label_distribution()`` and
  ``format_distribution()`` for the model card.

Every mapping decision is documented in ``docs/label_mappings.md``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from newsmon.core.paths import repo_root
from newsmon.nlp.ontology import QUAD_CLASSES, event_types, is_event_type

NONE_LABEL = "none"
"""Quad label for sentences with no PLOVER event (ConfliBERT pentacode 0, UN 'irrelevant')."""

QUAD_LABELS: tuple[str, ...] = (NONE_LABEL, *QUAD_CLASSES)

SOURCES = ("conflibert_cameo", "quadclass_un", "unscon", "case2021_task2", "plover_manual")

# ConfliBERT / Phoenix pentacode. 0 is CAMEO 01-02 (make public statement, appeal), the two cue
# categories PLOVER drops, so it is "none" (no PLOVER event), not a fifth class.
PENTACODE_TO_QUAD: dict[int, str] = {
    0: NONE_LABEL,
    1: "verbal_cooperation",
    2: "material_cooperation",
    3: "verbal_conflict",
    4: "material_conflict",
}

# keep_it_local QuadClass, as the shared README (and the repository's one-vs-rest files) give it;
# the upstream data_README swaps 1<->3 and 2<->4.
QUADCLASS_UN_TO_QUAD: dict[int, str] = {
    0: NONE_LABEL,
    1: "material_conflict",
    2: "material_cooperation",
    3: "verbal_conflict",
    4: "verbal_cooperation",
}

# UNSCon: conflict=1 (negative evaluation, challenge, correction between Council members) is
# verbal conflict. conflict=0 is not a quad label (it includes cooperative statements, appeals
# and narrated violence) and is dropped.
UNSCON_TO_QUAD: dict[int, str | None] = {1: "verbal_conflict", 0: None}

# CASE 2021 task 2 fine-grained type -> (PLOVER event type or None, PLOVER mode or None).
# A type maps where its definition falls inside one PLOVER type; types whose snippets split over
# several PLOVER types, or that PLOVER does not code, map to None and are dropped.
CASE2021_TO_PLOVER: dict[str, tuple[str | None, str | None]] = {
    # ACLED battles / explosions / remote violence / violence against civilians
    "ARMED_CLASH": ("ASSAULT", None),
    "ATTACK": ("ASSAULT", None),
    "AIR_STRIKE": ("ASSAULT", "aerial"),
    "ART_MISS_ATTACK": ("ASSAULT", "heavy-weapons"),
    "CHEM_WEAP": ("ASSAULT", "unconventional"),
    "GRENADE": ("ASSAULT", "explosives"),
    "REM_EXPLOS": ("ASSAULT", "explosives"),
    "SUIC_BOMB": ("ASSAULT", "suicide-attack"),
    "SEX_VIOL": ("ASSAULT", "sexual"),
    "ABDUCT_DISSAP": ("ASSAULT", "abduct"),
    "GOV_REGAINS_TERIT": ("ASSAULT", None),
    "NON_STATE_ACTOR_OVERTAKES_TER": ("ASSAULT", None),
    "FORCE_AGAINST_PROTEST": ("ASSAULT", None),
    "MOB_VIOL": ("ASSAULT", None),
    "PROPERTY_DISTRUCT": ("ASSAULT", "destroy"),
    # ACLED protests / riots
    "PEACE_PROTEST": ("PROTEST", "demo"),
    "PROTEST_WITH_INTER": ("PROTEST", "demo"),
    "VIOL_DEMONSTR": ("PROTEST", "riot"),
    # ACLED strategic developments
    "ARREST": ("COERCE", "arrest"),
    "HQ_ESTABLISHED": ("MOBILIZE", "troops"),
    "DISR_WEAP": (None, None),
    "CHANGE_TO_GROUP_ACT": (None, None),
    "NON_VIOL_TERRIT_TRANSFER": (None, None),
    "AGREEMENT": (None, None),
    # CASE additions outside ACLED
    "DIPLO": (None, None),
    "ATTRIB": (None, None),
    "ORG_CRIME": (None, None),
    "NATURAL_DISASTER": (None, None),
    "MAN_MADE_DISASTER": (None, None),
    "OTHER": (None, None),
}

ROLE_TAGS = {"S": "source", "T": "target", "R": "reciprocal"}


@dataclass(frozen=True)
class LabeledSentence:
    text: str
    label: str
    source: str
    group: str
    """Stable id for fold assignment: near-identical texts (and, for UNSCon, one speech) share
    a group, so they always land in the same fold."""


@dataclass
class RoleExample:
    """A ConfliBERT sentence with its actor spans as [start, end) character offsets in ``text``.

    source = PLOVER actor, target = PLOVER recipient, reciprocal = both sides of a reciprocal
    event (PLOVER codes them all as actor). Spans that could not be located in ``text`` are
    left out of the span lists and listed in ``unlocated`` as (role, span string).
    """

    text: str
    source_spans: list[tuple[int, int]]
    target_spans: list[tuple[int, int]]
    reciprocal_spans: list[tuple[int, int]]
    pentacode: int
    group: str = ""
    match: str = "exact"
    """'exact' or 'fuzzy': how the tagged sentence was joined to its classified sentence."""
    span_strings: dict[str, list[str]] = field(default_factory=dict)
    """role -> the located spans' strings as tokenised in the CoNLL file, same order."""
    unlocated: list[tuple[str, str]] = field(default_factory=list)

    @property
    def quad(self) -> str:
        return PENTACODE_TO_QUAD[self.pentacode]


# ---------------------------------------------------------------------------------------------
# paths


def default_data_dir() -> Path:
    """``<repo root>/../shared/data`` (it may not exist: check ``.is_dir()``)."""
    root = repo_root()
    if root is None:
        raise FileNotFoundError(
            "no pyproject.toml above newsmon.nlp.datasets; pass data_dir= explicitly"
        )
    return (root.parent / "shared" / "data").resolve()


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    if not path.is_dir():
        raise FileNotFoundError(f"labeled data folder not found: {path}")
    return path


# ---------------------------------------------------------------------------------------------
# text helpers

_CHAR_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'", "\u02b9": "'",
    "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u200b": "",
}  # fmt: skip

_PTB_TOKENS = {"``": '"', "''": '"', "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]",
               "-LCB-": "{", "-RCB-": "}"}  # fmt: skip


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """Lower-case, accent-free, ASCII-quoted form of one character (may be '' or several)."""
    if ch in _CHAR_FOLD:
        return _CHAR_FOLD[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.lower()


def fold_text(text: str) -> str:
    return "".join(fold_char(c) for c in text)


def normalize_for_match(text: str) -> str:
    """Folded text without whitespace and quote marks: what a span and its slice of the text
    must share (tokenisation drops or splits apostrophes: "Nations' envoy", "government 's")."""
    return re.sub(r"[\s'\"]+", "", fold_text(_PTB_TOKENS.get(text, text)))


def normalize_for_group(text: str) -> str:
    """Folded alphanumeric words only: near-identical sentences normalise to the same string."""
    return " ".join(re.findall(r"[a-z0-9]+", fold_text(text)))


def text_group(text: str, prefix: str = "t") -> str:
    digest = hashlib.sha1(normalize_for_group(text).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}:{digest}"


def fold_of(group: str, k: int = 5) -> int:
    """Deterministic fold in ``range(k)`` for a group id (sha256, not Python's salted hash)."""
    if k < 1:
        raise ValueError("k must be >= 1")
    digest = hashlib.sha256(group.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % k


def split_by_fold(
    examples: Sequence[LabeledSentence], fold: int, k: int = 5
) -> tuple[list[LabeledSentence], list[LabeledSentence]]:
    """(train, held-out) for one fold: held-out holds the examples whose group is in ``fold``."""
    train, held = [], []
    for ex in examples:
        (held if fold_of(ex.group, k) == fold else train).append(ex)
    return train, held


def detokenize(text: str) -> str:
    """Undo PTB-style spacing (UNSCon sentences are tokenised: 'Ukraine , by force .')."""
    toks = text.split()
    out: list[str] = []
    open_quote = False
    glue_next = False
    for tok in toks:
        tok = _PTB_TOKENS.get(tok, tok)
        attach = False
        if tok == '"':
            attach = open_quote  # a closing quote attaches to the left
            open_quote = not open_quote
            if not attach:
                out.append(tok if not out or glue_next else " " + tok)
                glue_next = True
                continue
        elif re.fullmatch(r"[.,;:!?%)\]}]+|'s|'S|n't|'re|'ve|'ll|'d|'m|'", tok):
            attach = True
        if attach or glue_next or not out:
            out.append(tok)
        else:
            out.append(" " + tok)
        glue_next = tok in {"(", "[", "{", "$"}
    return "".join(out).strip()


def _read_tsv(path: Path) -> list[list[str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f, delimiter="\t") if row]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip()


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # order-independent: a named group (unscon:...) beats a text hash (t:...),
            # then the smaller id wins
            lo, hi = sorted((ra, rb), key=lambda g: (g.startswith("t:"), g))
            self.parent[hi] = lo


def merge_groups(examples: Iterable[LabeledSentence]) -> list[LabeledSentence]:
    """Give every example whose normalised text equals another's the same group, transitively
    through the groups they already have (e.g. a sentence repeated in two UNSCon speeches)."""
    items = list(examples)
    uf = _UnionFind()
    for ex in items:
        uf.union(ex.group, text_group(ex.text))
    return [
        ex if uf.find(ex.group) == ex.group else
        LabeledSentence(ex.text, ex.label, ex.source, uf.find(ex.group))
        for ex in items
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# quad class


def _conflibert_class_rows(data_dir: str | Path | None) -> list[tuple[str, int]]:
    """(text, pentacode) rows of cameo_class_train.tsv, in file order (class_index)."""
    path = resolve_data_dir(data_dir) / "conflibert_cameo" / "cameo_class_train.tsv"
    return [(_clean(row[0]), int(row[-1])) for row in _read_tsv(path)]


def conflibert_quad(data_dir: str | Path | None = None) -> list[LabeledSentence]:
    """ConfliBERT CAMEO train sentences (1,349) with pentacode mapped to a quad or 'none'."""
    out = []
    for text, code in _conflibert_class_rows(data_dir):
        if text:
            out.append(
                LabeledSentence(text, PENTACODE_TO_QUAD[code], "conflibert_cameo", text_group(text))
            )
    return out


def quadclass_un(data_dir: str | Path | None = None) -> list[LabeledSentence]:
    """keep_it_local UN sentences (5,979), README-corrected mapping; -1 (multi-label) dropped."""
    path = resolve_data_dir(data_dir) / "quadclass_un" / "en_annotations_quad_multiclass.tsv"
    rows = _read_tsv(path)
    if rows and not rows[0][-1].lstrip("-").isdigit():
        rows = rows[1:]  # header: en, QuadClass
    out = []
    for row in rows:
        text, code = _clean(row[0]), int(row[-1])
        if text and code in QUADCLASS_UN_TO_QUAD:
            out.append(
                LabeledSentence(text, QUADCLASS_UN_TO_QUAD[code], "quadclass_un", text_group(text))
            )
    return out


def unscon_quad(data_dir: str | Path | None = None) -> list[LabeledSentence]:
    """UNSCon conflict=1 sentences as verbal_conflict (detokenised); group = the speech."""
    path = resolve_data_dir(data_dir) / "unscon" / "unscon_sentences_dyads.tsv"
    csv.field_size_limit(sys.maxsize)
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            label = UNSCON_TO_QUAD.get(int(row["conflict"]))
            text = detokenize(_clean(row["sentence"]))
            if label is None or not text:
                continue
            speech = row["file_id"].removesuffix(".txt")
            out.append(LabeledSentence(text, label, "unscon", f"unscon:{speech}"))
    return merge_groups(out)


_QUAD_LOADERS = {
    "conflibert_cameo": conflibert_quad,
    "quadclass_un": quadclass_un,
    "unscon": unscon_quad,
}


def quad_examples(
    data_dir: str | Path | None = None,
    sources: Sequence[str] = ("conflibert_cameo", "quadclass_un", "unscon"),
    include_none: bool = True,
) -> list[LabeledSentence]:
    """Quad-class examples; labels are ``QUAD_CLASSES`` plus ``"none"`` unless excluded."""
    out: list[LabeledSentence] = []
    for source in sources:
        if source not in _QUAD_LOADERS:
            raise ValueError(f"no quad labels in {source!r}; choose from {list(_QUAD_LOADERS)}")
        out.extend(_QUAD_LOADERS[source](data_dir))
    if not include_none:
        out = [ex for ex in out if ex.label != NONE_LABEL]
    return merge_groups(out)


# ---------------------------------------------------------------------------------------------
# event type


def case2021_raw(data_dir: str | Path | None = None) -> list[LabeledSentence]:
    """CASE 2021 task 2 dev snippets (503) with their original 30-type labels."""
    path = resolve_data_dir(data_dir) / "case2021_task2" / "case2021_task2_dev.tsv"
    csv.field_size_limit(sys.maxsize)
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            text = _clean(row["EventSnippet"])
            if text:
                out.append(
                    LabeledSentence(
                        text, row["SubType"].strip(), "case2021_task2", text_group(text)
                    )
                )
    return out


def case2021_event_types(data_dir: str | Path | None = None) -> list[LabeledSentence]:
    """CASE 2021 snippets whose type maps to a PLOVER event type (the others are dropped)."""
    out = []
    for ex in case2021_raw(data_dir):
        if ex.label not in CASE2021_TO_PLOVER:
            raise ValueError(f"CASE 2021 type {ex.label!r} has no mapping decision")
        plover, _mode = CASE2021_TO_PLOVER[ex.label]
        if plover is not None:
            out.append(LabeledSentence(ex.text, plover, ex.source, ex.group))
    return out


def manual_examples() -> list[LabeledSentence]:
    """The PLOVER manual's example sentences, labelled with the type the manual assigns."""
    return [
        LabeledSentence(e.text, t.name, "plover_manual", text_group(e.text))
        for t in event_types()
        for e in t.examples
    ]


def event_type_examples(
    data_dir: str | Path | None = None, include_manual: bool = True
) -> list[LabeledSentence]:
    """PLOVER event-type examples: CASE 2021 task 2 (mapped) plus the manual's examples."""
    out = case2021_event_types(data_dir)
    if include_manual:
        out.extend(manual_examples())
    return merge_groups(out)


# ---------------------------------------------------------------------------------------------
# roles


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag) from a CoNLL file with blank-line separators."""
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                if current:
                    sentences.append(current)
                    current = []
                continue
            token, _, tag = line.rpartition(" ")
            current.append((token, tag))
    if current:
        sentences.append(current)
    return sentences


def bio_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(role letter, first token, last token + 1) for each B-/I- run."""
    spans: list[tuple[str, int, int]] = []
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, k = tag.partition("-")
        if start is not None and (prefix != "I" or k != kind):
            spans.append((kind, start, i))  # type: ignore[arg-type]
            start, kind = None, None
        if prefix == "B" or (prefix == "I" and start is None):
            start, kind = i, k
    return spans


class _Folded:
    """A text's folded form with a map back to original character offsets."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            for f in fold_char(ch):
                chars.append(f)
                origin.append(i)
        self.text = text
        self.folded = "".join(chars)
        self.origin = origin

    def span(self, fstart: int, fend: int) -> tuple[int, int]:
        """Original [start, end) covering folded [fstart, fend)."""
        return self.origin[fstart], self.origin[fend - 1] + 1


def _fold_token(token: str) -> str:
    return re.sub(r"\s+", "", fold_text(_PTB_TOKENS.get(token, token)))


def align_tokens(
    text: str, tokens: Sequence[str], window: int = 80
) -> list[tuple[int, int] | None]:
    """Character [start, end) of each token in ``text`` (in order), None where not found.

    A token matches right after the previous one (skipping whitespace), or failing that at its
    next occurrence within ``window`` folded characters: tokenised-vs-raw spacing, quote and
    apostrophe variants and accents (Erdogan / Erdoğan) do not break the alignment.
    """
    f = _Folded(text)
    out: list[tuple[int, int] | None] = []
    cursor = 0
    for token in tokens:
        ft = _fold_token(token)
        if not ft:
            out.append(None)
            continue
        pos = cursor
        while pos < len(f.folded) and f.folded[pos].isspace():
            pos += 1
        if f.folded.startswith(ft, pos):
            found = pos
        else:
            found = f.folded.find(ft, cursor, cursor + window + len(ft))
        if found < 0:
            out.append(None)
            continue
        out.append(f.span(found, found + len(ft)))
        cursor = found + len(ft)
    return out


def locate_span(
    text: str, tokens: Sequence[str], near: int | None = None
) -> tuple[int, int] | None:
    """Character span of a token sequence anywhere in ``text`` (whitespace-insensitive);
    the occurrence nearest ``near`` (a character offset) when there are several."""
    f = _Folded(text)
    parts = [re.escape(t) for t in (_fold_token(x) for x in tokens) if t]
    if not parts:
        return None
    pattern = r"[\s'\"]*".join(parts)
    # whole words only: a span "Iraq" must not match inside "Iraqi"
    pattern = r"(?<![a-z0-9])" + pattern + r"(?![a-z0-9])"
    hits = list(re.finditer(pattern, f.folded))
    if not hits:
        return None
    hit = min(hits, key=lambda m: abs(m.start() - near)) if near is not None else hits[0]
    return f.span(hit.start(), hit.end())


def _span_ok(text: str, span: tuple[int, int], tokens: Sequence[str]) -> bool:
    return normalize_for_match(text[span[0] : span[1]]) == "".join(
        normalize_for_match(t) for t in tokens
    )


def _cuts_word(text: str, span: tuple[int, int]) -> bool:
    a, b = span
    return (a > 0 and text[a - 1].isalnum() and text[a].isalnum()) or (
        b < len(text) and text[b].isalnum() and text[b - 1].isalnum()
    )


def role_examples(data_dir: str | Path | None = None) -> list[RoleExample]:
    """ConfliBERT sentences (1,044) with role spans as character offsets into the raw text.

    Spans come from the CoNLL tags of the sentence (``ner_index``); each span's tokens are
    aligned to the raw sentence in order, and where that fails (mostly the 107 fuzzy joins,
    whose tagged sentence differs from the classified one) the span's tokens are searched
    anywhere in the text. See ``span_report()`` for how many were located.
    """
    base = resolve_data_dir(data_dir) / "conflibert_cameo"
    conll = read_conll(base / "cameo_ner_train.txt")
    class_rows = _conflibert_class_rows(data_dir)
    out: list[RoleExample] = []
    with (base / "cameo_train_aligned.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            text = _clean(rec["text"])
            # The join was made on a naive split of the TSV, so 3 texts that the TSV quotes
            # keep CSV quoting ('anarchic"" protest ... Tuesday."""'); use the parsed TSV text,
            # which is also what quad_examples() gives, whenever it is the same sentence.
            index = rec.get("class_index")
            if isinstance(index, int) and 0 <= index < len(class_rows):
                parsed = class_rows[index][0]
                if parsed != text and text_group(parsed) == text_group(text):
                    text = parsed
            sent = conll[rec["ner_index"]]
            tokens = [t for t, _ in sent]
            aligned = align_tokens(text, tokens)
            spans: dict[str, list[tuple[int, int]]] = {r: [] for r in ROLE_TAGS.values()}
            strings: dict[str, list[str]] = {r: [] for r in ROLE_TAGS.values()}
            unlocated: list[tuple[str, str]] = []
            n_tok = max(len(tokens), 1)
            for kind, a, b in bio_spans([t for _, t in sent]):
                role = ROLE_TAGS.get(kind)
                if role is None:
                    continue
                span_tokens = tokens[a:b]
                span = None
                first, last = aligned[a], aligned[b - 1]
                if first is not None and last is not None and first[0] < last[1]:
                    span = (first[0], last[1])
                    if not _span_ok(text, span, span_tokens) or _cuts_word(text, span):
                        span = None
                if span is None:
                    span = locate_span(text, span_tokens, near=int(len(text) * a / n_tok))
                if span is None:
                    unlocated.append((role, " ".join(span_tokens)))
                    continue
                spans[role].append(span)
                strings[role].append(" ".join(span_tokens))
            out.append(
                RoleExample(
                    text=text,
                    source_spans=spans["source"],
                    target_spans=spans["target"],
                    reciprocal_spans=spans["reciprocal"],
                    pentacode=int(rec["pentacode"]),
                    group=text_group(text),
                    match=rec.get("match", "exact"),
                    span_strings=strings,
                    unlocated=unlocated,
                )
            )
    return out


def span_report(examples: Sequence[RoleExample]) -> dict[str, int | float]:
    """How many role spans were located, overall and for exact / fuzzy joins."""
    rep: dict[str, int | float] = {"sentences": len(examples)}
    for name, subset in (
        ("all", examples),
        ("exact", [e for e in examples if e.match == "exact"]),
        ("fuzzy", [e for e in examples if e.match != "exact"]),
    ):
        located = sum(
            len(e.source_spans) + len(e.target_spans) + len(e.reciprocal_spans) for e in subset
        )
        missing = sum(len(e.unlocated) for e in subset)
        rep[f"{name}_spans"] = located + missing
        rep[f"{name}_located"] = located
        rep[f"{name}_unlocated"] = missing
        rep[f"{name}_rate"] = round(located / (located + missing), 4) if located + missing else 1.0
    rep["sentences_all_located"] = sum(1 for e in examples if not e.unlocated)
    return rep


# ---------------------------------------------------------------------------------------------
# summaries


def label_distribution(examples: Iterable[LabeledSentence]) -> dict[str, dict[str, int]]:
    """source -> label -> count, plus an "all" entry; labels sorted by count."""
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    for ex in examples:
        by_source[ex.source][ex.label] += 1
        by_source["all"][ex.label] += 1
    return {
        src: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
        for src, c in sorted(by_source.items(), key=lambda kv: (kv[0] == "all", kv[0]))
    }


def format_distribution(dist: dict[str, dict[str, int]], title: str = "") -> str:
    """A markdown table (label rows, source columns) for the model card."""
    sources = list(dist)
    labels = list(dist.get("all", {})) or sorted({lb for d in dist.values() for lb in d})
    lines = [f"### {title}", ""] if title else []
    lines.append("| label | " + " | ".join(sources) + " |")
    lines.append("|---|" + "---:|" * len(sources))
    for lb in labels:
        lines.append(f"| {lb} | " + " | ".join(str(dist[s].get(lb, 0)) for s in sources) + " |")
    lines.append("| **total** | " + " | ".join(str(sum(dist[s].values())) for s in sources) + " |")
    return "\n".join(lines)


def fold_sizes(examples: Iterable[LabeledSentence], k: int = 5) -> list[int]:
    sizes = [0] * k
    for ex in examples:
        sizes[fold_of(ex.group, k)] += 1
    return sizes


def summary(data_dir: str | Path | None = None) -> str:
    """Markdown summary of every loader: label counts per source and span location rates."""
    quads = quad_examples(data_dir)
    etypes = event_type_examples(data_dir)
    raw = case2021_raw(data_dir)
    roles = role_examples(data_dir)
    parts = [
        format_distribution(label_distribution(quads), "Quad class (quad_examples)"),
        "",
        format_distribution(label_distribution(etypes), "PLOVER event type (event_type_examples)"),
        "",
        format_distribution(label_distribution(raw), "CASE 2021 task 2, original types"),
        "",
        "### Role spans (role_examples)",
        "",
        json.dumps(span_report(roles), indent=1),
        "",
        f"quad fold sizes (k=5): {fold_sizes(quads)}; event-type fold sizes: {fold_sizes(etypes)}",
    ]
    return "\n".join(parts)


def _check_labels(examples: Iterable[LabeledSentence], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    bad = {ex.label for ex in examples} - allowed
    if bad:
        raise ValueError(f"labels outside {sorted(allowed)}: {sorted(bad)}")


def validate(data_dir: str | Path | None = None) -> None:
    """Raise if any loader produces a label outside its label set."""
    _check_labels(quad_examples(data_dir), QUAD_LABELS)
    for ex in event_type_examples(data_dir):
        if not is_event_type(ex.label):
            raise ValueError(f"not a PLOVER event type: {ex.label!r}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Label counts of the shared labeled data.")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    validate(args.data_dir)
    print(summary(args.data_dir))
