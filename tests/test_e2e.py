"""End to end: `newsmon demo` from the CLI, results read back from Redis, Kafka and the API."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from newsmon.alerts.subscriptions import (
    Subscription,
    Webhook,
    new_subscription_id,
    new_webhook_secret,
)
from newsmon.alerts.webhooks import verify
from newsmon.api.app import create_app
from newsmon.core.alert_store import AlertStore
from newsmon.core.articles import article_id
from newsmon.core.metrics import ApiMetrics
from newsmon.core.records import AllianceSignal
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.local.processes import free_port
from newsmon.producer.poison import poison_records
from newsmon.producer.sources import read_articles
from newsmon.signals.stream_check import Expectation, load_expectations
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from tests.browser import require_chromium, watch_dashboard
from tests.conftest import REPO, isolated_settings
from tests.kafka_helpers import consume_all
from tests.servers import Receiver, webhook_receiver

pytestmark = pytest.mark.e2e

SEED_ARTICLE = REPO / "seeds" / "000_783d31cd25a2e179.txt"
SEED_COUNT = 72
READER_TOPICS = {"diplomatic", "repression", "political_institutions", "military", "pro_autocracy"}


def demo_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL"}}
    env.update(extra, PYTHONUNBUFFERED="1", COLUMNS="100")
    return env


def processes_mentioning(marker: str) -> list[str]:
    """Live processes whose command line, environment or working directory contains ``marker``
    (valkey gets neither the data folder's path nor the demo's environment: it runs in it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            blob = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
            blob += os.readlink(proc / "cwd").encode()
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


@dataclass(frozen=True)
class DemoRun:
    settings: Settings
    report: dict
    stdout: str
    env: dict
    subscription: Subscription | None = None
    receiver: Receiver | None = None


def run_demo_once(settings: Settings, data_dir: Path, report_path: Path) -> DemoRun:
    env = demo_env(
        KAFKA_BOOTSTRAP_SERVERS=settings.kafka_bootstrap_servers,
        REDIS_URL=settings.redis_url,
        NEWSMON_BROKER_PROFILE="local",
        NEWSMON_TOPIC_PREFIX=settings.topic_prefix,
        NEWSMON_REDIS_KEY_PREFIX=settings.redis_key_prefix,
        NEWSMON_APP_ID=settings.app_id,
        NEWSMON_DATA_DIR=str(data_dir),
        NEWSMON_API_PORT=str(free_port()),
    )
    started = time.monotonic()
    done = demo_until_done(env, report_path)
    print(f"demo --once on configured servers: {time.monotonic() - started:.1f}s")
    return DemoRun(settings, json.loads(report_path.read_text()), done.stdout, env)


def demo_until_done(env: dict, report_path: Path) -> subprocess.CompletedProcess:
    """`newsmon demo --once`, which must exit 0 once the replay is processed."""
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "demo", "--once", "--report", str(report_path)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def demo_run(
    kafka_bootstrap: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoRun]:
    """One `newsmon demo --once` against the session's servers, shared by this module, with
    a subscription (and a webhook receiver) registered before the replay starts."""
    unique = uuid.uuid4().hex[:10]
    settings = isolated_settings(kafka_bootstrap, redis_url, unique, tag="e2e")
    folder = tmp_path_factory.mktemp("demo")
    with webhook_receiver() as receiver:
        subscription = asyncio.run(subscribe_to_every_signal(settings, receiver.url))
        run = run_demo_once(settings, folder / "data", folder / "report.json")
        yield dataclasses.replace(run, subscription=subscription, receiver=receiver)


async def subscribe_to_every_signal(settings: Settings, url: str) -> Subscription:
    """An analyst's key and a subscription to every signal, with a webhook, before the run."""
    redis = Redis.from_url(settings.redis_url)
    try:
        alerts = AlertStore(redis, Keys(settings.redis_key_prefix))
        issued = await alerts.create_api_key("e2e analyst")
        subscription = Subscription(
            id=new_subscription_id(),
            owner=issued.key_id,
            name="every signal",
            webhook=Webhook(url=url),
            webhook_secret=new_webhook_secret(),
            material_changes_only=False,
            max_alerts_per_hour=1000,
            created_at=time.time(),
            updated_at=time.time(),
        )
        await alerts.save_subscription(subscription)
        return subscription
    finally:
        await redis.aclose()


def test_demo_once_against_configured_servers(demo_run: DemoRun) -> None:
    settings, report, stdout = demo_run.settings, demo_run.report, demo_run.stdout
    assert report["embedded"] == [], "configured servers: nothing embedded may start"
    assert report["complete"] and report["articles_in"] == SEED_COUNT
    assert report["processed"] == SEED_COUNT
    expected_reasons: dict[str, int] = {}
    for poison in poison_records():
        expected_reasons[poison.expected_reason] = (
            expected_reasons.get(poison.expected_reason, 0) + 1
        )
    assert report["dead_letter_reasons"] == expected_reasons
    assert "articles in" in stdout and "dashboard" in stdout
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
    assert all(len(a["topics"]) == 37 and 1 <= len(a["top_topics"]) <= 3 for a in articles)
    for a in articles:  # calibrated: the likely contexts, or the single best when none is
        likely = [t for t in a["top_topics"] if a["topics"][t] >= 0.5]
        best = max(a["topics"], key=a["topics"].__getitem__)
        assert likely == a["top_topics"] or a["top_topics"] == [best], a["top_topics"]
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
        assert sum(counts.values()) == sum(len(a["top_topics"]) for a in articles)
        assert client.get("/api/stats").json()["processed"] == SEED_COUNT
        served = client.get("/api/events", params={"limit": 500}).json()["events"]
        assert {e["event_id"] for e in served} >= set(seed_events)
        first = next(e for e in served if e["event_id"] == seed_events[0])
        assert first["sentence"] in seed["sentences"] and first["url"] == seed["url"]
        if first["recipients"]:
            pair = f"{first['actors'][0]['code']},{first['recipients'][0]['code']}"
            by_pair = client.get("/api/events", params={"pair": pair, "limit": 500}).json()
            assert first["event_id"] in {e["event_id"] for e in by_pair["events"]}


def api_client(settings: Settings) -> TestClient:
    redis = Redis.from_url(settings.redis_url)
    store = ArticleStore(redis, Keys(settings.redis_key_prefix), 3600)
    registry = CollectorRegistry()
    return TestClient(create_app(store, None, 1 << 20, ApiMetrics.create(registry), registry))


def test_signals_reach_redis_and_the_api_with_evidence(demo_run: DemoRun) -> None:
    reported = demo_run.report["signals"]
    assert reported, "the seeds must raise alliance-shift signals"
    with api_client(demo_run.settings) as client:
        active = client.get("/api/signals", params={"limit": 1000}).json()["signals"]
        assert {s["signal_id"] for s in active} == {
            s["signal_id"] for s in reported if s["status"] == "active"
        }
        for signal in active:
            assert signal["evidence"], signal["summary"]
            assert all(e["sentence"] and e["article_id"] for e in signal["evidence"])
            assert signal["independent_sources"] >= 1
            assert signal["summary"]
        dyad = next(s for s in reported if s["signal_type"] == "dyad_shift")
        detail = client.get(f"/api/pairs/{dyad['pair'][0]}/{dyad['pair'][1]}").json()
        assert detail["index"], "the pair's index history feeds the chart"
        assert dyad["signal_id"] in {s["signal_id"] for s in detail["signals"]}
        versions = client.get(f"/api/signals/{dyad['signal_id']}").json()["versions"]
        assert [v["version"] for v in versions] == list(range(1, dyad["version"] + 1))


def test_replaying_the_seeds_again_changes_no_signal(demo_run: DemoRun, tmp_path: Path) -> None:
    again = run_demo_once(demo_run.settings, tmp_path / "data", tmp_path / "report.json")
    assert again.report["already_stored"] == SEED_COUNT
    assert again.report["signals"] == demo_run.report["signals"]
    # a worker joining a group with commits used to lose its first fetches to Faust's queue
    # clearing and stall until the watchdog restarted it (``SeekingConsumer.perform_seek``)
    restarted = sorted(p.name for p in (tmp_path / "data" / "logs").glob("worker-*.log"))
    assert restarted == [], f"the worker had to be restarted: {restarted}"


def test_signals_alert_the_subscriber_once_over_its_stream_and_signed_webhook(
    demo_run: DemoRun,
) -> None:
    subscription, receiver = demo_run.subscription, demo_run.receiver
    assert subscription is not None and receiver is not None
    active_versions = {
        (s["signal_id"], s["version"])
        for s in demo_run.report["signals"]
        if s["status"] == "active"
    }
    assert demo_run.report["alerts"] >= len(active_versions) > 0

    async def owner_alerts() -> list[dict]:
        redis = Redis.from_url(demo_run.settings.redis_url)
        try:
            store = AlertStore(redis, Keys(demo_run.settings.redis_key_prefix))
            return [a for _, a in await store.read_alerts(subscription.owner, count=10_000)]
        finally:
            await redis.aclose()

    alerts = asyncio.run(owner_alerts())
    assert len(alerts) == demo_run.report["alerts"]
    assert len({a["alert_id"] for a in alerts}) == len(alerts), "never twice"
    assert {(a["subject_id"], a["subject_version"]) for a in alerts} >= active_versions
    assert all(a["evidence"] for a in alerts)
    ids = [h["webhook-id"] for h, _ in receiver.received]
    assert sorted(set(ids)) == sorted(a["alert_id"] for a in alerts), "one webhook per alert"
    # as the receiver checked each on arrival: its timestamp must be fresh then, not minutes
    # later, when this module's other tests have run (a slow replay once took six)
    for (headers, body), arrived in zip(receiver.received, receiver.arrived_at, strict=True):
        assert verify(subscription.webhook_secret, headers, body, now=arrived)


# What the seed article's reader expects (issue 4), in the file ``newsmon check-signals`` reads;
# ``gap: true`` marks what the project does not yet raise.
SEED_READER = load_expectations(REPO / "seeds" / "expectations.yaml")


def assert_reader_finds(report: dict, expected: Expectation) -> None:
    found = [s for s in report["signals"] if expected.matches(AllianceSignal.model_validate(s))]
    assert found, f"missing: {expected.reader}"
    assert any(e["article_id"] == seed_article_id() for e in found[-1]["evidence"])


@pytest.mark.parametrize(
    "expected", [e for e in SEED_READER if not e.gap], ids=lambda e: "-".join(e.pair)
)
def test_the_seed_article_raises_what_its_reader_expects(
    demo_run: DemoRun, expected: Expectation
) -> None:
    assert_reader_finds(demo_run.report, expected)
    told = {e["reader"]: e["met"] for e in demo_run.report["expectations"]}
    assert told[expected.reader], "the demo's report says so too"


@pytest.mark.xfail(
    reason="known gap, see the issue note: the seed article is the only one on these pairs, and "
    "the coder reads too little of its analysis prose as events (Trump's threat names no "
    "country; two US-Venezuela conflict events from one article stay under the escalation "
    "rule's two independent articles, and Venezuela's pressure under the threshold)",
    strict=False,
)
@pytest.mark.parametrize(
    "expected", [e for e in SEED_READER if e.gap], ids=lambda e: "-".join(e.pair)
)
def test_the_seed_article_raises_what_its_reader_expects_not_yet(
    demo_run: DemoRun, expected: Expectation
) -> None:
    assert_reader_finds(demo_run.report, expected)


def watch_live_alert_in_the_browser(url: str, key: str, screenshot: Path) -> dict:
    """An article subscription for the analyst's key, then an article pushed through the live
    pipeline: the dashboard must show the articles and the alert arrive over SSE."""
    require_chromium()
    created = httpx.post(
        f"{url}/api/subscriptions",
        json={
            "name": "Zanzibar watch",
            "filters": {"kinds": ["article"], "keywords": ["zanzibar"]},
        },
        headers={"X-API-Key": key},
        timeout=10,
    )
    assert created.status_code == 201, created.text

    def push_article() -> None:
        response = httpx.post(
            f"{url}/articles",
            json={
                "title": "Zanzibar talks",
                "text": "Zanzibar officials met Kenyan envoys on "
                "trade and maritime security on Tuesday.",
                "source": "browser-test",
            },
            timeout=30,
        )
        assert response.status_code == 202, response.text

    seen = watch_dashboard(url, key, push_article, screenshot)
    print(f"dashboard screenshot: {screenshot} ({seen['articles']} article rows)")
    return seen


def live_alert_diagnosis(
    url: str, key: str, data_dir: Path, exc: BaseException, demo: subprocess.Popen
) -> str:
    """What a failed browser check needs, message first (CI shows the head of long output):
    whether the pushed article was processed and its alert recorded, what the demo printed
    since (a worker restart, say), then the logs' warnings."""
    lines = [f"browser check failed: {exc}"]
    if demo.stdout is not None:
        fd, printed = demo.stdout.fileno(), []
        os.set_blocking(fd, False)
        with contextlib.suppress(OSError):  # BlockingIOError: all read
            while chunk := os.read(fd, 1 << 16):
                printed.append(chunk)
        lines.append(f"demo output since: {b''.join(printed).decode(errors='replace')[-1500:]!r}")
    with contextlib.suppress(httpx.HTTPError, ValueError):
        lines.append(f"stats: {httpx.get(f'{url}/api/stats', timeout=10).json()}")
    with contextlib.suppress(httpx.HTTPError, ValueError):
        latest = httpx.get(f"{url}/api/articles", params={"limit": 3}, timeout=10).json()
        lines.append(f"latest articles: {[a.get('title') for a in latest.get('articles', [])]}")
    with contextlib.suppress(httpx.HTTPError, ValueError):
        alerts = httpx.get(f"{url}/api/alerts", headers={"X-API-Key": key}, timeout=10).json()
        lines.append(f"alerts recorded for the key: {alerts}")
    for log in sorted((data_dir / "logs").glob("*.log")):
        noteworthy = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if any(word in line.lower() for word in ("warn", "error", "fail", "timeout"))
        ]
        lines.append(f"{log.name}: {len(noteworthy)} warning/error lines; last: {noteworthy[-8:]}")
    worker_log = data_dir / "logs" / "worker.log"
    if worker_log.exists():
        lines.append(f"worker.log ends: {worker_log.read_text(errors='replace')[-1500:]!r}")
    return "\n".join(lines)


def stop_demo(demo: subprocess.Popen, data_dir: Path) -> None:
    """After a failure: Ctrl-C first (the demo stops its own children), then force, then
    any child that outlived it, so a failing test never leaves processes behind."""
    if demo.poll() is None:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=180)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
    for pid in processes_mentioning(str(data_dir)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)


def test_embedded_demo_serves_the_dashboard_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    data_dir = tmp_path / "embedded-data"
    report_path = tmp_path / "report.json"
    admin = "e2e-admin-" + uuid.uuid4().hex
    env = demo_env(
        NEWSMON_DATA_DIR=str(data_dir),
        NEWSMON_API_PORT=str(free_port()),
        NEWSMON_ADMIN_API_KEY=admin,
    )
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
        key = httpx.post(
            f"{url}/api/keys", json={"name": "browser"}, headers={"X-API-Key": admin}, timeout=10
        ).json()["key"]
        try:
            seen = watch_live_alert_in_the_browser(url, key, tmp_path / "dashboard.png")
        except Exception as exc:  # noqa: BLE001 - any failure gets the pipeline's side of it
            pytest.fail(live_alert_diagnosis(url, key, data_dir, exc, demo), pytrace=False)
        assert seen["articles"] > 0 and "Zanzibar" in seen["alert"], seen
        assert seen["errors"] == [], seen["errors"]
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=180) == 130, (
            "the demo must stop within its children's stop timeouts"
        )
    finally:
        stop_demo(demo, data_dir)
    report = json.loads(report_path.read_text())
    assert report["embedded"] == ["tansu", "valkey"] and report["complete"]
    assert report["processed"] == SEED_COUNT
    assert (data_dir / "valkey").is_dir(), "the embedded Redis persists to the data folder"
    assert not processes_mentioning(str(data_dir)), "Ctrl-C left processes behind"

    # `make demo` a second time: a fresh broker, the first run's Redis. Its batches, all of
    # stored articles, are quick; a race in the worker's skip guard failed every such run.
    again = demo_until_done({**env, "NEWSMON_API_PORT": str(free_port())}, report_path)
    second = json.loads(report_path.read_text())
    assert second["complete"] and second["already_stored"] == SEED_COUNT
    print(f"second embedded run: worker restarts {again.stdout.count('restarting it')}")
    assert not processes_mentioning(str(data_dir)), "the second run left processes behind"
