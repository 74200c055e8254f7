"""Weak PLOVER event-type labels for ConfliBERT sentences, from verb cues inside their human
pentacode.

Why: the shared data has human event-type labels only for four PLOVER types (CASE 2021,
mapped). ConfliBERT's 1,109 event sentences carry a human *pentacode* (CAMEO 03-05, 06-08,
09-13 plus 16, 14-20), and inside one pentacode the PLOVER type is usually named by the main
verb: "met" is CONSULT, "condemned" ACCUSE, "threatened" THREATEN, "detained" COERCE. So the
human label narrows the choice to four or five types and a cue list taken from the CAMEO to
PLOVER table (``../shared/reference/plover/CAMEO2PLOVER-2021.txt``) and the manual's
definitions picks one. The earliest cue in the sentence wins: in wire news the main verb comes
early, and "will meet" is AGREE by the manual's rule for future meetings because "will" comes
first. A sentence with no cue is left out rather than guessed.

These are *our* labels, not independent gold: ``newsmon eval`` reports agreement with them
under that name, and the CASE figures remain the human-labelled measurement.

ConfliBERT puts CAMEO 16 (reduce relations: suspend aid, expel diplomats, sanctions) in
pentacode 3 (verbal conflict) while PLOVER makes SANCTION material conflict; the quad head is
trained on PLOVER's quad for those sentences (``plover_quad``), so type and quad agree.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsmon.nlp import datasets
from newsmon.nlp.ontology import quad_of

SOURCE = "conflibert_cues"

# Cues per PLOVER type: word stems (regex, case-insensitive, matched at a word start).
# fmt: off
CUES: dict[str, tuple[str, ...]] = {
    "AGREE": (
        r"agree[sd]?\b", r"pledg", r"promis", r"vow", r"offer", r"willing", r"ready to", r"commit",
        r"intend", r"will\b", r"plans? to\b", r"would\b",
    ),
    "CONSULT": (
        r"met\b", r"meet", r"talks\b", r"visit", r"host", r"discuss", r"phone", r"spoke with",
        r"negotiat", r"summit", r"mediat", r"consult", r"confer",
    ),
    "SUPPORT": (
        r"prais", r"support", r"endors", r"welcom", r"backs?\b", r"backed", r"solidarity",
        r"defend", r"congratul", r"thank", r"recogni[sz]", r"apologi", r"forgiv", r"sign",
        r"ratif", r"diplomatic relations", r"establish", r"commend", r"approv", r"restor",
    ),
    "CONCEDE": (
        r"conced", r"concession", r"postpon", r"accede", r"pardon", r"amnest",
    ),
    "COOPERATE": (
        r"cooperat", r"joint\b", r"exercise", r"drill", r"shar(e|ed|ing) intelligence", r"trade\b",
        r"extradit", r"partner", r"invest", r"collaborat", r"train(ed|ing|s)?\b", r"deal\b",
        r"exchang",
    ),
    "AID": (
        r"aid\b", r"assist", r"donat", r"gave\b", r"give[sn]?\b", r"provid", r"suppl", r"deliver",
        r"humanitarian", r"fund", r"loan", r"grant", r"peacekeep", r"rescu", r"evacuat", r"asylum",
        r"sen[dt]", r"financ", r"vaccin", r"debt", r"deploy",
    ),
    "RETREAT": (
        r"releas", r"freed\b", r"free[sd]?\b", r"withdr[ae]w", r"pull(ed|s)? (out|back)",
        r"retreat", r"disarm", r"demobili", r"surrender", r"return", r"repatriat", r"lift",
        r"eas(e|ed|es|ing)\b", r"rolled back", r"allow", r"reopen", r"open(ed|s)?\b", r"handed",
    ),
    "REQUEST": (
        r"demand", r"urg(e|ed|es|ing)\b", r"call(ed|s|ing)? (for|on|upon)\b", r"ask", r"appeal",
        r"request", r"must\b", r"press(ed|es)? (for|on)", r"insist", r"order",
    ),
    "ACCUSE": (
        r"accus", r"condemn", r"critici[sz]", r"blam", r"denounc", r"complain", r"alleg",
        r"investigat", r"sue[sd]?\b", r"lawsuit", r"charg", r"probe", r"decr(y|ied)", r"slam",
        r"summon", r"convict", r"indict", r"guilty", r"disapprov", r"object",
    ),
    "REJECT": (
        r"reject", r"refus", r"den(y|ied|ies)\b", r"veto", r"dismiss", r"oppos", r"declin",
        r"def(y|ied|ies)\b", r"resist", r"ruled out", r"turned down", r"ended mediation",
    ),
    "THREATEN": (
        r"threat", r"warn", r"ultimatum",
    ),
    "SANCTION": (
        r"sanction", r"embargo", r"suspen", r"sever", r"expel", r"recall", r"halt", r"cut\b",
        r"reduc", r"boycott", r"withdr[ae]w", r"freez", r"froze", r"ban(s|ned)?\b", r"clos",
        r"downgrad", r"broke off",
    ),
    "PROTEST": (
        r"protest", r"demonstrat", r"rall(y|ied|ies)", r"march",
        r"(general|hunger|labou?r) strike", r"on strike", r"riot", r"sit-in",
    ),
    "MOBILIZE": (
        r"mobili[sz]", r"deploy", r"alert", r"troops? to\b", r"military presence", r"reinforc",
        r"mass(ed|ing)\b", r"drill", r"exercise", r"patrol", r"build-?up",
    ),
    "COERCE": (
        r"arrest", r"detain", r"deport", r"seiz", r"confiscat", r"raid", r"outlaw", r"shut\b",
        r"curfew", r"restrict", r"censor", r"demolish", r"forced?\b", r"imprison", r"sentenc",
        r"jail", r"captur", r"occup", r"expel", r"ban(s|ned)?\b", r"state of siege",
        r"martial law", r"state of emergency", r"block", r"prosecut", r"evict", r"blockade",
    ),
    "ASSAULT": (
        r"kill", r"attack", r"bomb", r"shell", r"strik", r"struck", r"clash", r"fight", r"fought",
        r"fire[sd]?\b", r"shot", r"shoot", r"wound", r"assault", r"storm", r"massacr", r"abduct",
        r"kidnap", r"tortur", r"hostage", r"human shield", r"beat", r"assassinat", r"executed",
        r"burn", r"destroy", r"explo", r"launch", r"ambush", r"offensive", r"cyber",
        r"raz(e|ed|ing)\b", r"teargas|tear gas", r"batons?",
    ),
}
# fmt: on

# The PLOVER types that each ConfliBERT pentacode can hold (CAMEO roots as the data use them).
PENTACODE_TYPES: dict[str, tuple[str, ...]] = {
    "verbal_cooperation": ("AGREE", "CONSULT", "SUPPORT", "CONCEDE"),
    "material_cooperation": ("COOPERATE", "AID", "RETREAT"),
    "verbal_conflict": ("REQUEST", "ACCUSE", "REJECT", "THREATEN", "SANCTION"),
    "material_conflict": ("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"),
}

_COMPILED = {
    event_type: re.compile("|".join(rf"\b(?:{cue})" for cue in cues), re.IGNORECASE)
    for event_type, cues in CUES.items()
}


def cue_type(text: str, pentacode_quad: str) -> str | None:
    """The PLOVER type whose cue comes first in ``text`` among the types ``pentacode_quad``
    allows; None when no cue matches (or the pentacode is "none")."""
    best: tuple[int, int, str] | None = None
    for rank, event_type in enumerate(PENTACODE_TYPES.get(pentacode_quad, ())):
        found = _COMPILED[event_type].search(text)
        if found and (best is None or (found.start(), rank) < best[:2]):
            best = (found.start(), rank, event_type)
    return best[2] if best else None


def plover_quad(text: str, pentacode_quad: str) -> str:
    """The PLOVER quad of a ConfliBERT sentence: its pentacode's, except where the cue type
    sits in another quad (CAMEO 16 in pentacode 3 is SANCTION, material conflict)."""
    event_type = cue_type(text, pentacode_quad)
    return quad_of(event_type) if event_type else pentacode_quad


def cue_event_examples(data_dir: str | Path | None = None) -> list[datasets.LabeledSentence]:
    """ConfliBERT event sentences labelled with their cue type (sentences without a cue left
    out); ``source`` is ``conflibert_cues`` so evaluation can keep them apart from human
    labels."""
    out = []
    for example in datasets.conflibert_quad(data_dir):
        event_type = cue_type(example.text, example.label)
        if event_type:
            out.append(datasets.LabeledSentence(example.text, event_type, SOURCE, example.group))
    return out
