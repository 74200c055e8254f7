"""The stall watchdog: records waiting for an idle agent, against a clock the test controls."""

from newsmon.worker.stall import StallWatch


def test_records_waiting_for_an_idle_agent_trip_the_watch_after_the_timeout() -> None:
    watch = StallWatch(timeout_s=30.0)
    watch.batch_started()
    watch.batch_finished([("raw", 3, 2)])  # handled offsets up to 2 of partition 3
    waiting = watch.waiting("raw", 3, highwater=15, committed=3)
    assert waiting == 12
    assert not watch.check(waiting, now=10.0)
    assert not watch.check(waiting, now=39.0)
    assert watch.check(waiting, now=40.0) and watch.tripped


def test_a_caught_up_worker_never_trips_however_long_it_idles() -> None:
    watch = StallWatch(timeout_s=30.0)
    watch.batch_finished([("raw", 0, 10)])
    assert watch.waiting("raw", 0, highwater=11, committed=11) == 0
    assert not watch.check(0, now=10_000.0)
    assert not watch.check(1, now=10_020.0), "the timeout counts from when records began to wait"


def test_a_batch_in_progress_is_not_a_stall() -> None:
    """A batch blocked on a store that is down has its own retries; a restart would not help."""
    watch = StallWatch(timeout_s=30.0)
    assert not watch.check(5, now=0.0)
    watch.batch_started()
    assert not watch.check(5, now=1_000.0)
    watch.batch_finished([("raw", 0, 4)])
    assert not watch.check(5, now=1_020.0), "idle again: the wait starts over"
    assert watch.check(5, now=1_050.0)


def test_zero_turns_the_watch_off() -> None:
    watch = StallWatch(timeout_s=0.0)
    assert not watch.check(100, now=0.0)
    assert not watch.check(100, now=1e9)


def test_a_record_pulled_past_the_committed_offset_is_a_skip() -> None:
    """After a rebalance the stream handed offset 2 of a partition committed at 1: record 1 was
    skipped, and Faust's commit would step over it."""
    watch = StallWatch(timeout_s=30.0)
    watch.pulled("raw", 1, 5, committed=5)
    watch.pulled("raw", 0, 2, committed=1)
    assert watch.first_skip([("raw", 1, 5), ("raw", 0, 2)]) == ("raw", 0, 1, 2)
    assert watch.first_skip([("raw", 1, 5)]) is None, "partition 1 is whole"


def test_contiguous_pulls_and_a_partition_back_from_a_rebalance_are_no_skip() -> None:
    watch = StallWatch(timeout_s=30.0)
    for offset in range(4):
        watch.pulled("raw", 0, offset, committed=0 if offset < 2 else 1)
    assert watch.first_skip([("raw", 0, 2), ("raw", 0, 3)]) is None
    watch.pulled("raw", 0, 1, committed=2)  # re-read after a rebalance: seen already
    assert watch.first_skip([("raw", 0, 1)]) is None
    # the partition went to another worker and came back: it resumes at its new committed offset
    watch.pulled("raw", 0, 40, committed=40)
    assert watch.first_skip([("raw", 0, 40)]) is None
    watch.pulled("raw", 0, 42, committed=40)
    assert watch.first_skip([("raw", 0, 42)]) == ("raw", 0, 41, 42)


def test_two_agent_instances_splitting_a_partition_leave_no_gap_once_both_have_pulled() -> None:
    """Instance A's batch holds offsets 10 and 12, instance B's 11 and 13: 12 waits beyond a gap
    only until B's pull of 11 closes it."""
    watch = StallWatch(timeout_s=30.0)
    watch.pulled("raw", 0, 10, committed=10)
    watch.pulled("raw", 0, 12, committed=10)
    assert watch.first_skip([("raw", 0, 10), ("raw", 0, 12)]) == ("raw", 0, 11, 12)
    watch.pulled("raw", 0, 11, committed=10)
    watch.pulled("raw", 0, 13, committed=10)
    assert watch.first_skip([("raw", 0, 10), ("raw", 0, 12)]) is None
    assert watch.next_offsets[("raw", 0)] == 14
