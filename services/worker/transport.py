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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.transport.drivers import aiokafka as faust_aiokafka


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


class SeekingConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    async def seek_to_committed(self) -> Mapping[TopicPartition, int | None]:
        consumer = self._ensure_consumer()
        if self.app.conf.consumer_auto_offset_reset != "earliest":
            return await self.call_thread(consumer.seek_to_committed)
        return await self.call_thread(
            seek_to_committed_or_earliest, consumer, self.app.topics.acks_enabled_for
        )


class SeekingConsumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return self.consumer_thread_class(self, loop=self.loop, beacon=self.beacon)

    consumer_thread_class: Any = SeekingConsumerThread


class SeekingTransport(faust_aiokafka.Transport):
    Consumer = SeekingConsumer


def use_seeking_transport(app: faust.App) -> None:
    """Call right after creating the app, before its topics (they create the transport)."""
    app.transport = SeekingTransport(app.conf.broker_consumer, app)
