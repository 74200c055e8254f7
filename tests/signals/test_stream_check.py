"""The offline stream check: expectations met or missed, other signals, flapping."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from newsmon.core.records import AllianceSignal, Evidence
from newsmon.signals.alignments import AlignmentTable
from newsmon.signals.detector import AllianceDetector
from newsmon.signals.stream_check import (
    Expectation,
    SignalTrace,
    check_stream,
    expectations_beside,
    load_expectations,
    run_detector,
)

from tests.conftest import REPO
from tests.signals.test_detector import event

SEED = REPO / "seeds" / "000_783d31cd25a2e179.txt"


def test_the_seed_readers_expectations_load_with_their_known_gaps() -> None:
    expectations = load_expectations(REPO / "seeds" / "expectations.yaml")
    assert [(e.signal_type, set(e.pair), e.gap) for e in expectations] == [
        ("dyad_shift", {"RUS", "SYR"}, False),
        ("ally_at_risk", {"RUS", "IRN"}, False),
        ("ally_at_risk", {"RUS", "VEN"}, True),
        ("dyad_shift", {"USA", "VEN"}, True),
        ("dyad_shift", {"USA", "IRN"}, True),
    ]
    assert all(e.direction == "toward_conflict" and e.reader for e in expectations)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {type: dyad_shift, pair: [RUS], direction: toward_conflict}", "entry 0: pair"),
        ("- {type: shift, pair: [RUS, SYR], direction: toward_conflict}", "entry 0: type"),
        ("- {type: dyad_shift, pair: [RUS, SYR], direction: worse}", "entry 0: direction"),
        ("- {type: dyad_shift, pair: [A, B], direction: toward_conflict, when: x}", "unknown"),
        ("- {type: realignment, pair: [A, B], direction: toward_conflict, third: [C]}", "third"),
        ("type: dyad_shift", "a list"),
    ],
)
def test_a_wrong_expectation_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "expect.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_expectations(path)


def syria_turning_on_russia() -> list[list[dict]]:
    """Three articles of post-Assad Syria rejecting and accusing Russia (their partnership of
    before is the prior), and one of Japan and Germany agreeing on nothing in particular."""
    articles = [
        [event(i, ("SYR", "GOV"), ["RUS"], kind, "verbal_conflict", score, float(i))]
        for i, (kind, score) in enumerate([("REJECT", -4.0), ("ACCUSE", -3.0), ("REJECT", -4.0)])
    ]
    return [*articles, [event(9, ("JPN", "GOV"), ["DEU"], "AGREE", "verbal_cooperation", 4.0)]]


def test_an_expected_shift_is_met_with_its_evidence_and_a_missing_one_is_missed() -> None:
    traces = run_detector(syria_turning_on_russia(), AllianceDetector(AlignmentTable.load()))
    expected = [
        Expectation("dyad_shift", ("SYR", "RUS"), "toward_conflict", "Syria turns on Russia"),
        Expectation("dyad_shift", ("SYR", "RUS"), "toward_cooperation", "the wrong way"),
        Expectation("dyad_shift", ("USA", "VEN"), "toward_conflict", "not in this stream", True),
    ]
    report = check_stream(traces, expected)
    met, wrong_way, gap = report.results
    assert met.met and met.signal is not None and met.signal.pair == ("RUS", "SYR")
    # one event a day: the first two, decayed, make 1.98 effective events, under the two needed
    assert met.raised_after == 3
    assert {e.article_id for e in met.signal.evidence} <= {"a0", "a1", "a2"}
    assert not wrong_way.met and not gap.met
    assert report.missed == [wrong_way], "a known gap is reported, not failed on"
    assert report.others == [] and report.flapping == []


def signal(
    version: int,
    status: str,
    direction: str,
    signal_type: str = "dyad_shift",
    pair: tuple[str, str] = ("DEU", "FRA"),
    third: str | None = None,
) -> AllianceSignal:
    return AllianceSignal(
        signal_id="s1",
        version=version,
        signal_type=signal_type,
        pair=pair,
        third_party=third,
        direction=direction,
        magnitude=1.0,
        confidence=0.5,
        independent_sources=1,
        evidence=[Evidence(article_id="a", sentence=f"version {version}")],
        raised_at=0.0,
        updated_at=float(version),
        status=status,
    )


def test_a_signal_that_turned_meets_each_direction_with_the_version_that_matched() -> None:
    trace = SignalTrace()
    trace.add(signal(1, "active", "toward_conflict"), 2)
    trace.add(signal(2, "active", "toward_cooperation"), 5)
    conflict = Expectation("dyad_shift", ("FRA", "DEU"), "toward_conflict", "a quarrel")
    warming = Expectation("dyad_shift", ("FRA", "DEU"), "toward_cooperation", "a thaw")
    report = check_stream({"s1": trace}, [conflict, warming])
    quarrel, thaw = report.results
    assert quarrel.met and quarrel.raised_after == 2 and not quarrel.holds_at_end
    assert quarrel.signal is not None and quarrel.signal.evidence[0].sentence == "version 1"
    assert thaw.met and thaw.raised_after == 5 and thaw.holds_at_end
    assert report.others == [] and [n for _, n in report.flapping] == [1]


@pytest.mark.parametrize(
    ("signal_type", "pair", "third", "expected_pair", "expected_third", "meets"),
    [
        ("dyad_shift", ("IRN", "RUS"), None, ("RUS", "IRN"), None, True),
        # (partner, ally under pressure): Russia's ally Iran, not Iran's ally Russia
        ("ally_at_risk", ("RUS", "IRN"), "USA", ("RUS", "IRN"), None, True),
        ("ally_at_risk", ("IRN", "RUS"), "USA", ("RUS", "IRN"), None, False),
        # (A, A's partner B) warming to A's adversary C
        ("realignment", ("RUS", "SYR"), "USA", ("RUS", "SYR"), "USA", True),
        ("realignment", ("RUS", "SYR"), "TUR", ("RUS", "SYR"), "USA", False),
        ("realignment", ("SYR", "RUS"), "USA", ("RUS", "SYR"), None, False),
    ],
)
def test_who_is_whose_partner_matters_except_in_a_dyad(
    signal_type: str,
    pair: tuple[str, str],
    third: str | None,
    expected_pair: tuple[str, str],
    expected_third: str | None,
    meets: bool,
) -> None:
    raised = signal(1, "active", "toward_conflict", signal_type, pair, third)
    expectation = Expectation(
        signal_type, expected_pair, "toward_conflict", "reader", third=expected_third
    )
    assert expectation.matches(raised) is meets


@pytest.mark.parametrize(
    ("history", "flaps"),
    [
        ([("active", "toward_conflict"), ("active", "toward_conflict")], 0),
        ([("active", "toward_conflict"), ("cleared", "toward_conflict")], 0),
        (
            [
                ("active", "toward_conflict"),
                ("cleared", "toward_conflict"),
                ("active", "toward_conflict"),
            ],
            1,
        ),
        ([("active", "toward_conflict"), ("active", "toward_cooperation")], 1),
    ],
)
def test_a_signal_raised_again_or_turning_while_active_flaps(
    history: list[tuple[str, str]], flaps: int
) -> None:
    trace = SignalTrace([signal(v, s, d) for v, (s, d) in enumerate(history, start=1)])
    assert trace.flaps == flaps
    report = check_stream({"s1": trace}, [])
    assert report.others == [trace.last]
    assert [n for _, n in report.flapping] == ([flaps] if flaps else [])


def check_signals(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsmon", "check-signals", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_check_signals_codes_the_seed_article_and_reports_its_readers_expectations(
    tmp_path: Path,
) -> None:
    """The real coder and detector on the seed alone, as a user runs the command: the
    Russia-Syria turn and Russia's ally Iran at risk (since its figure of 2,500 protesters
    killed weighs as such) are met, with the seed's sentences as evidence; the known gaps are
    reported as such and do not fail --strict."""
    out = tmp_path / "check.json"
    expect = str(REPO / "seeds" / "expectations.yaml")
    done = check_signals(str(SEED), "--expect", expect, "--strict", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    met = [e for e in report["expectations"] if e["met"]]
    assert [(e["type"], tuple(e["pair"])) for e in met] == [
        ("dyad_shift", ("RUS", "SYR")),
        ("ally_at_risk", ("RUS", "IRN")),
    ]
    for expectation in met:
        assert expectation["raised_after_articles"] == 1, "the seed is the only article"
        evidence = expectation["signal"]["evidence"]
        assert evidence and all(e["sentence"] in SEED.read_text() for e in evidence)
    iran = [e["sentence"] for e in met[1]["signal"]["evidence"]]
    assert any("killed more than 2,500 protesters" in sentence for sentence in iran)
    assert all(e["gap"] for e in report["expectations"] if not e["met"])
    assert "met 2 of 5 expectations" in " ".join(done.stdout.split())


def test_expectations_are_read_from_beside_the_articles(tmp_path: Path) -> None:
    stream = tmp_path / "stream"
    stream.mkdir()
    assert expectations_beside([stream, SEED]) == []
    (stream / "expectations.yaml").write_text(
        "- {type: dyad_shift, pair: [IND, PAK], direction: toward_conflict, reader: strikes}"
    )
    assert [e.reader for e in expectations_beside([stream, SEED])] == ["strikes"]


def test_check_signals_names_a_missing_expectations_file(tmp_path: Path) -> None:
    done = check_signals(str(SEED), "--expect", str(tmp_path / "none.yaml"))
    assert done.returncode == 2
    assert "none.yaml" in done.stderr
