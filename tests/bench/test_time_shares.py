"""Where a worker's time went, read from the same metrics Prometheus scrapes."""

from newsmon.bench.pipeline import worker_time_shares
from newsmon.core.metrics import WorkerMetrics
from prometheus_client import CollectorRegistry, generate_latest


def test_busy_and_forward_shares_come_from_the_worker_histograms() -> None:
    registry = CollectorRegistry()
    metrics = WorkerMetrics.create(registry)
    for busy, forward in [(0.5, 0.4), (1.5, 1.2)]:
        metrics.processing_duration.observe(busy)
        metrics.model_batch_duration.observe(forward)
    shares = worker_time_shares(generate_latest(registry).decode(), wall_seconds=4.0)
    assert shares == {"busy_share": 0.5, "forward_share_of_busy": 0.8}


def test_a_worker_that_handled_nothing_reports_zero_shares() -> None:
    assert worker_time_shares("", wall_seconds=10.0) == {
        "busy_share": 0.0,
        "forward_share_of_busy": 0.0,
    }
