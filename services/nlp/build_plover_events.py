"""Extract the 16 PLOVER event types from the PLOVER manual into ``data/plover_events.json``.

Run from the repository root::

    python -m newsmon.nlp.build_plover_events [--manual PATH] [--out PATH]

The manual is read from ``<repo root>/../shared/reference/plover/PLOVER_MANUAL.tex`` by default.
Everything is parsed from the LaTeX source (definitions, quad class, "requires recipient",
ambiguity notes, mode tables, the score table, the auxiliary modes). Only two things are
curated by hand and live in this file, both checked against the manual's text at build time:

* ``EXAMPLES``: which quoted sentences of the manual are example events, and the type the
  manual says each one should be coded as (that is often not the section it appears in:
  e.g. the Paris Club debt example appears under RETREAT but "should be coded as AID").
  Every ``...'' quotation in the Event chapter must be listed either here or in
  ``NOT_EXAMPLES``, so a changed manual fails the build instead of silently losing examples.
* ``SCORE_CORRECTIONS``: printed values of the score table that are clearly misprints.

The manual is CC BY-SA 4.0 (Open Event Data Alliance); the JSON carries that attribution.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from newsmon.core.paths import repo_root

ATTRIBUTION = "PLOVER manual, Open Event Data Alliance, CC BY-SA 4.0"

EVENT_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip
QUAD_CLASSES = (
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
AUXILIARY_MODES = ("historical", "future", "hypothetical", "negation")

# (start of the quotation as it reads after LaTeX clean-up, event type, mode or None, why)
EXAMPLES: tuple[tuple[str, str, str | None, str], ...] = (
    ("Russia and the United States will sign an agreement", "AGREE", None,
     "AGREE ambiguities: promise to sign, code the single category AGREE"),
    ("Members of the G-7 will meet in Ottawa", "AGREE", None,
     "auxiliary-mode 'future' example; CONSULT ambiguities: future meetings are AGREE"),
    ("President Obama met with Japanese Prime Minister Abe", "CONSULT", "visit",
     "compound/reciprocal actors section: a meeting, CAMEO 042/043 visit/host"),
    ("The United States and France accused Russia", "ACCUSE", None,
     "compound actors section: CAMEO 112 (accuse)"),
    ("The Paris Club has agreed to forgive", "AID", None,
     "AID/RETREAT ambiguities: debt forgiveness should be coded as AID"),
    ("Pakistan's military rescued 10 hostages", "AID", None,
     "AID/RETREAT ambiguities: hostage rescues should be coded as AID"),
    ("Police in Barcelona freed 10 human trafficking victims", "AID", None,
     "AID/RETREAT ambiguities: hostage rescues should be coded as AID"),
    ("military units in the area were activated and returned fire", "ASSAULT", None,
     "MOBILIZE ambiguities: only the ASSAULT should be coded"),
    ("police pushed back protesters", "COERCE", "restrict",
     "ASSAULT ambiguities: coded as RESTRICT, i.e. COERCE 'restrict'"),
)  # fmt: skip

# Quotations in the Event chapters that are not example events (terms, fragments, or examples
# that the manual says are not coded as an event at all).
NOT_EXAMPLES: tuple[str, ...] = (
    "what-how-why",
    "elections",
    "During the decolonization struggle",
    "If Russian forces were",
    "Thus far, fighting has not re-emerged",
    "actor",
    "source",
    "entity",
    "visit",
    "at the White",
    "Goldstein scores",
    "PLOVER scores",
    "announced...would withdraw troops",
    "retreat",
    "misinformation",
    "sanctions",
    "REDUCE RELATIONS",
    "mobilizing supporters to demonstrate",
    "cyber",
    "Side A/Side B",
    "primitive",
    "Holding talks",
    "human rights",
    "natural",
    "next generation",
    "started it",
    "context",
    "recipient",
    "target",
    "consult",
    "host",
    "discussions",
    "negotiations, bargaining",
)

# The table prints ACCUSE without a sign ("3"): every ACCUSE mode is negative (-2, -3.5, -3.5),
# ACCUSE is verbal conflict, and the other verbal-conflict types are negative, so the printed
# "3" is taken to be a lost minus sign. The printed value is kept in the JSON as score_printed.
SCORE_CORRECTIONS: dict[tuple[str, str | None], tuple[float, str]] = {
    ("ACCUSE", None): (
        -3.0,
        "printed as '3' in the score table; read as -3 (lost minus sign): all ACCUSE modes "
        "score -2 to -3.5 and ACCUSE is verbal conflict",
    ),
}


def default_manual() -> Path:
    root = repo_root()
    if root is None:
        raise FileNotFoundError("no pyproject.toml above this file; pass --manual")
    return root.parent / "shared" / "reference" / "plover" / "PLOVER_MANUAL.tex"


# ---------------------------------------------------------------------------------------------
# LaTeX clean-up


def strip_comments(tex: str) -> str:
    """Drop % comments (not \\%) and lines that are only a comment."""
    out = []
    for line in tex.split("\n"):
        m = re.search(r"(?<!\\)%", line)
        if m:
            if not line[: m.start()].strip():
                continue
            line = line[: m.start()]
        out.append(line)
    return "\n".join(out)


_WRAPPERS = (
    "plcat", "plcon", "plmod", "txt", "ti", "textit", "textbf", "texttt", "textsf", "emph",
    "footnotesize", "fn", "url",
)  # fmt: skip


def latex_to_text(tex: str) -> str:
    """Plain text from a LaTeX fragment of the manual (comments already stripped)."""
    s = tex
    s = re.sub(r"\\(?:label|cite[pt]?|citep|citet)\{[^}]*\}", "", s)
    s = re.sub(r"\\hyperref\[[^\]]*\]\{([^}]*)\}", r"\1", s)
    s = re.sub(r"(?:Section|Table|Chapter)?\s*\\(?:auto)?ref\{[^}]*\}", "the manual", s)
    s = re.sub(r"\\(?:newpage|clearpage|hline|centering|noindent|bigskip|raggedright)\b", "", s)
    for _ in range(3):  # nested wrappers
        s = re.sub(r"\\(?:" + "|".join(_WRAPPERS) + r")\{([^{}]*)\}", r"\1", s)
    s = s.replace(r"\$", "\x00")
    s = re.sub(r"\$([^$]*)\$", r"\1", s)
    s = s.replace("\x00", "$")
    s = s.replace(r"\ldots", "…").replace(r"\dots", "…")
    s = s.replace("---", "—").replace("--", "–")
    s = re.sub(r"``(.*?)(?:''|\")", "\u201c\\1\u201d", s, flags=re.S)
    s = s.replace("``", "\u201c").replace("''", "\u201d")
    s = re.sub(r"(?<![\w\\])`([^`']*)'", "\u2018\\1\u2019", s)
    s = s.replace(r"\$", "$").replace(r"\%", "%").replace(r"\&", "&").replace(r"\_", "_")
    s = s.replace("~", " ")
    s = re.sub(r"\\begin\{(?:itemize|enumerate|description)\}", "", s)
    s = re.sub(r"\\end\{(?:itemize|enumerate|description)\}", "", s)
    s = re.sub(r"\\item\[([^\]]*)\]", r"\n- \1", s)
    s = s.replace(r"\item", "\n- ")
    s = s.replace("\\\\", "\n")
    s = re.sub(r"\\[a-zA-Z]+\*?(\{[^}]*\})?", "", s)  # anything left: drop the command
    s = s.replace("{", "").replace("}", "")
    s = re.sub(r"[ \t]+", " ", s)
    s = re.sub(r" *\n *", "\n", s)
    s = re.sub(r"\n{2,}", "\n\n", s)
    s = re.sub(r"\n- +", "\n- ", s)
    return s.strip()


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# Structure


def split_sections(chapter: str) -> dict[str, str]:
    parts = re.split(r"\\section\{([^}]*)\}", chapter)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def split_subsections(section: str) -> tuple[str, list[tuple[str, str]]]:
    parts = re.split(r"\\subsection\{([^}]*)\}", section)
    return parts[0], [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


def chapter(tex: str, title: str) -> str:
    m = re.search(r"\\chapter\{" + re.escape(title) + r"\}(.*?)(?=\\chapter\{|\\end\{document\})",
                  tex, re.S)  # fmt: skip
    if not m:
        raise ValueError(f"chapter {title!r} not found in the manual")
    return m.group(1)


def table_rows(tabular: str) -> list[list[str]]:
    """Rows of a LaTeX tabular body as lists of raw cells."""
    rows = []
    for raw in re.split(r"\\\\", tabular):
        raw = re.sub(r"\\hline", "", raw).strip()
        if not raw:
            continue
        rows.append([c.strip() for c in raw.split("&")])
    return rows


def tabular_body(tex: str) -> str | None:
    """Body of the first tabular in ``tex``, after its (possibly nested) column spec."""
    start = tex.find(r"\begin{tabular}")
    if start < 0:
        return None
    i = start + len(r"\begin{tabular}")
    while i < len(tex) and tex[i] == "{":  # skip {spec} groups with nested braces
        depth = 0
        while True:
            depth += {"{": 1, "}": -1}.get(tex[i], 0)
            i += 1
            if depth == 0:
                break
    end = tex.find(r"\end{tabular}", i)
    return tex[i:end]


def mode_table(section_tex: str) -> list[dict]:
    """The Name/Content table of a section, continuation rows merged."""
    body = tabular_body(section_tex)
    if body is None:
        return []
    modes: list[dict] = []
    for cells in table_rows(body):
        if len(cells) < 2:
            continue
        name, content = cells[0], " ".join(cells[1:])
        if name == "Name":
            continue
        if not name and modes:  # wrapped row
            modes[-1]["description"] = one_line(modes[-1]["description"] + " " +
                                                latex_to_text(content))  # fmt: skip
            continue
        modes.append({"name": latex_to_text(name).lower(), "description":
                      one_line(latex_to_text(content))})  # fmt: skip
    return modes


def score_table(tex: str) -> dict[tuple[str, str | None], float]:
    m = re.search(r"\\caption\{PLOVER conflict--cooperation scores\}.*?\\begin\{tabular\}"
                  r"\{[^}]*\}(.*?)\\end\{tabular\}", tex, re.S)  # fmt: skip
    if not m:
        raise ValueError("score table not found")
    scores: dict[tuple[str, str | None], float] = {}
    for cells in table_rows(m.group(1)):
        cells = [re.sub(r"\\cellcolor\{[^}]*\}", "", c).strip() for c in cells]
        for name, value in zip(cells[0::2], cells[1::2], strict=False):
            if not name or name.startswith(r"\textbf"):
                continue
            etype, _, mode = name.partition(":")
            key = (etype.strip().upper(), mode.strip().lower() or None)
            if key in scores:
                raise ValueError(f"score for {key} given twice")
            scores[key] = float(value)
    return scores


def quotations(tex: str) -> list[str]:
    """``...'' and ``..." quotations in a cleaned chunk of the manual, in order."""
    found = []
    for m in re.finditer(r"``(.+?)(?:''|\")", tex, re.S):
        quote = one_line(latex_to_text(m.group(1))).replace("\u2019", "'")
        found.append(quote.rstrip("…. ,").strip())
    return found


def _quad(title: str) -> str:
    name = title.split(":", 1)[1].strip().lower().replace(" ", "_")
    if name not in QUAD_CLASSES:
        raise ValueError(f"unknown quad category {title!r}")
    return name


def parse_event_type(name: str, section: str) -> dict:
    intro, subs = split_subsections(section)
    record: dict = {
        "name": name,
        "definition": latex_to_text(
            re.sub(r"\\begin\{table\}.*?\\end\{table\}", "", intro, flags=re.S)
        ),  # fmt: skip
        "quad_class": None,
        "requires_recipient": None,
        "recipient_note": "",
        "ambiguities": [],
        "modes": mode_table(section),
    }
    for title, body in subs:
        if title.startswith("Requires recipient"):
            answer = title.split(":", 1)[1].strip().lower()
            record["requires_recipient"] = {"yes": True, "no": False}[answer]
            record["recipient_note"] = one_line(latex_to_text(body))
        elif title.startswith("Quad category"):
            record["quad_class"] = _quad(title)
        elif title.startswith("Potential ambiguities"):
            items = re.findall(r"\\item(.*?)(?=\\item|\\end\{itemize\})", body, re.S)
            if items:
                record["ambiguities"] = [one_line(latex_to_text(i)) for i in items]
            else:
                record["ambiguities"] = [one_line(latex_to_text(body))]
    if record["quad_class"] is None or record["requires_recipient"] is None:
        raise ValueError(f"{name}: quad category or requires-recipient not found")
    return record


def parse_auxiliary(tex: str) -> list[dict]:
    sec = split_sections(chapter(tex, "Event, Mode, and Context"))["Auxiliary modes"]
    items = dict(re.findall(r"\\item\s*\\plcon\{(\w+)\}:\s*(.*)", sec))
    note = re.search(r"\\textbf\{(Note:[^}]*)\}", sec)
    paras = [one_line(latex_to_text(p)) for p in re.split(r"\n\s*\n", sec)]
    text = " ".join(p for p in paras if p and not p.startswith("Note:") and "- " not in p[:2])
    out = []
    for name in AUXILIARY_MODES:
        if name not in items:
            raise ValueError(f"auxiliary mode {name} not found")
        example = one_line(latex_to_text(items[name])).strip('\u201c\u201d" ')
        out.append({"name": name, "example": example})
    return [{"manual_text": text, "note": one_line(note.group(1)) if note else ""}, out]


def build(manual: Path) -> dict:
    raw = manual.read_text("utf-8")
    tex = strip_comments(raw)
    sections = split_sections(chapter(tex, "Event Categories"))
    missing = [t for t in EVENT_TYPES if t not in sections]
    extra = [t for t in sections if t not in EVENT_TYPES]
    if missing or extra:
        raise ValueError(
            f"event sections differ from the 16 types: missing {missing}, extra {extra}"
        )
    scores = score_table(tex)
    notes: list[str] = []

    types = []
    for name in EVENT_TYPES:
        rec = parse_event_type(name, sections[name])
        base = scores.get((name, None))
        if base is None:
            raise ValueError(f"no base score for {name}")
        rec["score"] = base
        if (name, None) in SCORE_CORRECTIONS:
            rec["score"], why = SCORE_CORRECTIONS[(name, None)]
            rec["score_printed"] = base
            rec["score_note"] = why
            notes.append(f"{name}: {why}")
        mode_names = {m["name"] for m in rec["modes"]}
        for m in rec["modes"]:
            m["score"] = scores.get((name, m["name"]))
            if m["score"] is None:
                notes.append(f"{name} mode '{m['name']}' has no score in the table; "
                             f"plover_score falls back to the {name} base score")  # fmt: skip
        for (etype, mode), _ in scores.items():
            if etype == name and mode is not None and mode not in mode_names:
                raise ValueError(f"score table mode {name}: {mode} is not in the {name} mode table")
        rec["examples"] = []
        types.append(rec)
    unknown = sorted({e for e, _ in scores} - set(EVENT_TYPES))
    if unknown:
        raise ValueError(f"score table names unknown types {unknown}")

    # example sentences, from the Event/Mode/Context chapter and the Event chapter
    by_name = {t["name"]: t for t in types}
    text = chapter(tex, "Event, Mode, and Context") + chapter(tex, "Event Categories")
    seen: set[str] = set()
    used: set[str] = set()
    for quote in quotations(text):
        hits = [e for e in EXAMPLES if quote.startswith(e[0])]
        if not hits:
            if not any(quote.startswith(n) for n in NOT_EXAMPLES):
                raise ValueError(f"quotation not classified as example or not: {quote!r}")
            continue
        prefix, etype, mode, why = hits[0]
        used.add(prefix)
        if quote in seen:
            continue
        seen.add(quote)
        by_name[etype]["examples"].append({"text": quote, "mode": mode, "why": why})
    unused = [e[0] for e in EXAMPLES if e[0] not in used]
    if unused:
        raise ValueError(f"curated examples not found in the manual: {unused}")

    # Quad class: the per-type sections are authoritative; record where the summary disagrees.
    summary = re.search(r"Quad categories in PLOVER.*?\\end\{tabular\}", tex, re.S)
    if summary:
        for cells in table_rows(summary.group(0).split("\\hline", 1)[1]):
            if len(cells) == 3 and cells[0] != "Quad category":
                quad = cells[0].lower().replace(" ", "_")
                for etype in re.split(r",\s*", cells[1].strip()):
                    if etype in by_name and by_name[etype]["quad_class"] != quad:
                        notes.append(
                            f"{etype}: the summary table 'Quad categories in PLOVER' lists it "
                            f"under {quad}, its own section says "
                            f"{by_name[etype]['quad_class']}; the section is used"
                        )

    aux_text, aux = parse_auxiliary(tex)
    return {
        "attribution": ATTRIBUTION,
        "license": "CC BY-SA 4.0",
        "source": "PLOVER_MANUAL.tex (Event Categories chapter, 'Numeric conflict/cooperation "
        "scores' table, 'Auxiliary modes' section)",
        "generated_by": "python -m newsmon.nlp.build_plover_events",
        "quad_classes": list(QUAD_CLASSES),
        "score_range": [-10, 10],
        "event_types": types,
        "auxiliary_modes": {
            "text": aux_text["manual_text"],
            "note": aux_text["note"],
            "modes": aux,
        },  # fmt: skip
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manual", type=Path, default=None)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "data" / "plover_events.json"
    )
    args = parser.parse_args(argv)
    data = build(args.manual or default_manual())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    n_ex = sum(len(t["examples"]) for t in data["event_types"])
    n_modes = sum(len(t["modes"]) for t in data["event_types"])
    print(f"wrote {args.out}: {len(data['event_types'])} types, {n_modes} modes, "
          f"{n_ex} examples, {len(data['notes'])} notes", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
