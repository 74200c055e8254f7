"""The API against a real Redis-protocol server and the real local broker."""

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from newsmon.api.app import CSP, create_app
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.metrics import ApiMetrics
from newsmon.core.records import EnrichedArticle
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.producer.publisher import ArticlePublisher
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from tests.kafka_helpers import consume_all

pytestmark = pytest.mark.integration
LIMIT = 64 * 1024


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    names = TopicNames(settings.topic_prefix)
    ensure_topics(settings, names.all())
    publisher = ArticlePublisher(settings, names.articles_raw, "api-test")
    redis = Redis.from_url(settings.redis_url)
    store = ArticleStore(redis, Keys(settings.redis_key_prefix), ttl_seconds=3600)
    registry = CollectorRegistry()
    app = create_app(store, publisher, LIMIT, ApiMetrics.create(registry), registry)
    with TestClient(app) as test_client:
        test_client.store = store  # type: ignore[attr-defined]
        yield test_client
    publisher.close()


def test_health_readiness_openapi_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"redis": "ok", "broker": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/articles", "/api/topics", "/articles", "/healthz", "/readyz"} <= set(paths)
    metrics = client.get("/metrics").text
    assert 'newsmon_api_requests_total{route="/healthz",status="200"} 1.0' in metrics


def test_post_one_and_a_batch_reaches_the_broker(client: TestClient, settings: Settings) -> None:
    one = client.post("/articles", json={"title": "A", "text": "Iran and Oman held talks."})
    assert one.status_code == 202, one.text
    batch = client.post(
        "/articles",
        json=[{"text": "Troops moved."}, {"text": "  "}, {"text": "Envoys met.", "url": "ftp://x"}],
    )
    assert batch.status_code == 202
    body = batch.json()
    assert len(body["accepted"]) == 1
    assert [(r["index"], r["reason"]) for r in body["rejected"]] == [
        (1, "empty_text"),
        (2, "schema_violation"),
    ]
    names = TopicNames(settings.topic_prefix)
    records = consume_all(settings.kafka_bootstrap_servers, names.articles_raw, 2)
    ids = {r.key.decode() for r in records}
    assert ids == set(one.json()["accepted"]) | set(body["accepted"])
    assert {json.loads(r.value)["ingested_by"] for r in records} == {"api"}


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"\xff\xfe", 400, "not_utf8"),
        (b'{"title": "no text"}', 422, None),
        (b"[]", 422, "bad_batch"),
        (json.dumps([{"text": "x"}] * 101).encode(), 422, "bad_batch"),
        (json.dumps({"text": "x" * (LIMIT + 10)}).encode(), 422, None),
        (json.dumps({"text": "x" * (3 * LIMIT)}).encode(), 413, "too_large"),
    ],
)
def test_bad_bodies_get_a_4xx_with_the_reason(
    client: TestClient, body: bytes, status: int, reason: str | None
) -> None:
    response = client.post("/articles", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    payload = response.json()
    if reason:
        assert payload["error"] == reason
    else:
        assert payload["accepted"] == [] and payload["rejected"][0]["reason"]


def test_reads_latest_articles_topics_and_stats(client: TestClient) -> None:
    now = time.time()
    article = EnrichedArticle(
        id="art1",
        title="<script>alert(1)</script>",
        url=None,
        source="s",
        published=None,
        produced_at=now,
        enriched_at=now,
        sentences=["x"],
        topics={"health": 1.0},
        top_topics=["health"],
        topic_model="m",
    )
    store: ArticleStore = client.store  # type: ignore[attr-defined]
    client.portal.call(store.store_article, article)  # type: ignore[attr-defined]
    latest = client.get("/api/articles").json()["articles"]
    assert [a["id"] for a in latest] == ["art1"]
    assert client.get("/api/articles", params={"topic": "health"}).json()["articles"]
    assert client.get("/api/articles", params={"topic": "military"}).json()["articles"] == []
    assert client.get("/api/articles", params={"topic": "nonsense"}).status_code == 422
    assert client.get("/api/articles/art1").json()["title"] == "<script>alert(1)</script>"
    assert client.get("/api/articles/nope").status_code == 404
    assert client.get("/api/topics", params={"minutes": 5}).json()["counts"] == {"health": 1}
    assert client.get("/api/stats").json() == {"processed": 1}


def test_dashboard_is_served_with_a_content_security_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert '<script src="/static/dashboard.js">' in page.text
    script = client.get("/static/dashboard.js").text
    assert ".innerHTML =" not in script and "textContent" in script


def test_events_endpoint_filters_and_validates(client: TestClient) -> None:
    from newsmon.core.records import ActorRef, DyadicEvent

    store: ArticleStore = client.store  # type: ignore[attr-defined]
    for event_id, actor, recipient, kind, at in [
        ("e1", "USA", "VEN", "COERCE", 100.0),
        ("e2", "RUS", "IRN", "AGREE", 200.0),
    ]:
        event = DyadicEvent(
            event_id=event_id,
            article_id="a",
            sentence_index=0,
            sentence=f"<b>{actor}</b>",
            actors=[ActorRef(code=actor, agent="GOV")],
            recipients=[ActorRef(code=recipient)],
            event_type=kind,
            quad_class="material_conflict" if kind == "COERCE" else "verbal_cooperation",
            score=-7.0 if kind == "COERCE" else 2.5,
            confidence=0.5,
            event_time=at,
        )
        client.portal.call(store.store_event, event)  # type: ignore[attr-defined]
    get = lambda **params: client.get("/api/events", params=params)  # noqa: E731
    assert [e["event_id"] for e in get().json()["events"]] == ["e2", "e1"]
    assert [e["event_id"] for e in get(pair="usa,ven").json()["events"]] == ["e1"]
    assert [e["event_id"] for e in get(actor="IRN").json()["events"]] == ["e2"]
    assert [e["event_id"] for e in get(type="agree").json()["events"]] == ["e2"]
    assert [e["event_id"] for e in get(since=150).json()["events"]] == ["e2"]
    assert get(pair="USA").status_code == 422
    assert get(type="DISAPPROVE").status_code == 422
    assert get(actor="<script>").status_code == 422


def test_signals_and_pair_endpoints(client: TestClient) -> None:
    from newsmon.core.records import AllianceSignal, Evidence

    store: ArticleStore = client.store  # type: ignore[attr-defined]
    signal = AllianceSignal(
        signal_id="sig1",
        version=1,
        signal_type="dyad_shift",
        pair=("RUS", "SYR"),
        direction="toward_conflict",
        magnitude=3.0,
        confidence=0.4,
        independent_sources=2,
        evidence=[Evidence(article_id="a", url="https://example.org/a", sentence="<i>x</i>")],
        raised_at=10.0,
        updated_at=20.0,
        summary="RUS-SYR relations moving toward conflict",
    )
    client.portal.call(store.store_signal, signal)  # type: ignore[attr-defined]
    client.portal.call(  # type: ignore[attr-defined]
        store.store_index_point, "RUS", "SYR", 20.0, -1.0, 2.8, -2.5, 4
    )
    signals = client.get("/api/signals").json()["signals"]
    assert [s["signal_id"] for s in signals] == ["sig1"]
    assert client.get("/api/signals", params={"country": "syr"}).json()["signals"]
    assert client.get("/api/signals", params={"type": "realignment"}).json()["signals"] == []
    assert client.get("/api/signals", params={"type": "bogus"}).status_code == 422
    pair = client.get("/api/pairs/syr/rus").json()
    assert pair["pair"] == ["RUS", "SYR"]
    assert [p["index"] for p in pair["index"]] == [-1.0]
    assert [s["signal_id"] for s in pair["signals"]] == ["sig1"]
    assert client.get("/api/pairs/RUS/RUS").status_code == 422
    assert [v["version"] for v in client.get("/api/signals/sig1").json()["versions"]] == [1]
    assert client.get("/api/signals/nope").status_code == 404


def test_push_endpoint_rate_limit_and_optional_key(settings: Settings) -> None:
    names = TopicNames(settings.topic_prefix)
    ensure_topics(settings, names.all())
    publisher = ArticlePublisher(settings, names.articles_raw, "api-limit-test")
    store = ArticleStore(Redis.from_url(settings.redis_url), Keys(settings.redis_key_prefix), 3600)
    registry = CollectorRegistry()
    article = {"text": "Envoys met in Geneva."}
    limited = create_app(
        store, publisher, LIMIT, ApiMetrics.create(registry), registry, push_rate_limit=3
    )
    with TestClient(limited) as client:
        codes = [client.post("/articles", json=article).status_code for _ in range(5)]
        assert codes[:3] == [202, 202, 202] and codes[3:] == [429, 429]
        assert client.post("/articles", json=article).headers["retry-after"].isdigit()
    registry = CollectorRegistry()
    keyed = create_app(
        store,
        publisher,
        LIMIT,
        ApiMetrics.create(registry),
        registry,
        admin_key="admin-key-for-push-test",
        push_requires_key=True,
    )
    with TestClient(keyed) as client:
        assert client.post("/articles", json=article).status_code == 401
        ok = client.post(
            "/articles", json=article, headers={"X-API-Key": "admin-key-for-push-test"}
        )
        assert ok.status_code == 202
    publisher.close()
