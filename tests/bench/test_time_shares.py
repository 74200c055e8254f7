"""Where a worker's time went, read from the same metrics Prometheus scrapes, and from /proc."""

import os
import time

from newsmon.bench.pipeline import (
    BenchResult,
    StepResult,
    articles_per_batch,
    batch_counts,
    cores_used,
    cpu_seconds,
    worker_time_shares,
)
from newsmon.core.metrics import WorkerMetrics
from prometheus_client import CollectorRegistry, generate_latest


def test_busy_and_forward_shares_come_from_the_worker_histograms() -> None:
    registry = CollectorRegistry()
    metrics = WorkerMetrics.create(registry)
    for busy, forward, sentences, articles in [(0.5, 0.4, 100, 2), (1.5, 1.2, 300, 5)]:
        metrics.processing_duration.observe(busy)
        metrics.model_batch_duration.observe(forward)
        metrics.model_batch_sentences.observe(sentences)
        metrics.articles_processed.inc(articles)
    shares = worker_time_shares(generate_latest(registry).decode(), wall_seconds=4.0)
    assert shares == {
        "busy_share": 0.5,
        "forward_share_of_busy": 0.8,
        "forward_sentences_per_s": 250.0,
        "articles_per_batch": 3.5,
    }


def test_a_steps_articles_per_batch_counts_only_the_calls_made_during_it() -> None:
    registry = CollectorRegistry()
    metrics = WorkerMetrics.create(registry)
    for sentences, articles in [(40, 1), (60, 2)]:  # a warm-up of small batches
        metrics.model_batch_sentences.observe(sentences)
        metrics.articles_processed.inc(articles)
    before = batch_counts(generate_latest(registry).decode())
    for sentences, articles in [(500, 16), (480, 16), (250, 8)]:
        metrics.model_batch_sentences.observe(sentences)
        metrics.articles_processed.inc(articles)
    after = batch_counts(generate_latest(registry).decode())
    assert before == (3.0, 2.0)
    assert articles_per_batch(before, after) == 13.33
    assert articles_per_batch(after, after) == 0.0


def test_a_worker_that_handled_nothing_reports_zero_shares() -> None:
    assert worker_time_shares("", wall_seconds=10.0) == {
        "busy_share": 0.0,
        "forward_share_of_busy": 0.0,
        "forward_sentences_per_s": 0.0,
        "articles_per_batch": 0.0,
    }


def step(rate: float, sustained: bool, p99: float) -> StepResult:
    return StepResult(
        rate, 10, 10, 10.0, rate, sustained, sustained, 0.1, 0.2, p99, None, None, None
    )


def test_the_latency_target_is_read_at_half_the_maximum_sustained_rate() -> None:
    result = BenchResult(workers=1, max_sustained_rate=6.0)
    result.steps = [
        step(2.5, True, 0.95),
        step(4, True, 1.8),
        step(6, True, 4.9),
        step(7, False, 13),
    ]
    result.note_half_rate()
    assert (result.half_rate_step, result.half_rate_p99) == (2.5, 0.95)


def test_no_step_at_half_the_rate_leaves_the_reading_empty() -> None:
    result = BenchResult(workers=1, max_sustained_rate=4.0)
    result.steps = [step(4, True, 1.8), step(8, False, 9)]
    result.note_half_rate()
    assert result.half_rate_step is None and result.half_rate_p99 is None


def test_each_target_is_reported_met_or_not() -> None:
    result = BenchResult(workers=2, max_sustained_rate=16.0, efficiency=0.79)
    result.steps = [step(8, True, 1.04), step(16, True, 4.8), step(18, False, 9)]
    result.peak_rss_mib = {"worker-0": 1347.4, "worker-1": 1600.0, "broker": 2000.0}
    result.note_half_rate()
    result.check_targets()
    assert result.targets == {
        "sustained >= 8/s": True,
        "efficiency >= 0.8": False,
        "p99 at half rate < 2 s": True,
        "worker memory < 1.5 GiB": False,  # worker-1; the broker is not a worker
    }


def test_cores_used_are_cpu_seconds_over_wall_seconds_from_proc() -> None:
    """The bench's per-process CPU: /proc's utime plus stime of a real process."""
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:  # 0.3 s of this process's CPU
        pass
    spent = cpu_seconds(os.getpid()) - before
    assert 0.2 <= spent <= 1.0, spent  # clock ticks are 10 ms
    assert cores_used(
        {"worker-0": 10.0, "broker": 1.0}, {"worker-0": 25.0, "broker": 1.6}, 10.0
    ) == {
        "worker-0": 1.5,
        "broker": 0.06,
    }
    assert cpu_seconds(2**22 + 7) == 0.0, "a process that is gone reads as no CPU"


def test_a_workers_cpu_includes_its_coder_processes_and_they_are_found_by_command() -> None:
    """A busy child started with multiprocessing's spawn counts toward its parent's CPU."""
    import multiprocessing

    from newsmon.bench.pipeline import coder_pids

    child = multiprocessing.get_context("spawn").Process(target=_spin, args=(10.0,))
    child.start()
    try:
        assert child.pid in coder_pids(os.getpid())
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            alone, with_children = cpu_seconds(os.getpid()), cpu_seconds(os.getpid(), True)
            if with_children - alone >= 0.2:
                break
            time.sleep(0.1)
        assert with_children - alone >= 0.2, (alone, with_children)
    finally:
        child.kill()
        child.join(timeout=30)


def _spin(seconds: float) -> None:
    deadline = time.process_time() + seconds
    while time.process_time() < deadline:
        pass
