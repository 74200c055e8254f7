"""Coder processes: they code as the coder does in the worker's own process, and they never
outlive their worker, even one killed with SIGKILL."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from newsmon.core.metrics import WorkerMetrics
from newsmon.core.settings import Settings
from newsmon.nlp.coder import ArticleInput, build_coder
from newsmon.worker.coding import ProcessCoding, agent_instances
from prometheus_client import CollectorRegistry

ARTICLES = [
    ArticleInput(
        "a1",
        "Strikes on Kyiv",
        "Russian forces shelled Kyiv on Monday. Ukraine accused Moscow of war crimes.",
    ),
    ArticleInput("a2", "", "Iran and Russia signed a trade agreement in Tehran."),
]

HOLDS_A_CODER = """
from newsmon.core.settings import Settings
from newsmon.worker.coding import ProcessCoding
coding = ProcessCoding(Settings(), passes=2)
print(" ".join(str(pid) for pid in coding.pool._processes), flush=True)
import time; time.sleep(600)
"""


def gone(pid: int) -> bool:
    """No such process, or a zombie waiting for whoever adopted it to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_an_agent_instance_more_than_passes_only_with_processes() -> None:
    assert agent_instances(2, processes=True) == 3
    assert agent_instances(2, processes=False) == 2


def test_a_coder_process_codes_as_the_coder_in_this_process() -> None:
    settings = Settings(torch_threads=1)
    coding = ProcessCoding(settings, passes=1)
    try:
        metrics = WorkerMetrics.create(CollectorRegistry())
        coded = asyncio.run(coding.code(ARTICLES, metrics))
    finally:
        coding.pool.shutdown()
    here = build_coder(settings)
    expected = here.postprocess(here.forward(here.preprocess(ARTICLES)))
    assert coding.label == here.label
    assert [c.id for c in coded] == ["a1", "a2"]
    assert [c.sentences for c in coded] == [c.sentences for c in expected]
    for got, want in zip(coded, expected, strict=True):
        assert [(e.event_type, [a.code for a in e.actors]) for e in got.events] == [
            (e.event_type, [a.code for a in e.actors]) for e in want.events
        ]
    assert any(e.events for e in coded), "the articles are coded, not just passed through"


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_coder_processes_die_with_a_worker_killed_by_sigkill() -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDS_A_CODER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        coders = [int(pid) for pid in holder.stdout.readline().split()]
        assert len(coders) == 2 and not any(gone(pid) for pid in coders)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not all(gone(pid) for pid in coders):
        time.sleep(0.1)
    left = [pid for pid in coders if not gone(pid)]
    for pid in left:  # never leave them behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"coder processes outlived their worker: {left}"


def coded_summary(coded: list) -> list:
    return [None if c is None else (c.id, [e.event_type for e in c.events]) for c in coded]


def test_a_killed_coder_process_is_started_again_and_the_batch_coded() -> None:
    metrics = WorkerMetrics.create(CollectorRegistry())

    async def scenario() -> tuple[list, list]:
        coding = ProcessCoding(Settings(torch_threads=1), passes=1)
        try:
            before = await coding.code(ARTICLES, metrics)
            for pid in list(coding.pool._processes):
                os.kill(pid, signal.SIGKILL)
            after = await coding.code(ARTICLES, metrics)
        finally:
            coding.pool.shutdown()
        return before, after

    before, after = asyncio.run(scenario())
    assert coded_summary(after) == coded_summary(before)
    assert any(c.events for c in after)
    assert metrics.coder_restarts._value.get() == 1


def test_an_article_that_kills_its_coder_is_singled_out_and_nothing_else_is_lost() -> None:
    from tests.worker.crashing_coder import POISON, code_or_die

    metrics = WorkerMetrics.create(CollectorRegistry())
    poison = ArticleInput("poison", "Talks", f"Iran and Russia met in Tehran. {POISON}")
    other = [ArticleInput("b1", "", "Turkey and Greece agreed to resume talks in Ankara.")]

    async def scenario() -> tuple[list, list]:
        coding = ProcessCoding(Settings(torch_threads=1), passes=2, code_batch=code_or_die)
        try:
            return await asyncio.gather(
                coding.code([ARTICLES[0], poison, ARTICLES[1]], metrics),
                coding.code(other, metrics),  # in the pool when it breaks
            )
        finally:
            coding.pool.shutdown()

    with_poison, alongside = asyncio.run(scenario())
    assert [c and c.id for c in with_poison] == ["a1", None, "a2"]
    assert [c.id for c in alongside] == ["b1"]
    here = build_coder(Settings(torch_threads=1))
    expected = here.postprocess(here.forward(here.preprocess([ARTICLES[0], ARTICLES[1]])))
    assert coded_summary([with_poison[0], with_poison[2]]) == coded_summary(expected)
    # the batch broke the pool, broke it again on its retry, then killed it alone
    assert metrics.coder_restarts._value.get() == 3
