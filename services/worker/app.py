"""The stream worker: one Faust app whose agents only decode, call pure steps, and send.

``enrich_articles`` reads ``articles.raw`` in batches (``take_events``), dead-letters what is
invalid, codes the batch off the event loop (``newsmon.worker.coding``: a forward-pass thread
of the worker, or a coder process), so heartbeats keep flowing, stores results in Redis
idempotently and forwards them to ``articles.enriched``.
An infrastructure fault (Redis down) stalls the agent with backoff instead of skipping records.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import time
from dataclasses import dataclass

import faust
from newsmon.core.alert_store import AlertStore
from newsmon.core.cpu_threads import threads_per_pass
from newsmon.core.kafka_clients import faust_app_kwargs
from newsmon.core.metrics import AlertMetrics, WorkerMetrics
from newsmon.core.records import DeadLetter
from newsmon.core.settings import BrokerProfile, Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.signals.alignments import AlignmentTable
from newsmon.signals.detector import AllianceDetector
from newsmon.worker.alerting import AlertingDeps, register_alert_agents
from newsmon.worker.alliances import AllianceDeps, register_alliance_agents
from newsmon.worker.batching import grow_batches_while_busy
from newsmon.worker.coding import ProcessCoding, ThreadedCoding, start_coding
from newsmon.worker.enrichment import (
    IncomingRecord,
    build_enriched,
    build_events,
    coder_crash_letter,
    coder_input,
    split_valid,
)
from newsmon.worker.local_broker import use_local_broker_transport
from newsmon.worker.retry import retry_forever
from newsmon.worker.skip_guard import SkipGuard
from newsmon.worker.stall import EX_TEMPFAIL, StallWatch
from newsmon.worker.transport import use_seeking_transport
from prometheus_client import start_http_server
from redis.asyncio import Redis

log = logging.getLogger(__name__)

LAG_INTERVAL_S = 5.0
WORKER_NAME = f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class WorkerDeps:
    """What the agents need, built once at start-up and passed in (tests pass their own)."""

    store: ArticleStore
    coding: ThreadedCoding | ProcessCoding
    metrics: WorkerMetrics
    stall_watch: StallWatch


def build_deps(settings: Settings, metrics: WorkerMetrics) -> WorkerDeps:
    passes = settings.effective_worker_concurrency  # passes in flight: a process or thread each
    if passes > 1 and not settings.torch_threads:
        settings = settings.model_copy(update={"torch_threads": threads_per_pass(passes)})
    redis = Redis.from_url(settings.redis_url, socket_timeout=10, socket_connect_timeout=5)
    store = ArticleStore(
        redis,
        Keys(settings.redis_key_prefix),
        ttl_seconds=settings.article_ttl_seconds,
        stream_maxlen=settings.enriched_stream_maxlen,
    )
    return WorkerDeps(
        store=store,
        coding=start_coding(settings, passes),
        metrics=metrics,
        stall_watch=StallWatch(settings.stall_exit_seconds),
    )


def create_app(settings: Settings, deps: WorkerDeps) -> faust.App:
    names = TopicNames(settings.topic_prefix)
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # Faust makes only its own folder
    app = faust.App(settings.app_id, **faust_app_kwargs(settings))
    if settings.effective_broker_profile is BrokerProfile.LOCAL:
        use_local_broker_transport(app, contiguous_offsets=settings.skip_guard)
    else:
        use_seeking_transport(app, contiguous_offsets=settings.skip_guard)
    stall_watch = deps.stall_watch
    skip_guard = SkipGuard(app, stall_watch, enabled=settings.skip_guard)
    raw_topic = app.topic(names.articles_raw, key_serializer="raw", value_serializer="raw")
    enriched_topic = app.topic(
        names.articles_enriched, key_serializer="raw", value_serializer="raw"
    )
    events_topic = app.topic(names.events_dyadic, key_serializer="raw", value_serializer="raw")
    deadletter_topic = app.topic(
        names.articles_deadletter, key_serializer="raw", value_serializer="raw"
    )
    metrics, store, coding = deps.metrics, deps.store, deps.coding
    instances = coding.instances

    async def send_deadletter(letter: DeadLetter) -> None:
        metrics.articles_deadlettered.labels(letter.reason).inc()
        await deadletter_topic.send(
            key=letter.record_key.encode(), value=letter.model_dump_json().encode()
        )
        await retry_forever(lambda: store.store_deadletter(letter), metrics, "store dead letter")

    route_article = register_alliance_agents(
        app,
        settings,
        AllianceDeps(AllianceDetector(AlignmentTable.load()), store, metrics, skip_guard),
    )

    async def republish_unfinished(stored_ids: list[str]) -> list[str]:
        """Send again the records of stored articles that never reached Kafka.

        A worker stores an article in Redis before its records reach Kafka and commits the
        input offset only after they have; killed in between, it leaves an article that its
        redelivery finds stored, which used to mean skipped: its enriched record, its alert
        and its events' routing were lost. Consumers downstream drop what they have seen
        (alerts per article, pair and pressure states per event), so sending again is safe."""
        unfinished = await retry_forever(
            lambda: store.unpublished(stored_ids), metrics, "check published articles"
        )
        republished = []
        for article_id in sorted(unfinished):
            article = await retry_forever(
                lambda article_id=article_id: store.get_article(article_id),
                metrics,
                "load stored article",
            )
            if article is None:  # expired since the check: nothing left to send
                continue
            events = await retry_forever(
                lambda ids=article.get("event_ids", []): store.events_by_id(ids),
                metrics,
                "load stored events",
            )
            for event in events:
                await events_topic.send(
                    key=event["event_id"].encode(), value=json.dumps(event).encode()
                )
            await route_article(events)
            await enriched_topic.send(key=article_id.encode(), value=json.dumps(article).encode())
            republished.append(article_id)
        metrics.articles_republished.inc(len(republished))
        return republished

    @app.agent(raw_topic, concurrency=instances)
    async def enrich_articles(stream: faust.StreamT) -> None:
        """``coding.instances`` instances of this agent share the input and the
        ``worker_concurrency`` forward passes (a coder process or an executor thread each;
        unless ``NEWSMON_TORCH_THREADS`` says otherwise the cores are shared out among the
        passes: ``threads_per_pass``). On two CPU cores, two single-threaded passes sustained
        8/s where one two-thread pass sustained 6.5-7/s (three runs each, two machines), hence
        the default of two passes (``Settings.effective_worker_concurrency``)."""
        skip_guard.watch_stream(stream, one_at_a_time=False)
        if settings.grow_batches:
            grow_batches_while_busy(stream, lambda: coding.busy)
        async for events in stream.take_events(
            settings.take_batch, within=settings.take_within_seconds
        ):
            stall_watch.batch_started()
            started = time.perf_counter()
            handed = [(e.message.topic, e.message.partition, e.message.offset) for e in events]
            if instances == 1:
                # alone on the input, a gap is a skip already: exit untouched
                skip_guard.exit_on_skip(handed)
            records = [
                IncomingRecord(
                    key=event.key,
                    payload=event.value,
                    topic=event.message.topic,
                    partition=event.message.partition,
                    offset=event.message.offset,
                )
                for event in events
            ]
            metrics.articles_received.inc(len(records))
            articles, letters = split_valid(records, settings.max_article_bytes, time.time())
            for letter in letters:
                await send_deadletter(letter)

            ids = [a.id for a in articles]
            stored_before = await retry_forever(
                lambda ids=ids: store.existing(ids), metrics, "check stored articles"
            )
            fresh = [a for a in articles if a.id not in stored_before]
            metrics.articles_duplicate.inc(len(articles) - len(fresh))
            republished = await republish_unfinished(list(stored_before))
            if fresh:
                results = await coding.code([coder_input(a) for a in fresh], metrics)
                for raw, coded in zip(fresh, results, strict=True):
                    now = time.time()
                    if coded is None:  # it killed its coder process, alone, twice
                        await send_deadletter(coder_crash_letter(raw, names.articles_raw, now))
                        continue
                    routed = []
                    events = build_events(raw, coded, coding.label, now)
                    await retry_forever(
                        lambda events=events: store.store_events(events), metrics, "store events"
                    )
                    for event in events:
                        metrics.events_coded.labels(event.quad_class).inc()
                        payload = event.model_dump_json()  # serialised once, for both uses
                        await events_topic.send(key=event.event_id.encode(), value=payload.encode())
                        routed.append(json.loads(payload))
                    await route_article(routed)
                    enriched = build_enriched(raw, coded, coding.label, now)
                    stored = await retry_forever(
                        lambda enriched=enriched: store.store_article(enriched),
                        metrics,
                        "store article",
                    )
                    if stored:
                        metrics.articles_processed.inc()
                        metrics.end_to_end_latency.observe(time.time() - raw.produced_at)
                    else:
                        metrics.articles_duplicate.inc()
                    await enriched_topic.send(
                        key=enriched.id.encode(), value=enriched.model_dump_json().encode()
                    )
            published = [a.id for a in fresh] + republished
            if published:
                await app.producer.flush()  # delivered, so a redelivery may skip them
                await retry_forever(
                    lambda published=published: store.mark_published(published),
                    metrics,
                    "mark published",
                )
            await retry_forever(
                lambda n=len(records): store.record_handled(n), metrics, "count handled"
            )
            if instances > 1:
                # by now the other instances have pulled their records
                skip_guard.exit_on_skip(handed)
            metrics.processing_duration.observe(time.perf_counter() - started)
            stall_watch.batch_finished(handed)

    @app.timer(interval=LAG_INTERVAL_S)
    async def measure_lag() -> None:
        """Consumer lag of this worker's partitions: Prometheus and the dashboard."""
        lag: dict[str, int] = {}
        waiting = 0
        consumer = app.consumer
        for tp in consumer.assignment():
            if tp.topic.endswith("-changelog") or "__assignor" in tp.topic:
                continue  # tables' changelogs are written here, read only on recovery
            position = await consumer.position(tp)
            highwater = consumer.highwater(tp)
            if position is None or highwater is None:
                continue
            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, highwater - position)
            if tp.topic == names.articles_raw:
                committed = consumer.commit_position(tp)  # newsmon.worker.transport
                waiting += stall_watch.waiting(tp.topic, tp.partition, highwater, committed)
        for topic, count in lag.items():
            metrics.consumer_lag.labels(topic).set(count)
        metrics.input_waiting.set(waiting)
        log.debug(
            "input waiting %d (in batch %s, idle since %s, handled up to %s)",
            waiting,
            stall_watch.batches_in_progress,
            stall_watch.idle_waiting_since,
            stall_watch.next_offsets,
        )
        await retry_forever(lambda: store.record_lag(lag, WORKER_NAME), metrics, "record lag")
        # a rebalance (and the tables' recovery after it) holds every stream by design; a slow
        # one, the replacement of a killed worker waiting for its session to expire, is not a
        # stall: the idle clock starts when it is over
        if stall_watch.check(0 if app.rebalancing else waiting):
            log.error(
                "stream stalled: %d input records have waited %.0f s for an idle agent; "
                "stopping with exit code %d for the supervisor to restart the worker",
                waiting,
                settings.stall_exit_seconds,
                EX_TEMPFAIL,
            )
            os.kill(os.getpid(), signal.SIGTERM)

    register_alert_agents(
        app,
        settings,
        AlertingDeps(
            AlertStore(store.redis, store.keys), store, metrics, AlertMetrics.create(), skip_guard
        ),
    )
    return app


def run_worker(settings: Settings) -> None:
    """Entry point of ``newsmon worker``: metrics server, model, then the Faust worker."""
    if not settings.kafka_bootstrap_servers or not settings.redis_url:
        raise SystemExit(
            "newsmon worker needs KAFKA_BOOTSTRAP_SERVERS and REDIS_URL "
            "(or run `newsmon demo`, which starts local ones)"
        )
    metrics = WorkerMetrics.create()
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host)
    deps = build_deps(settings, metrics)
    app = create_app(settings, deps)
    worker = faust.Worker(app, loglevel=settings.log_level.upper(), quiet=True)
    try:
        worker.execute_from_commandline()
    finally:
        if deps.stall_watch.tripped:
            raise SystemExit(EX_TEMPFAIL)
