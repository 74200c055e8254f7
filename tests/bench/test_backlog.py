"""A step is sustained only if its backlog did not grow: the latency of the articles sent last
against the first, from the articles' own timestamps."""

import random

from newsmon.bench.pipeline import BACKLOG_GROWTH_S, StepResult, backlog_growth


def simulate_queue(rate: float, capacity: float, seconds: float) -> list[tuple[float, float]]:
    """(produced, stored) of articles sent at ``rate`` to one server storing ``capacity``/s."""
    rng = random.Random(7)
    free_at, out = 0.0, []
    for n in range(int(rate * seconds)):
        produced = n / rate
        stored = max(produced, free_at) + rng.expovariate(capacity)
        free_at = stored
        out.append((produced, stored))
    return out


def test_a_rate_below_capacity_leaves_latency_flat() -> None:
    growth = backlog_growth(simulate_queue(rate=8.0, capacity=10.0, seconds=30))
    assert abs(growth) < BACKLOG_GROWTH_S


def test_a_rate_a_sixth_above_capacity_grows_the_backlog_even_if_it_drains_soon() -> None:
    timed = simulate_queue(rate=12.0, capacity=10.3, seconds=30)
    last_stored = max(stored for _, stored in timed)
    assert last_stored - 30 < 20, "drains within the bench's grace period"
    assert backlog_growth(timed) > BACKLOG_GROWTH_S


def test_order_of_the_records_does_not_matter_and_few_articles_read_zero() -> None:
    timed = simulate_queue(rate=12.0, capacity=10.3, seconds=30)
    assert backlog_growth(list(reversed(timed))) == backlog_growth(timed)
    assert backlog_growth(timed[:3]) == 0.0


def step(drained: bool, sustained: bool, p95: float) -> StepResult:
    return StepResult(12, 10, 10, 10.0, 10, drained, sustained, 1, p95, p95, None, None, None)


def test_the_verdict_says_why_a_step_is_not_sustained() -> None:
    assert step(True, True, 2).verdict == "yes"
    assert step(False, False, 2).verdict == "no"
    assert step(True, False, 6).verdict == "drained late"
    assert step(True, False, 2).verdict == "backlog grew"
