"""Fault injection on the running pipeline, loopback only, bounded in time.

- the worker is killed with SIGKILL mid-stream and restarted: every acknowledged article ends up
  in Redis (or the dead letters), and no alert is recorded twice;
- an article stored by a worker killed before its records reached Kafka gets them sent on
  redelivery, once;
- Redis disappears for about 20 s: the worker backs off (metrics show the stall), acknowledges
  nothing it could not store, and catches up when Redis is back.
Each test prints its figures.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from newsmon.alerts.subscriptions import Filters, Subscription
from newsmon.core.alert_store import AlertStore
from newsmon.core.articles import to_raw_article
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.records import ArticleIn
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.local.processes import ManagedProcess, ProcessGroup, free_port
from newsmon.local.servers import start_local_redis
from newsmon.producer.publisher import ArticlePublisher
from newsmon.producer.replay import replay
from newsmon.producer.sources import read_articles
from newsmon.worker.enrichment import build_enriched, build_events
from newsmon.worker.stall import EX_TEMPFAIL
from redis.asyncio import Redis

from tests.coded_examples import coded_article
from tests.conftest import REPO

pytestmark = pytest.mark.faults
ARTICLES = 40
STALL_EXIT_S = 20  # the worker's watchdog: exit 75 when input waits this long for an idle agent
RESTARTS = 4  # a supervisor's restart budget


def seed_articles(count: int, tag: str) -> list[ArticleIn]:
    items = [i.article for i in read_articles(REPO / "seeds" / "voa_stories.jsonl", 1 << 20)]
    return [
        a.model_copy(update={"title": f"{a.title} [{tag}]"}) for a in items[:count] if a is not None
    ]


def start_worker(group: ProcessGroup, settings: Settings, name: str) -> tuple[ManagedProcess, int]:
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "REDIS_URL": settings.redis_url,
        "NEWSMON_BROKER_PROFILE": "local",
        "NEWSMON_TOPIC_PREFIX": settings.topic_prefix,
        "NEWSMON_REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "NEWSMON_APP_ID": settings.app_id,
        "NEWSMON_DATA_DIR": str(settings.data_dir),  # Faust's folder: the test's, not the repo's
        "NEWSMON_WORKER_METRICS_PORT": str(port),
        "NEWSMON_TAKE_BATCH": "4",
        "NEWSMON_STALL_EXIT_SECONDS": str(STALL_EXIT_S),
    }
    return group.start(name, [sys.executable, "-m", "newsmon", "worker"], env=env), port


async def wait_for(condition, timeout: float, every: float = 0.5) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(every)
    return False


def publish(settings: Settings, articles: list[ArticleIn]) -> list[str]:
    names = TopicNames(settings.topic_prefix)
    ensure_topics(settings, names.all())
    with ArticlePublisher(settings, names.articles_raw, "fault-test") as publisher:
        report = replay(articles, publisher, rate=8)
    return report.ids


async def subscribe_to_every_article(settings: Settings) -> Subscription:
    """Owner ``fault`` gets an alert for every article: the proof that its record went out."""
    redis = Redis.from_url(settings.redis_url)
    sub = Subscription(
        id="sub_every_article",
        owner="fault",
        name="every article",
        filters=Filters(kinds=["article"]),
        max_alerts_per_hour=10_000,
        created_at=0.0,
        updated_at=0.0,
    )
    await AlertStore(redis, Keys(settings.redis_key_prefix)).save_subscription(sub)
    await redis.aclose()
    return sub


def test_sigkill_mid_stream_loses_nothing_and_alerts_once(
    settings: Settings, tmp_path: Path
) -> None:
    articles = seed_articles(ARTICLES, "kill")

    subscription = asyncio.run(subscribe_to_every_article(settings))
    with ProcessGroup(tmp_path / "logs") as group:
        worker, _ = start_worker(group, settings, "worker-1")
        ids = publish(settings, articles)

        async def stored_count() -> int:
            redis = Redis.from_url(settings.redis_url)
            try:
                store = ArticleStore(redis, Keys(settings.redis_key_prefix), 3600)
                return len(await store.existing(ids))
            finally:
                await redis.aclose()

        async def some_stored() -> bool:
            return await stored_count() >= 8

        assert asyncio.run(wait_for(some_stored, 180)), worker.log_tail()
        before_kill = asyncio.run(stored_count())
        worker.kill()

        async def all_stored() -> bool:
            return await stored_count() == len(set(ids))

        # A replacement that finds its stream skipped records (the skip guard) or its input
        # waiting for an idle agent (the stall watchdog) exits with code 75 for a supervisor to
        # restart it; so does this test, and says how often. Since newsmon.worker.transport
        # also keeps commits from moving over records never handled, a lost record stalls
        # the commit (and the watchdog restarts the worker) instead of hanging this test
        # (README, Honest limits: the runs and their restarts). Nothing may be lost.
        restarts, exit_codes, replacement = 0, [], None
        while True:
            replacement, _ = start_worker(group, settings, f"worker-{restarts + 2}")

            async def done_or_exited(worker=replacement) -> bool:  # noqa: ANN001
                return not worker.running() or await all_stored()

            asyncio.run(wait_for(done_or_exited, 300))
            if replacement.running():
                break
            exit_codes.append(replacement.popen.returncode)
            if restarts == RESTARTS:
                pytest.fail(f"not all stored after {RESTARTS} restarts: {replacement.log_tail()}")
            restarts += 1
        assert asyncio.run(all_stored()), replacement.log_tail()

        async def figures() -> tuple[dict, list]:
            redis = Redis.from_url(settings.redis_url)
            try:
                stats = await ArticleStore(redis, Keys(settings.redis_key_prefix), 3600).stats()
                alerts = AlertStore(redis, Keys(settings.redis_key_prefix))

                async def alerts_done() -> bool:
                    got = await alerts.read_alerts(subscription.owner, count=10_000)
                    return len(got) >= len(set(ids))

                await wait_for(alerts_done, 180)
                return stats, await alerts.read_alerts(subscription.owner, count=10_000)
            finally:
                await redis.aclose()

        stats, alerts = asyncio.run(figures())
    alert_subjects = [a["subject_id"] for _, a in alerts]
    duplicates = stats.get("handled", 0) - len(set(ids))
    print(
        f"sent {len(ids)}, stored {stats.get('processed')} ({before_kill} before SIGKILL), "
        f"dead-lettered {stats.get('deadlettered', 0)}, redelivered after the kill {duplicates}, "
        f"alerts {len(alerts)} ({len(set(alert_subjects))} distinct), "
        f"restarts of a stalled replacement {restarts} (exit codes {exit_codes})"
    )
    assert all(code == EX_TEMPFAIL for code in exit_codes), "a replacement exited otherwise"
    assert stats["processed"] == len(set(ids))
    assert sorted(alert_subjects) == sorted(set(alert_subjects)), "an alert was recorded twice"
    assert set(alert_subjects) == set(ids)


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def test_redis_outage_stalls_then_resumes_without_loss(settings: Settings, tmp_path: Path) -> None:
    articles = seed_articles(20, "outage")
    redis_port = free_port()
    with ProcessGroup(tmp_path / "logs") as group:
        own_redis = start_local_redis(group, tmp_path / "valkey", port=redis_port)
        local = settings.model_copy(update={"redis_url": own_redis.url})
        worker, metrics_port = start_worker(group, local, "worker")

        async def stored_count() -> int:
            redis = Redis.from_url(local.redis_url, socket_connect_timeout=1)
            try:
                store = ArticleStore(redis, Keys(local.redis_key_prefix), 3600)
                return len(await store.existing(ids))
            finally:
                await redis.aclose()

        ids = publish(local, articles[:4])

        async def first_stored() -> bool:
            return await stored_count() == 4

        assert asyncio.run(wait_for(first_stored, 180)), worker.log_tail()
        own_redis.process.stop()
        outage_started = time.monotonic()
        ids += publish(local, articles[4:])
        stalled, retries = 0.0, 0.0
        while time.monotonic() - outage_started < 20:
            text = scrape(metrics_port)
            stalled = max(stalled, metric(text, "newsmon_store_stalled"))
            retries = metric(text, "newsmon_store_retries_total")
            time.sleep(1)
        assert worker.running(), "the worker must ride out the outage"
        restarted = start_local_redis(group, tmp_path / "valkey", port=redis_port)

        async def all_stored() -> bool:
            return await stored_count() == len(set(ids))

        assert asyncio.run(wait_for(all_stored, 180)), worker.log_tail()
        after = scrape(metrics_port)
        restarted.process.stop()
    print(
        f"sent {len(ids)}, stored {len(set(ids))} after a 20 s Redis outage; stall gauge "
        f"reached {stalled:.0f}, {retries:.0f} retries during it, "
        f"{metric(after, 'newsmon_store_retries_total'):.0f} in all"
    )
    assert stalled == 1.0 and retries > 0
    assert metric(after, "newsmon_store_stalled") == 0.0


def test_an_article_stored_by_a_worker_killed_before_kafka_gets_its_records_on_redelivery(
    settings: Settings, tmp_path: Path
) -> None:
    """The window a SIGKILL can hit: the article and its events are in Redis, its records never
    reached Kafka, its input offset is uncommitted. Its redelivery must send them (the alert,
    the pair index), once: a later duplicate of the same article sends nothing again."""
    left_behind, fresh = seed_articles(2, "republish")
    raw = to_raw_article(left_behind, "replay")
    coded = coded_article(raw.id, event_id=f"{raw.id}-0")  # what it had coded before dying

    async def leave_it_as_the_dead_worker_did() -> None:
        redis = Redis.from_url(settings.redis_url)
        store = ArticleStore(redis, Keys(settings.redis_key_prefix), 3600)
        for event in build_events(raw, coded, "coder-before-the-kill", coded_at=time.time()):
            assert await store.store_event(event)
        enriched = build_enriched(raw, coded, "coder-before-the-kill", enriched_at=time.time())
        assert await store.store_article(enriched)
        await redis.aclose()
        await subscribe_to_every_article(settings)

    async def outcome() -> tuple[list[str], list[dict], dict]:
        redis = Redis.from_url(settings.redis_url)
        try:
            keys = Keys(settings.redis_key_prefix)
            store = ArticleStore(redis, keys, 3600)
            alerts = await AlertStore(redis, keys).read_alerts("fault", count=100)
            series = await store.pair_series("USA", "VEN")
            return [a["subject_id"] for _, a in alerts], series, await store.stats()
        finally:
            await redis.aclose()

    asyncio.run(leave_it_as_the_dead_worker_did())
    with ProcessGroup(tmp_path / "logs") as group:
        worker, metrics_port = start_worker(group, settings, "worker")
        ids = publish(settings, [left_behind, fresh])

        async def both_alerted() -> bool:
            subjects, _, _ = await outcome()
            return set(ids) <= set(subjects)

        assert asyncio.run(wait_for(both_alerted, 180)), worker.log_tail()
        handled_before = asyncio.run(outcome())[2]["handled"]
        publish(settings, [left_behind])  # a true duplicate, after its records went out

        async def duplicate_handled() -> bool:
            return (await outcome())[2].get("handled", 0) > handled_before

        assert asyncio.run(wait_for(duplicate_handled, 60)), worker.log_tail()
        republished = metric(scrape(metrics_port), "newsmon_articles_republished_total")
        subjects, series, stats = asyncio.run(outcome())
    print(
        f"alerts {subjects}, USA-VEN index points {len(series)}, republished {republished}, "
        f"articles stored {stats.get('processed')}"
    )
    assert sorted(subjects) == sorted(ids), "one alert per article, none twice"
    assert series, "the left-behind article's event reached the pair index"
    assert republished == 1.0, "sent again once, on its redelivery only"
