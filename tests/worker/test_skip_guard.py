"""The skip guard on a one-at-a-time agent: it exits before handling a record beyond a gap.

The stream and the app are stand-ins holding what the guard reads (the message being pulled,
the group's committed offsets on the broker, Faust's copy of them, the earliest offsets); the
real thing runs in the SIGKILL fault test.
"""

import asyncio
import inspect
from types import SimpleNamespace

import pytest
from faust.types import TP
from newsmon.worker import skip_guard as skip_guard_module
from newsmon.worker.skip_guard import SkipGuard
from newsmon.worker.stall import EX_TEMPFAIL, StallWatch


class PulledStream:
    """What ``SkipGuard.watch_stream`` touches of a Faust stream."""

    def __init__(self) -> None:
        self.processors = []
        self.current_event = None

    def add_processor(self, processor) -> None:  # noqa: ANN001
        self.processors.append(processor)

    def pull(self, topic: str, partition: int, offset: int) -> object:
        message = SimpleNamespace(topic=topic, partition=partition, offset=offset)
        self.current_event = SimpleNamespace(message=message)

        async def run_processors() -> object:  # as Faust runs them: each awaited if async
            value = f"record {offset}"
            for processor in self.processors:
                value = processor(value)
                if inspect.isawaitable(value):
                    value = await value
            return value

        return asyncio.run(run_processors())


class Consumer:
    """The group's committed offsets as the broker answers them (through the consumer thread,
    as Faust's aiokafka driver asks), Faust's own copy, and the earliest offsets."""

    def __init__(
        self, committed: dict[TP, int], earliest: dict[TP, int], faust_copy: dict[TP, int]
    ) -> None:
        self._committed_offset = faust_copy
        self.committed_on_broker = committed
        self.earliest = earliest
        self._thread = self

    def _ensure_consumer(self) -> "Consumer":
        return self

    async def call_thread(self, method, *args):  # noqa: ANN001, ANN002, ANN201
        return await method(*args)

    async def committed(self, tp: TP) -> int | None:
        return self.committed_on_broker.get(tp)

    async def earliest_offsets(self, *partitions: TP) -> dict[TP, int]:
        return {tp: self.earliest.get(tp, 0) for tp in partitions}


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    codes: list[int] = []

    def record_exit(code: int) -> None:
        codes.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(skip_guard_module.os, "_exit", record_exit)
    return codes


def guarded(
    committed: dict[TP, int],
    enabled: bool = True,
    earliest: dict[TP, int] | None = None,
    faust_copy: dict[TP, int] | None = None,
) -> tuple[SkipGuard, PulledStream]:
    """``committed``: on the broker; ``faust_copy``: Faust's record (the same unless given)."""
    faust_copy = dict(committed) if faust_copy is None else faust_copy
    app = SimpleNamespace(consumer=Consumer(committed, earliest or {}, faust_copy))
    guard = SkipGuard(app, StallWatch(timeout_s=0.0), enabled=enabled)
    stream = PulledStream()
    guard.watch_stream(stream, one_at_a_time=True)
    return guard, stream


def test_a_record_beyond_the_committed_offset_stops_the_worker_before_it_is_handled(
    exits: list[int],
) -> None:
    """After a rebalance, Faust hands ``articles.enriched`` offset 4 of a partition committed
    at 1: 1-3 would never be matched against subscriptions."""
    _, stream = guarded({TP("articles.enriched", 0): 1})
    with pytest.raises(SystemExit):
        stream.pull("articles.enriched", 0, 4)
    assert exits == [EX_TEMPFAIL]


def test_contiguous_records_and_other_partitions_pass_through(exits: list[int]) -> None:
    guard, stream = guarded({TP("events.by_pair", 0): 7})
    assert [stream.pull("events.by_pair", 0, o) for o in (7, 8, 9)] == [
        "record 7",
        "record 8",
        "record 9",
    ]
    assert stream.pull("events.by_pair", 3, 0) == "record 0", "no commit yet: from the earliest"
    assert exits == []
    assert guard.committed_offset("events.by_pair", 0) == 7


def test_a_partition_without_a_commit_starts_at_its_earliest_offset(exits: list[int]) -> None:
    """No commit on the broker: a replacement handed offset 3 of such a partition first must
    not take 3 for the start (0-2 would be committed past, never handled)."""
    _, stream = guarded({}, earliest={TP("articles.raw", 2): 0})
    with pytest.raises(SystemExit):
        stream.pull("articles.raw", 2, 3)
    assert exits == [EX_TEMPFAIL]


def test_the_exit_says_where_the_guard_looked_for_the_start(
    exits: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    """A restart is the guard working, but the race behind it is rare (one in 23 SIGKILL runs
    on 2026-12-03): the one line it leaves must say what the guard knew."""
    _, stream = guarded({}, earliest={TP("articles.raw", 2): 0})
    with pytest.raises(SystemExit):
        stream.pull("articles.raw", 2, 1)
    assert exits == [EX_TEMPFAIL]
    assert (
        "skipped articles.raw[2] offsets 0-0 and handed 1; exiting with code 75 before "
        "acknowledging anything, so that a restart reads them again (start looked up: "
        "committed None, earliest 0; pulled beyond the gap: [1])"
    ) in caplog.text


def test_records_pulled_before_faust_has_read_the_commits_are_not_taken_for_skips(
    exits: list[int],
) -> None:
    """A replacement's first records arrive before Faust's seek to the committed offsets has
    filled its record of them: offset 2 of a partition committed at 2 is where it starts."""
    _, stream = guarded({TP("articles.raw", 1): 2}, faust_copy={})
    assert [stream.pull("articles.raw", 1, o) for o in (2, 3)] == ["record 2", "record 3"]
    assert exits == []


def test_a_commit_at_zero_on_the_broker_guards_from_zero(exits: list[int]) -> None:
    _, stream = guarded({TP("articles.raw", 2): 0}, faust_copy={TP("articles.raw", 2): None})
    with pytest.raises(SystemExit):
        stream.pull("articles.raw", 2, 3)
    assert exits == [EX_TEMPFAIL]


def test_a_commit_older_than_the_earliest_record_starts_at_what_is_left(
    exits: list[int],
) -> None:
    """Retention deleted records the commit points at: the consumer resets to the earliest."""
    _, stream = guarded({TP("articles.raw", 0): 10}, earliest={TP("articles.raw", 0): 500})
    assert stream.pull("articles.raw", 0, 500) == "record 500"
    assert exits == []


def test_a_partition_whose_early_records_were_deleted_starts_at_what_is_left(
    exits: list[int],
) -> None:
    _, stream = guarded({}, earliest={TP("articles.raw", 0): 500})
    assert [stream.pull("articles.raw", 0, o) for o in (500, 501)] == ["record 500", "record 501"]
    assert exits == []


def test_a_disabled_guard_lets_offsets_with_gaps_by_design_through(exits: list[int]) -> None:
    """Transaction markers take offsets: a transactional producer's records arrive 1, 3, 5."""
    guard, stream = guarded({TP("articles.raw", 0): 1}, enabled=False)
    assert [stream.pull("articles.raw", 0, o) for o in (1, 3, 5)] == [
        "record 1",
        "record 3",
        "record 5",
    ]
    assert exits == [] and guard.watch.beyond_gap == {}, "nothing noted, nothing growing"


def test_a_record_another_instance_pulled_but_has_not_noted_yet_is_no_gap(
    exits: list[int],
) -> None:
    """Two agent instances share a partition: one hands its batch (offsets 0 and 2) while the
    other's note of offset 1 still waits on the partition's start lookup. Seen on every second
    `newsmon demo` run, whose batches (all articles stored already) end within that wait."""
    guard, _ = guarded({TP("articles.raw", 0): 0})
    guard.watch.pulled("articles.raw", 0, 0, 0)
    guard.watch.pulled("articles.raw", 0, 2, 0)
    batch = [("articles.raw", 0, 0), ("articles.raw", 0, 2)]
    guard.being_noted[("articles.raw", 0)] = {1}
    guard.exit_on_skip(batch)
    assert exits == []
    guard.being_noted[("articles.raw", 0)] = set()
    with pytest.raises(SystemExit):
        guard.exit_on_skip(batch)
    assert exits == [EX_TEMPFAIL]


def test_instances_pulling_a_new_partition_share_one_start_lookup(exits: list[int]) -> None:
    guard, _ = guarded({TP("articles.raw", 1): 4})
    asked = []
    committed = guard.app.consumer.committed

    async def counted(tp: TP) -> int | None:
        asked.append(tp)
        await asyncio.sleep(0.01)
        return await committed(tp)

    guard.app.consumer.committed = counted

    async def two_instances() -> list[int | None]:
        return await asyncio.gather(
            guard.start_offset("articles.raw", 1), guard.start_offset("articles.raw", 1)
        )

    assert asyncio.run(two_instances()) == [4, 4]
    assert len(asked) == 1


def test_a_start_lookup_the_broker_never_answers_does_not_hold_the_stream(
    exits: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    guard, stream = guarded({})
    monkeypatch.setattr(skip_guard_module, "START_LOOKUP_TIMEOUT_S", 0.05)

    async def never(tp: TP) -> int | None:
        await asyncio.Event().wait()

    guard.app.consumer.committed = never
    assert stream.pull("articles.raw", 3, 7) == "record 7", "handed on, unguarded"
    assert exits == []
