"""The seek to committed offsets after a rebalance, on the real broker; and records fetched
before a seek kept from the streams.

A consumer reads three partitions to their ends (the records a fetcher had before a rebalance,
which Faust then drops); the seek must bring each back to where the group's commit says:
offset 3 where committed at 3, 0 where committed at 0, the earliest offset where never
committed. aiokafka's own seek leaves the last two at the end.
"""

from __future__ import annotations

import asyncio

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.types import TP
from kafka import KafkaProducer
from newsmon.core.kafka_clients import ensure_topics, producer_kwargs
from newsmon.core.settings import Settings
from newsmon.worker.local_broker import ShortWaitConsumer, use_local_broker_transport
from newsmon.worker.transport import (
    SeekCounts,
    SeekingConsumer,
    SeekingConsumerThread,
    SeekingTransport,
    seek_to_committed_or_earliest,
    use_seeking_transport,
)

RECORDS = 5


def fill(settings: Settings, topic: str) -> list[TopicPartition]:
    ensure_topics(settings.model_copy(update={"topic_partitions": 3}), [topic])
    producer = KafkaProducer(**producer_kwargs(settings))
    for partition in range(3):
        for n in range(RECORDS):
            producer.send(topic, value=f"{partition}-{n}".encode(), partition=partition)
    producer.flush()
    producer.close()
    return [TopicPartition(topic, p) for p in range(3)]


async def positions_after_seek(settings: Settings, topic: str, ours: bool, committing: bool):  # noqa: ANN201
    topic = settings.topic_prefix + topic
    tps = fill(settings, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"{settings.app_id}-{topic}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.commit({tps[0]: 3, tps[1]: 0})  # tps[2]: never committed
        read, deadline = 0, asyncio.get_running_loop().time() + 30
        while read < 3 * RECORDS - 3:  # from 3, 0 and the earliest: 2 + 5 + 5 records
            assert asyncio.get_running_loop().time() < deadline, f"read only {read} records"
            batches = await consumer.getmany(timeout_ms=1000)
            read += sum(len(records) for records in batches.values())
        ends = [await consumer.position(tp) for tp in tps]
        if ours:
            await seek_to_committed_or_earliest(consumer, lambda topic: committing)
        else:
            await consumer.seek_to_committed()
        return ends, [await consumer.position(tp) for tp in tps]
    finally:
        await consumer.stop()


def test_partitions_committed_at_zero_or_never_go_back_to_the_start(settings: Settings) -> None:
    ends, after = asyncio.run(positions_after_seek(settings, "seek-ours", True, True))
    assert ends == [RECORDS] * 3
    assert after == [3, 0, 0]


def test_aiokafka_alone_leaves_them_where_the_fetcher_was(settings: Settings) -> None:
    """The reason for the transport: if an aiokafka release fixes this, it can go."""
    _, after = asyncio.run(positions_after_seek(settings, "seek-aiokafka", False, True))
    assert after == [3, RECORDS, RECORDS]


def test_topics_whose_offsets_are_not_committed_are_left_alone(settings: Settings) -> None:
    """A table's changelog: Faust reads it from offsets it keeps itself."""
    _, after = asyncio.run(positions_after_seek(settings, "seek-changelog", True, False))
    assert after == [3, RECORDS, RECORDS]


def test_both_broker_profiles_seek_with_it() -> None:
    real = faust.App("newsmon-test-seek-real", broker="kafka://127.0.0.1:9")
    use_seeking_transport(real)
    assert isinstance(real.transport, SeekingTransport)
    assert real.transport.Consumer is SeekingConsumer
    local = faust.App("newsmon-test-seek-local", broker="kafka://127.0.0.1:9")
    use_local_broker_transport(local)
    assert issubclass(local.transport.Consumer, SeekingConsumer)
    assert issubclass(ShortWaitConsumer.consumer_thread_class, SeekingConsumerThread)


def test_records_fetched_before_a_seek_of_their_partition_are_not_handed_out() -> None:
    counts = SeekCounts()
    raw, enriched = TP("articles.raw", 0), TP("articles.enriched", 0)
    batch_started = counts.snapshot()
    assert not counts.moved_since(batch_started, raw)
    counts.sought([raw])
    assert counts.moved_since(batch_started, raw), "the rest of the batch is from before it"
    assert not counts.moved_since(batch_started, enriched), "a partition not sought: kept"
    assert not counts.moved_since(counts.snapshot(), raw), "the next batch is after it"
