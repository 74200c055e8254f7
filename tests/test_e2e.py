"""End to end: `newsmon demo` from the CLI, results read back from Redis, Kafka and the API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from newsmon.api.app import create_app
from newsmon.core.articles import article_id
from newsmon.core.metrics import ApiMetrics
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.local.processes import free_port
from newsmon.producer.poison import poison_records
from newsmon.producer.sources import read_articles
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from tests.conftest import REPO
from tests.kafka_helpers import consume_all

pytestmark = pytest.mark.e2e

SEED_ARTICLE = REPO / "seeds" / "000_783d31cd25a2e179.txt"
SEED_COUNT = 72
READER_TOPICS = {"diplomatic", "repression", "political_institutions", "military", "pro_autocracy"}


def demo_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL"}}
    env.update(extra, PYTHONUNBUFFERED="1", COLUMNS="100")
    return env


def processes_mentioning(marker: str) -> list[str]:
    """Live processes whose command line or environment contains ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            blob = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if marker.encode() in blob and state != "Z":
            found.append(proc.name)
    return found


def seed_article_id() -> str:
    [item] = read_articles(SEED_ARTICLE, 1 << 20)
    assert item.article is not None
    return article_id(item.article.title, item.article.text)


def test_demo_once_against_configured_servers(settings: Settings, tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    env = demo_env(
        KAFKA_BOOTSTRAP_SERVERS=settings.kafka_bootstrap_servers,
        REDIS_URL=settings.redis_url,
        NEWSMON_BROKER_PROFILE="local",
        NEWSMON_TOPIC_PREFIX=settings.topic_prefix,
        NEWSMON_REDIS_KEY_PREFIX=settings.redis_key_prefix,
        NEWSMON_APP_ID=settings.app_id,
        NEWSMON_DATA_DIR=str(tmp_path / "data"),
        NEWSMON_API_PORT=str(free_port()),
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "demo", "--once", "--report", str(report_path)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    print(f"demo --once on configured servers: {time.monotonic() - started:.1f}s")
    report = json.loads(report_path.read_text())
    assert report["embedded"] == [], "configured servers: nothing embedded may start"
    assert report["complete"] and report["articles_in"] == SEED_COUNT
    assert report["processed"] == SEED_COUNT
    expected_reasons: dict[str, int] = {}
    for poison in poison_records():
        expected_reasons[poison.expected_reason] = (
            expected_reasons.get(poison.expected_reason, 0) + 1
        )
    assert report["dead_letter_reasons"] == expected_reasons
    assert "articles in" in done.stdout and "dashboard" in done.stdout
    assert not processes_mentioning(settings.app_id), "the demo left processes behind"

    async def read_back() -> tuple[list[dict], dict, list]:
        redis = Redis.from_url(settings.redis_url)
        store = ArticleStore(redis, Keys(settings.redis_key_prefix), 3600)
        try:
            articles = [await store.get_article(i) for i in report["article_ids"]]
            stats = await store.stats()
            letters = await redis.xrange(store.keys.deadletter_stream)
            return articles, stats, letters
        finally:
            await redis.aclose()

    articles, stats, letters = asyncio.run(read_back())
    assert all(a is not None for a in articles)
    assert all(len(a["topics"]) == 37 and len(a["top_topics"]) == 3 for a in articles)
    assert all(a["sentences"] for a in articles)
    seed = next(a for a in articles if a["id"] == seed_article_id())
    assert READER_TOPICS & set(seed["top_topics"]), seed["top_topics"]
    assert stats["processed"] == SEED_COUNT and stats["deadlettered"] == len(poison_records())
    reasons = sorted(json.loads(fields[b"deadletter"])["reason"] for _, fields in letters)
    assert reasons == sorted(p.expected_reason for p in poison_records())

    assert report["events"] > 100, "the seeds name many political actors"
    seed_events = seed["event_ids"]
    assert seed_events, "the seed article must yield dyadic events"

    names = TopicNames(settings.topic_prefix)
    events = consume_all(
        settings.kafka_bootstrap_servers, names.events_dyadic, report["events"], timeout_s=60
    )
    assert len({r.key for r in events}) == report["events"]
    assert {r.key.decode() for r in events} >= set(seed_events)
    enriched = consume_all(settings.kafka_bootstrap_servers, names.articles_enriched, SEED_COUNT)
    assert len({r.key for r in enriched}) == SEED_COUNT
    dead = consume_all(settings.kafka_bootstrap_servers, names.articles_deadletter, 6)
    assert {json.loads(r.value)["reason"] for r in dead} == set(expected_reasons)

    redis = Redis.from_url(settings.redis_url)
    store = ArticleStore(redis, Keys(settings.redis_key_prefix), 3600)
    registry = CollectorRegistry()
    app = create_app(store, None, 1 << 20, ApiMetrics.create(registry), registry)
    with TestClient(app) as client:
        latest = client.get("/api/articles", params={"limit": 200}).json()["articles"]
        assert {a["id"] for a in latest} == set(report["article_ids"])
        counts = client.get("/api/topics").json()["counts"]
        assert sum(counts.values()) == 3 * SEED_COUNT
        assert client.get("/api/stats").json()["processed"] == SEED_COUNT
        served = client.get("/api/events", params={"limit": 500}).json()["events"]
        assert {e["event_id"] for e in served} >= set(seed_events)
        first = next(e for e in served if e["event_id"] == seed_events[0])
        assert first["sentence"] in seed["sentences"] and first["url"] == seed["url"]
        if first["recipients"]:
            pair = f"{first['actors'][0]['code']},{first['recipients'][0]['code']}"
            by_pair = client.get("/api/events", params={"pair": pair, "limit": 500}).json()
            assert first["event_id"] in {e["event_id"] for e in by_pair["events"]}


def test_embedded_demo_serves_the_dashboard_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    data_dir = tmp_path / "embedded-data"
    report_path = tmp_path / "report.json"
    env = demo_env(NEWSMON_DATA_DIR=str(data_dir), NEWSMON_API_PORT=str(free_port()))
    demo = subprocess.Popen(
        [sys.executable, "-m", "newsmon", "demo", "--report", str(report_path)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 600
        assert demo.stdout is not None
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Ctrl-C stops everything" in line:
                break
        text = "".join(output)
        assert "Ctrl-C stops everything" in text, text[-3000:]
        url = next(w for w in text.split() if w.startswith("http://127.0.0.1:"))
        url = url.rstrip(";").rstrip("/")
        assert processes_mentioning(str(data_dir)), "embedded servers should be running"
        stats = httpx.get(f"{url}/api/stats", timeout=10).json()
        assert stats["processed"] == SEED_COUNT
        page = httpx.get(f"{url}/", timeout=10)
        assert page.status_code == 200 and "content-security-policy" in page.headers
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 130
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    report = json.loads(report_path.read_text())
    assert report["embedded"] == ["tansu", "valkey"] and report["complete"]
    assert report["processed"] == SEED_COUNT
    assert (data_dir / "valkey").is_dir(), "the embedded Redis persists to the data folder"
    assert not processes_mentioning(str(data_dir)), "Ctrl-C left processes behind"
