"""Faust's Kafka transport with the seek to committed offsets made whole.

After every rebalance Faust drops the records its streams had buffered and seeks each
partition back to its committed offset, through aiokafka's ``seek_to_committed``. But aiokafka
seeks only partitions committed past 0: one never committed (or committed at 0) keeps the
position its fetcher had reached, so the records it fetched before the rebalance and Faust
dropped are never read again, and Faust's commit moves past them (a replacement worker of
the SIGKILL fault test lost 0-1 of a partition this way, and the skip guard, seeing the gap,
restarted it). This transport seeks such partitions too: to 0 where the commit is 0, to the
earliest offset where there is none (the consumers' ``auto_offset_reset`` is ``earliest``).
Records read twice are fine: every consumer downstream of a topic drops what it has seen.

A second race sits in the same place. Faust's fetch loop hands out a fetched batch record by
record while the seek runs beside it; records of the batch still to come after the seek are
from before it (offset 2 where the seek went back to 0), and Faust, taking them as the newest,
then drops the refetched 0 and 1 as already read. So records a partition's batch holds when a
seek moves that partition are not handed out (``SeekCounts``, kept on the consumer thread,
where seeks and fetches are ordered): the seek fetches them again.

Records handed out while Faust's recovery seeks are a fourth: the recovery resumes the
flow only after the seek, and that resume clears the streams' queues, so records fetched in
between were dropped there and never fetched again. The flow is stopped before every seek
(``SeekingConsumer.perform_seek``).

And the commit that moves past a loss. Faust commits the first run of consecutive acknowledged
offsets, and checks that it starts where the last commit left off only when that commit was
past 0 and the run begins two or more offsets later (``Consumer._new_offset``): with nothing
committed yet, or one offset missing, it commits over records never handed to an agent, and
they are lost for good (the watchdog then sees nothing waiting). Here a partition commits only
when the offset it must commit from, the committed one or, before any commit, where the seek
started it (``start_offsets``), was acknowledged or booked as a gap; otherwise the commit
waits, the records count as waiting, and the stall watchdog restarts the worker to read them
again (``newsmon.worker.stall``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, Message
from kafka.errors import KafkaError

log = logging.getLogger(__name__)


@dataclass
class Sought:
    """What ``seek_to_committed_or_earliest`` found: each partition's committed offset (None:
    never committed), and where reading now starts in each committing partition (the committed
    offset, or the earliest where there is none or it points at deleted records; empty when
    the broker did not give the earliest offsets)."""

    committed: dict[TopicPartition, int | None] = field(default_factory=dict)
    starts: dict[TopicPartition, int] = field(default_factory=dict)


async def seek_to_committed_or_earliest(
    consumer: AIOKafkaConsumer,
    committing: Callable[[str], bool],
    on_seek: Callable[[TopicPartition], None] = lambda tp: None,
) -> Sought:
    """Seek every assigned partition to its committed offset, 0 and none included.

    ``committing(topic)``: whether the topic's offsets are committed; the others (a table's
    changelog, which Faust reads from offsets it keeps itself) get aiokafka's own rule (moved
    only when committed past 0). ``on_seek(tp)`` is called the moment ``tp`` is moved, with no
    await in between: a fetch can complete at any await, and ``SeekCounts`` must not take
    records fetched after a seek for records from before it (they would be dropped, and never
    fetched again)."""
    sought = Sought()
    assigned = sorted(consumer.assignment())
    earliest: dict[TopicPartition, int] | None = None
    if committing_tps := [tp for tp in assigned if committing(tp.topic)]:
        try:
            earliest = await consumer.beginning_offsets(committing_tps)
        except KafkaError as exc:
            log.warning("no earliest offsets (%r): commits unchecked until the next seek", exc)
    moves: list[str] = []  # logged in one line: where each partition reads from now
    for tp in assigned:
        offset = sought.committed[tp] = await consumer.committed(tp)
        target: int | str | None = offset
        if not committing(tp.topic):
            if not offset:
                continue  # aiokafka's own rule: moved only when committed past 0
            consumer.seek(tp, offset)
        elif earliest is not None:
            sought.starts[tp] = target = max(offset or 0, earliest.get(tp, 0))
            consumer.seek(tp, target)
        elif offset is not None:
            consumer.seek(tp, offset)
        else:
            await consumer.seek_to_beginning(tp)  # marks it for reset, with no await inside
            target = "the earliest offset"
        on_seek(tp)
        moves.append(f"{tp.topic}[{tp.partition}] to {target} (committed {offset})")
    log.info("sought %s", ", ".join(moves))  # one line per rebalance: the skip guard's clue
    return sought


def accounted_for(offset: int, acked: set[int], gaps: Any) -> bool:
    """Whether ``offset`` was acknowledged, or lies in a gap Faust booked (an ``IntervalTree``
    of offsets its fetch loop saw the partition jump over), so a commit may start there."""
    return offset in acked or bool(gaps and gaps.overlaps(offset))


def _nothing(topic: str) -> bool:
    return False


class SeekCounts:
    """How many times each partition has been sought, to tell records fetched before a seek."""

    def __init__(self) -> None:
        self.counts: dict[TP, int] = {}

    def sought(self, partitions: Iterable[TP]) -> None:
        for tp in partitions:
            self.counts[tp] = self.counts.get(tp, 0) + 1

    def snapshot(self) -> dict[TP, int]:
        return dict(self.counts)

    def moved_since(self, snapshot: Mapping[TP, int], tp: TP) -> bool:
        return self.counts.get(tp, 0) != snapshot.get(tp, 0)


class FetchedRecords(dict):
    """A fetch's records, with the seek counts as they were when aiokafka returned them."""

    seek_counts: dict[TP, int]


class SeekingConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """Seeks and fetches both run on this thread's loop, so the counts it keeps order them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seek_counts = SeekCounts()
        self.start_offsets: dict[TP, int] = {}

    async def seek_to_committed(self) -> Mapping[TopicPartition, int | None]:
        return await self.call_thread(self._seek_and_count, self._ensure_consumer())

    async def _seek_and_count(
        self, consumer: AIOKafkaConsumer
    ) -> Mapping[TopicPartition, int | None]:
        committing = self.app.topics.acks_enabled_for
        if self.app.conf.consumer_auto_offset_reset != "earliest":
            committing = _nothing  # another reset policy: aiokafka's own seek, nothing more
        sought = await seek_to_committed_or_earliest(
            consumer, committing, lambda tp: self.seek_counts.sought([TP(tp.topic, tp.partition)])
        )
        for tp in sought.committed:
            self.start_offsets.pop(TP(tp.topic, tp.partition), None)
        self.start_offsets.update({TP(t.topic, t.partition): o for t, o in sought.starts.items()})
        return sought.committed

    async def _fetch_records(self, *args: Any, **kwargs: Any) -> FetchedRecords:
        records = FetchedRecords(await super()._fetch_records(*args, **kwargs))
        records.seek_counts = self.seek_counts.snapshot()
        return records


def _unread() -> int | None:
    return None


class ReadOffsets(defaultdict):
    """Faust's offset of the last record its fetch loop handed out, per partition
    (``Consumer._read_offset``; the loop drops any record below it as read), deaf to the one
    update that would be stale.

    The loop records a record's offset once the record is handed over, which can wait on a full
    stream buffer. If a seek moved the partition meanwhile (``perform_seek`` resets these
    offsets to the committed ones), the record is from before the seek, and recording its
    offset would make the loop drop as read the records the seek fetches again: records lost
    to the stream, as the skip guard saw ("skipped 1-3 and handed 4")."""

    def __init__(self, stale: Callable[[TP, int], bool]) -> None:
        super().__init__(_unread)
        self._stale = stale

    def __setitem__(self, tp: TP, offset: int | None) -> None:
        if offset is not None and self._stale(tp, offset):
            log.info("%s[%d] was sought while offset %d was handed over", *tp, offset)
            return
        super().__setitem__(tp, offset)


class SeekingConsumer(faust_aiokafka.Consumer):
    consumer_thread_class: Any = SeekingConsumerThread
    _fetched_at: Mapping[TP, int] | None = None
    _in_hand: tuple[TP, int, Mapping[TP, int]] | None = None  # the record being handed over

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_offset = ReadOffsets(self.sought_while_handed_over)

    async def perform_seek(self) -> None:
        """Stop the flow, then seek every partition to its committed offset.

        Faust's recovery resumes the stream partitions, seeks them, and only then resumes the
        flow, which clears the streams' queues (they are ``clear_on_resume``): records fetched
        after a partition's seek but before that clear were handed into the queues and
        dropped there, and nothing fetched them again (the second demo run on a broker holding
        the group's commits stalled so in 8 of 18 runs: its worker handled the first record
        of three partitions, the other 75 were cleared from the queue). With the flow stopped
        nothing is handed out until Faust resumes it, after the clear, from the sought
        offsets. Every caller resumes the flow next (the recovery), or had stopped it
        (``getmany``, which seeks when records arrive while the flow is stopped)."""
        self.stop_flow()
        await super().perform_seek()

    def sought_while_handed_over(self, tp: TP, offset: int) -> bool:
        in_hand = self._in_hand
        if in_hand is None or in_hand[0] != tp or in_hand[1] != offset:
            return False
        return self._thread.seek_counts.moved_since(in_hand[2], tp)

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return self.consumer_thread_class(self, loop=self.loop, beacon=self.beacon)

    async def _wait_next_records(self, timeout: float) -> tuple[Any, Any]:
        records, active_partitions = await super()._wait_next_records(timeout)
        self._fetched_at = getattr(records, "seek_counts", None)
        return records, active_partitions

    def commit_position(self, tp: TP) -> int | None:
        """The offset the partition's next commit must start from (None: not known)."""
        committed = self._committed_offset.get(tp)  # Faust keeps a commit at 0 as None
        return committed if committed is not None else self._thread.start_offsets.get(tp)

    def _new_offset(self, tp: TP) -> int | None:
        expected = self.commit_position(tp)
        if (
            self.transport.contiguous_offsets
            and self._acked[tp]
            and expected is not None
            and not accounted_for(expected, self._acked_index[tp], self._gap.get(tp))
        ):
            return None  # records before the acknowledged ones were never handled: wait
        return super()._new_offset(tp)

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        seek_counts = self._thread.seek_counts
        async for tp, message in super().getmany(timeout):
            fetched_at = self._fetched_at
            if fetched_at is not None and seek_counts.moved_since(fetched_at, tp):
                continue  # fetched before a seek moved its partition, which fetches it again
            self._in_hand = (tp, message.offset, fetched_at) if fetched_at is not None else None
            yield tp, message


class SeekingTransport(faust_aiokafka.Transport):
    """``contiguous_offsets``: the input topics' offsets run without gaps, as newsmon's own
    producers write them, so a commit may start only from an offset handled. Off
    (``NEWSMON_SKIP_GUARD=false``) for topics with gaps by design: a transactional producer's
    commit marker takes the offset after each transaction, which is why Faust lets a commit
    start one offset past the last."""

    Consumer = SeekingConsumer
    contiguous_offsets: bool = True


def use_seeking_transport(app: faust.App, contiguous_offsets: bool = True) -> None:
    """Call right after creating the app, before its topics (they create the transport)."""
    app.transport = SeekingTransport(app.conf.broker_consumer, app)
    app.transport.contiguous_offsets = contiguous_offsets
