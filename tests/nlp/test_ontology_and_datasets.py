"""PLOVER ontology data and the labeled-data loaders.

Tests that read ../shared/data skip, with the path in the reason, when it is absent.
Score values marked "manual" were read by hand from the manual's table
'PLOVER conflict--cooperation scores' (PLOVER_MANUAL.tex, Numeric conflict/cooperation scores).
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from newsmon.nlp import datasets as ds
from newsmon.nlp.ontology import (
    EVENT_TYPE_NAMES,
    QUAD_CLASSES,
    auxiliary_modes,
    event_type,
    event_types,
    is_event_type,
    modes_of,
    ontology_notes,
    plover_score,
    quad_of,
    types_in_quad,
)

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
MANUAL = REPO.parent / "shared" / "reference" / "plover" / "PLOVER_MANUAL.tex"

needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"shared labeled data not found at {DATA} (../shared/data)"
)
needs_manual = pytest.mark.skipif(not MANUAL.is_file(), reason=f"PLOVER manual not at {MANUAL}")


@lru_cache(maxsize=1)
def _quads() -> list[ds.LabeledSentence]:
    return ds.quad_examples(DATA)


@lru_cache(maxsize=1)
def _etypes() -> list[ds.LabeledSentence]:
    return ds.event_type_examples(DATA)


@lru_cache(maxsize=1)
def _roles() -> list[ds.RoleExample]:
    return ds.role_examples(DATA)


# --------------------------------------------------------------------------------- ontology

EXPECTED_QUADS = {
    "AGREE": "verbal_cooperation", "CONSULT": "verbal_cooperation",
    "SUPPORT": "verbal_cooperation", "CONCEDE": "verbal_cooperation",
    "COOPERATE": "material_cooperation", "AID": "material_cooperation",
    "RETREAT": "material_cooperation",
    "REQUEST": "verbal_conflict", "ACCUSE": "verbal_conflict", "REJECT": "verbal_conflict",
    "THREATEN": "verbal_conflict",
    "PROTEST": "material_conflict", "SANCTION": "material_conflict",
    "MOBILIZE": "material_conflict", "COERCE": "material_conflict", "ASSAULT": "material_conflict",
}  # fmt: skip


def test_sixteen_types_in_manual_order_with_quads():
    names = tuple(t.name for t in event_types())
    assert names == EVENT_TYPE_NAMES
    assert len(names) == 16
    assert {t.name: t.quad_class for t in event_types()} == EXPECTED_QUADS
    assert QUAD_CLASSES == (
        "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict",
    )  # fmt: skip
    for name, quad in EXPECTED_QUADS.items():
        assert quad_of(name) == quad
        assert quad_of(name.lower()) == quad
    assert types_in_quad("material_cooperation") == ("COOPERATE", "AID", "RETREAT")
    assert event_type("SANCTION").quad_index == 4


def test_base_scores_from_manual_table():
    manual = {  # by hand from the table
        "AGREE": 2.5, "CONSULT": 2.5, "SUPPORT": 5, "CONCEDE": 4.5, "COOPERATE": 9.5,
        "AID": 10, "RETREAT": 6.5, "REQUEST": 0, "REJECT": -2, "THREATEN": -3.5,
        "PROTEST": -5, "SANCTION": -6, "MOBILIZE": -5.5, "COERCE": -7, "ASSAULT": -9,
    }  # fmt: skip
    for name, score in manual.items():
        assert plover_score(name) == score, name
        assert plover_score(name, None) == score
    # ACCUSE is printed "3" without a sign; the JSON reads it as -3 and keeps the printed value
    accuse = event_type("ACCUSE")
    assert plover_score("ACCUSE") == -3.0
    assert accuse.score_printed == 3.0 and "minus" in accuse.score_note
    assert all(-10 <= t.score <= 10 for t in event_types())
    for t in event_types():
        expected_sign = 1 if "cooperation" in t.quad_class else -1
        assert t.score * expected_sign >= 0 or t.name == "REQUEST", t.name


def test_mode_scores_from_manual_table():
    assert plover_score("CONSULT", "visit") == 4
    assert plover_score("CONSULT", "Third-party") == 1
    assert plover_score("RETREAT", "disarm") == 10
    assert plover_score("RETREAT", "resign") == 4.5
    assert plover_score("REQUEST", "change") == -1
    assert plover_score("ACCUSE", "disapprove") == -2
    assert plover_score("THREATEN", "territory") == -4
    assert plover_score("PROTEST", "riot") == -7
    assert plover_score("SANCTION", "expel") == -5.5
    assert plover_score("MOBILIZE", "militia") == -6
    assert plover_score("COERCE", "martial_law") == -7.5
    assert plover_score("ASSAULT", "unconventional") == -10
    assert plover_score("ASSAULT", "Heavy-weapons") == -9.5
    assert plover_score("ASSAULT", "crowd-control") == -7.5
    # PROTEST 'vandalize' is in the mode table but not the score table: base score
    assert plover_score("PROTEST", "vandalize") == -5
    with pytest.raises(ValueError):
        plover_score("AGREE", "visit")
    with pytest.raises(KeyError):
        plover_score("FIGHT")


def test_modes_recipients_definitions_examples():
    assert [m.name for m in modes_of("CONSULT")] == [
        "visit",
        "third-party",
        "multilateral",
        "phone",
    ]
    assert modes_of("AGREE") == ()
    assert len(modes_of("ASSAULT")) == 15
    assert [m.name for m in modes_of("REQUEST")] == [m.name for m in modes_of("REJECT")]
    threaten_restrict = modes_of("THREATEN")[0]
    assert threaten_restrict.name == "restrict" and "curfews" in threaten_restrict.description
    recipients = {t.name for t in event_types() if t.requires_recipient}
    assert recipients == {"COOPERATE", "AID", "SANCTION"}
    for t in event_types():
        assert len(t.definition) > 20 and "\\" not in t.definition, t.name
        for m in t.modes:
            assert m.description and "\\" not in m.description and "&" not in m.name
    assert event_type("REJECT").definition == "All rejections and refusals."
    examples = {e.text: t.name for t in event_types() for e in t.examples}
    assert examples["Pakistan's military rescued 10 hostages from the border region with "
                    "Afghanistan yesterday"] == "AID"  # fmt: skip
    assert (
        examples["President Obama met with Japanese Prime Minister Abe at the White House"]
        == "CONSULT"
    )
    assert [a.name for a in auxiliary_modes()] == ["historical", "future", "hypothetical",
                                                   "negation"]  # fmt: skip
    assert auxiliary_modes()[3].example.startswith("Thus far, fighting has not re-emerged")
    assert any("SANCTION" in n for n in ontology_notes())


def test_json_attribution_and_package_data():
    path = REPO / "services" / "nlp" / "data" / "plover_events.json"
    data = json.loads(path.read_text("utf-8"))
    assert data["attribution"] == "PLOVER manual, Open Event Data Alliance, CC BY-SA 4.0"
    assert data["quad_classes"] == list(QUAD_CLASSES)


@needs_manual
def test_json_is_what_the_build_script_extracts():
    from newsmon.nlp.build_plover_events import build

    path = REPO / "services" / "nlp" / "data" / "plover_events.json"
    assert build(MANUAL) == json.loads(path.read_text("utf-8"))


# --------------------------------------------------------------------------------- helpers


def test_fold_of_deterministic_and_balanced():
    assert ds.fold_of("t:abc") == ds.fold_of("t:abc")
    assert ds.fold_of("t:abc", k=5) == 4  # a fixed value: sha256-based, not Python's hash()
    sizes = Counter(ds.fold_of(f"g{i}", 5) for i in range(5000))
    assert set(sizes) == set(range(5))
    assert max(sizes.values()) < 1.1 * min(sizes.values())
    assert all(0 <= ds.fold_of(f"x{i}", 3) < 3 for i in range(100))
    with pytest.raises(ValueError):
        ds.fold_of("x", 0)


def test_text_group_joins_near_identical_texts():
    a = ds.text_group("Erdoğan met Putin in Sochi.")
    assert a == ds.text_group("Erdogan met Putin in Sochi .")
    assert a == ds.text_group("  erdogan  met putin in sochi")
    assert a != ds.text_group("Erdogan met Assad in Sochi.")


def test_detokenize():
    assert ds.detokenize("Kyiv , the regions and the U.S. 's allies .") == (
        "Kyiv, the regions and the U.S.'s allies."
    )
    assert ds.detokenize('called them " bandits " ( sic ) .') == 'called them "bandits" (sic).'


def test_align_and_locate_tokens():
    text = "Meanwhile, a Swiss court rejected the Croatian governmentʼs request."
    tokens = ["Meanwhile", ",", "a", "Swiss", "court", "rejected", "the", "Croatian"]
    tokens += ["government", "'s", "request", "."]
    spans = ds.align_tokens(text, tokens)
    assert all(s is not None for s in spans)
    assert text[spans[7][0] : spans[9][1]] == "Croatian governmentʼs"
    assert ds.locate_span("Iraqi forces hit Iraq.", ["Iraq"]) == (17, 21)
    assert ds.locate_span("Talks with Erdoğan.", ["Erdogan"]) == (11, 18)


def test_default_data_dir_is_next_to_repo():
    assert ds.default_data_dir() == (REPO.parent / "shared" / "data").resolve()
    with pytest.raises(FileNotFoundError):
        ds.quad_examples(REPO / "no-such-folder")


def test_label_distribution_and_format():
    exs = [
        ds.LabeledSentence("a", "none", "s1", "g1"),
        ds.LabeledSentence("b", "verbal_conflict", "s1", "g2"),
        ds.LabeledSentence("c", "verbal_conflict", "s2", "g3"),
    ]
    dist = ds.label_distribution(exs)
    assert dist == {"s1": {"none": 1, "verbal_conflict": 1}, "s2": {"verbal_conflict": 1},
                    "all": {"verbal_conflict": 2, "none": 1}}  # fmt: skip
    table = ds.format_distribution(dist, "t")
    assert "| verbal_conflict | 1 | 1 | 2 |" in table and "| **total** | 2 | 1 | 3 |" in table


def test_case_mapping_covers_valid_types():
    for fine, (plover, mode) in ds.CASE2021_TO_PLOVER.items():
        assert fine.isupper()
        if plover is None:
            assert mode is None
        else:
            assert is_event_type(plover)
            if mode is not None:
                assert mode in {m.name for m in modes_of(plover)}, (fine, mode)
    assert len(ds.CASE2021_TO_PLOVER) == 30


def test_manual_examples_are_labelled_plover_types():
    exs = ds.manual_examples()
    assert len(exs) >= 8
    assert all(is_event_type(e.label) and e.source == "plover_manual" for e in exs)


# --------------------------------------------------------------------------------- data


@needs_data
def test_quad_examples_labels_and_counts():
    exs = _quads()
    dist = ds.label_distribution(exs)
    assert set(dist) == {"conflibert_cameo", "quadclass_un", "unscon", "all"}
    assert {e.label for e in exs} <= set(ds.QUAD_LABELS)
    assert sum(dist["conflibert_cameo"].values()) == 1349
    assert sum(dist["quadclass_un"].values()) == 5979
    assert dist["unscon"] == {"verbal_conflict": 681}
    # mapping as the shared README gives it (upstream README swaps): 1 = material conflict
    assert dist["quadclass_un"]["material_conflict"] == 1482
    assert dist["quadclass_un"]["verbal_cooperation"] == 1232
    assert dist["conflibert_cameo"]["none"] == 240  # pentacode 0
    assert all(e.text and e.group for e in exs)
    assert {e.label for e in ds.quad_examples(DATA, include_none=False)} == set(QUAD_CLASSES)


@needs_data
def test_quadclass_un_row_with_quotes_parsed():
    texts = {e.text for e in _quads() if e.source == "quadclass_un"}
    assert any('General "Morgan" and the Alliance' in t for t in texts)
    assert not any('""' in t for t in texts)  # no CSV escaping left in the text
    conflibert = {e.text for e in _quads() if e.source == "conflibert_cameo"}
    assert not any('""' in t for t in conflibert)


@needs_data
def test_event_type_examples_valid_and_mapped():
    exs = _etypes()
    assert exs and all(is_event_type(e.label) for e in exs)
    dist = ds.label_distribution(exs)
    assert dist["case2021_task2"]["ASSAULT"] == 243
    assert dist["case2021_task2"]["PROTEST"] == 65
    raw = ds.case2021_raw(DATA)
    assert len(raw) == 503
    assert {e.label for e in raw} == set(ds.CASE2021_TO_PLOVER)
    dropped = sum(1 for e in raw if ds.CASE2021_TO_PLOVER[e.label][0] is None)
    assert sum(dist["case2021_task2"].values()) + dropped == 503
    assert "plover_manual" in dist


@needs_data
def test_role_spans_slice_to_span_strings():
    exs = _roles()
    assert len(exs) == 1044
    n_spans = 0
    for e in exs:
        assert e.pentacode in ds.PENTACODE_TO_QUAD
        for role in ("source", "target", "reciprocal"):
            spans = getattr(e, f"{role}_spans")
            assert len(spans) == len(e.span_strings[role])
            for (a, b), string in zip(spans, e.span_strings[role], strict=True):
                n_spans += 1
                assert 0 <= a < b <= len(e.text)
                assert ds.normalize_for_match(e.text[a:b]) == ds.normalize_for_match(string)
                assert e.text[a:b] == e.text[a:b].strip()
    report = ds.span_report(exs)
    assert report["all_located"] == n_spans
    assert report["exact_rate"] >= 0.99  # exact joins: every span should be found
    assert report["all_rate"] >= 0.95
    e = next(x for x in exs if x.text.startswith("Meanwhile, a Swiss court rejected"))
    assert [e.text[a:b] for a, b in e.source_spans] == ["a Swiss court"]


@needs_data
def test_groups_shared_across_loaders_and_folds_balanced():
    quads = _quads()
    conflibert_groups = {e.group for e in quads if e.source == "conflibert_cameo"}
    assert all(r.group in conflibert_groups for r in _roles())
    # identical normalised texts always share a group
    by_text: dict[str, set[str]] = {}
    for e in quads:
        by_text.setdefault(ds.normalize_for_group(e.text), set()).add(e.group)
    assert all(len(g) == 1 for g in by_text.values())
    # UNSCon: one speech is one group
    assert all(e.group.startswith("unscon:") for e in quads if e.source == "unscon")
    sizes = ds.fold_sizes(quads, 5)
    assert min(sizes) > 0.8 * len(quads) / 5 and max(sizes) < 1.2 * len(quads) / 5
    again = ds.quad_examples(DATA)
    assert [ds.fold_of(e.group) for e in again] == [ds.fold_of(e.group) for e in quads]
    train, held = ds.split_by_fold(quads, 0)
    assert len(train) + len(held) == len(quads)
    assert not {e.group for e in train} & {e.group for e in held}
