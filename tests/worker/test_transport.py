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
from faust.transport.drivers import aiokafka as faust_aiokafka
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
    accounted_for,
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
            moved: list[TopicPartition] = []
            sought = await seek_to_committed_or_earliest(
                consumer, lambda topic: committing, moved.append
            )
            assert sorted(moved) == (tps if committing else tps[:1]), "each seek reported"
            starts = sought.starts
        else:
            await consumer.seek_to_committed()
            starts = {}
        positions = [await consumer.position(tp) for tp in tps]
        return ends, positions, [starts.get(tp) for tp in tps]
    finally:
        await consumer.stop()


def test_partitions_committed_at_zero_or_never_go_back_to_the_start(settings: Settings) -> None:
    ends, after, starts = asyncio.run(positions_after_seek(settings, "seek-ours", True, True))
    assert ends == [RECORDS] * 3
    assert after == [3, 0, 0]
    assert starts == after, "where each partition's next commit must start from"


def test_aiokafka_alone_leaves_them_where_the_fetcher_was(settings: Settings) -> None:
    """The reason for the transport: if an aiokafka release fixes this, it can go."""
    _, after, _ = asyncio.run(positions_after_seek(settings, "seek-aiokafka", False, True))
    assert after == [3, RECORDS, RECORDS]


def test_topics_whose_offsets_are_not_committed_are_left_alone(settings: Settings) -> None:
    """A table's changelog: Faust reads it from offsets it keeps itself."""
    _, after, starts = asyncio.run(positions_after_seek(settings, "seek-changelog", True, False))
    assert after == [3, RECORDS, RECORDS]
    assert starts == [None] * 3


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


def acknowledge(consumer: SeekingConsumer, tp: TP, offsets: list[int]) -> None:
    for offset in offsets:  # as Faust's Consumer.ack books a record its agent is done with
        consumer._acked[tp].append(offset)
        consumer._acked_index[tp].add(offset)


def seeking_consumer() -> SeekingConsumer:
    app = faust.App("newsmon-test-commit", broker="kafka://127.0.0.1:9")
    use_seeking_transport(app)
    return app.consumer


def test_no_commit_moves_over_records_never_handled() -> None:
    """Offset 0 never reached an agent (lost after a rebalance), 1 and 2 did."""
    faust_alone, consumer, tp = seeking_consumer(), seeking_consumer(), TP("articles.raw", 0)
    for each in (faust_alone, consumer):
        each._thread.start_offsets[tp] = 0  # where the seek started the partition
        acknowledge(each, tp, [1, 2])
    assert faust_aiokafka.Consumer._new_offset(faust_alone, tp) == 3, "Faust alone loses 0"
    assert consumer._new_offset(tp) is None, "ours waits: the watchdog sees 3 records waiting"
    acknowledge(consumer, tp, [0])
    assert consumer._new_offset(tp) == 3


def test_nor_over_one_missing_after_a_commit() -> None:
    faust_alone, consumer, tp = seeking_consumer(), seeking_consumer(), TP("articles.raw", 1)
    for each in (faust_alone, consumer):
        each._committed_offset[tp] = 5  # the next record to handle is 5
        acknowledge(each, tp, [6, 7])
    assert faust_aiokafka.Consumer._new_offset(faust_alone, tp) == 8, "Faust tolerates one"
    assert consumer._new_offset(tp) is None
    assert consumer.commit_position(tp) == 5


def test_a_booked_gap_counts_as_handled() -> None:
    """Offsets the partition jumps over by design (compaction, transaction markers)."""
    consumer, tp = seeking_consumer(), TP("articles.raw", 2)
    consumer._thread.start_offsets[tp] = 0
    consumer._gap[tp].addi(0, 2)  # 0 and 1 do not exist
    acknowledge(consumer, tp, [2, 3])
    assert accounted_for(0, consumer._acked_index[tp], consumer._gap[tp])
    assert consumer._new_offset(tp) == 4


def test_where_nothing_is_known_faust_decides() -> None:
    consumer, tp = seeking_consumer(), TP("articles.raw", 3)
    acknowledge(consumer, tp, [4, 5])
    assert consumer.commit_position(tp) is None
    assert consumer._new_offset(tp) == 6


def test_topics_with_gaps_by_design_keep_fausts_rule() -> None:
    """NEWSMON_SKIP_GUARD=false: a transactional producer's marker after each transaction."""
    app = faust.App("newsmon-test-gaps", broker="kafka://127.0.0.1:9")
    use_seeking_transport(app, contiguous_offsets=False)
    consumer, tp = app.consumer, TP("articles.raw", 4)
    consumer._committed_offset[tp] = 5  # 5 is the marker; the next record is 6
    acknowledge(consumer, tp, [6, 7])
    assert consumer._new_offset(tp) == 8


def test_the_offset_of_a_record_handed_over_across_a_seek_is_not_recorded() -> None:
    """Faust records a record's offset after handing it over; if a seek moved its partition
    meanwhile, the loop would then drop the records the seek fetches again as read."""
    consumer, tp = seeking_consumer(), TP("articles.raw", 0)
    fetched_at = consumer._thread.seek_counts.snapshot()
    consumer._in_hand = (tp, 4, fetched_at)
    consumer._read_offset[tp] = 4
    assert consumer._read_offset[tp] == 4, "no seek: recorded"
    consumer._read_offset[tp] = None  # perform_seek's reset to the committed offset (1 or none)
    consumer._thread.seek_counts.sought([tp])
    consumer._read_offset[tp] = 4
    assert consumer._read_offset[tp] is None, "sought while in hand: not recorded"
    consumer._read_offset[tp] = 1
    assert consumer._read_offset[tp] == 1, "any other offset is"
