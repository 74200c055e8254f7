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
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, Message


async def seek_to_committed_or_earliest(
    consumer: AIOKafkaConsumer, committing: Callable[[str], bool]
) -> Mapping[TopicPartition, int | None]:
    """Seek every assigned partition to its committed offset, 0 and none included.

    ``committing(topic)``: whether the topic's offsets are committed; the others (a table's
    changelog, which Faust reads from offsets it keeps itself) are left where they are.
    Returns the committed offsets, as aiokafka's ``seek_to_committed`` does."""
    committed = await consumer.seek_to_committed()
    for tp, offset in committed.items():
        if offset == 0 and committing(tp.topic):
            consumer.seek(tp, 0)
    never = [tp for tp, offset in committed.items() if offset is None and committing(tp.topic)]
    if never:
        await consumer.seek_to_beginning(*never)
    return committed


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

    async def seek_to_committed(self) -> Mapping[TopicPartition, int | None]:
        return await self.call_thread(self._seek_and_count, self._ensure_consumer())

    async def _seek_and_count(
        self, consumer: AIOKafkaConsumer
    ) -> Mapping[TopicPartition, int | None]:
        committing = self.app.topics.acks_enabled_for
        if self.app.conf.consumer_auto_offset_reset != "earliest":
            committing = _nothing  # another reset policy: aiokafka's own seek, nothing more
        committed = await seek_to_committed_or_earliest(consumer, committing)
        # aiokafka moved the partitions committed past 0; we moved every other committing one
        self.seek_counts.sought(
            tp for tp, offset in committed.items() if (offset or 0) > 0 or committing(tp.topic)
        )
        return committed

    async def _fetch_records(self, *args: Any, **kwargs: Any) -> FetchedRecords:
        records = FetchedRecords(await super()._fetch_records(*args, **kwargs))
        records.seek_counts = self.seek_counts.snapshot()
        return records


class SeekingConsumer(faust_aiokafka.Consumer):
    consumer_thread_class: Any = SeekingConsumerThread
    _fetched_at: Mapping[TP, int] | None = None

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return self.consumer_thread_class(self, loop=self.loop, beacon=self.beacon)

    async def _wait_next_records(self, timeout: float) -> tuple[Any, Any]:
        records, active_partitions = await super()._wait_next_records(timeout)
        self._fetched_at = getattr(records, "seek_counts", None)
        return records, active_partitions

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        seek_counts = self._thread.seek_counts
        async for tp, message in super().getmany(timeout):
            fetched_at = self._fetched_at
            if fetched_at is not None and seek_counts.moved_since(fetched_at, tp):
                continue  # fetched before a seek moved its partition, which fetches it again
            yield tp, message


class SeekingTransport(faust_aiokafka.Transport):
    Consumer = SeekingConsumer


def use_seeking_transport(app: faust.App) -> None:
    """Call right after creating the app, before its topics (they create the transport)."""
    app.transport = SeekingTransport(app.conf.broker_consumer, app)
