"""Keys, subscriptions and the SSE alert feed, against a real Redis-protocol server."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from newsmon.alerts.subscriptions import Subscription
from newsmon.api.alert_routes import WebhookPolicy
from newsmon.api.app import create_app
from newsmon.api.server import API_CLIENT_NAME, REDIS_SOCKET_TIMEOUT_S, api_redis
from newsmon.core.alert_store import AlertStore
from newsmon.core.metrics import ApiMetrics
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore, Keys
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from tests.servers import serve_app

pytestmark = pytest.mark.integration
ADMIN = "test-admin-key-0123456789"


def build_app(  # noqa: ANN201
    settings: Settings,
    policy: WebhookPolicy | None = None,
    redis_timeout_s: float = REDIS_SOCKET_TIMEOUT_S,
):
    redis = api_redis(settings.redis_url, redis_timeout_s)
    store = ArticleStore(redis, Keys(settings.redis_key_prefix), 3600)
    registry = CollectorRegistry()
    return create_app(
        store,
        None,
        1 << 20,
        ApiMetrics.create(registry),
        registry,
        admin_key=ADMIN,
        webhook_policy=policy or WebhookPolicy(),
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build_app(settings)) as test_client:
        yield test_client


def new_key(client: TestClient, name: str) -> str:
    response = client.post("/api/keys", json={"name": name}, headers={"X-API-Key": ADMIN})
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_requests_without_a_valid_key_are_refused(client: TestClient) -> None:
    assert client.get("/api/subscriptions").status_code == 401
    assert client.get("/api/subscriptions", headers={"X-API-Key": "nmk_x_y"}).status_code == 401
    assert client.post("/api/keys", json={"name": "x"}).status_code == 401
    owner = new_key(client, "analyst")
    assert (
        client.post("/api/keys", json={"name": "x"}, headers={"X-API-Key": owner}).status_code
        == 403
    )
    assert client.get("/api/alerts/stream").status_code == 401


def test_keys_are_stored_hashed(client: TestClient, settings: Settings) -> None:
    key = new_key(client, "analyst")
    key_id = key.split("_")[1]

    async def stored() -> dict:
        redis = Redis.from_url(settings.redis_url)
        try:
            return await redis.hgetall(Keys(settings.redis_key_prefix).api_key(key_id))
        finally:
            await redis.aclose()

    record = asyncio.run(stored())
    assert key.encode() not in b"".join(record.values())
    assert len(record[b"digest"]) == 64


def test_subscription_crud_is_scoped_to_its_owner(client: TestClient) -> None:
    alice, bob = new_key(client, "alice"), new_key(client, "bob")
    as_alice, as_bob = {"X-API-Key": alice}, {"Authorization": f"Bearer {bob}"}
    created = client.post(
        "/api/subscriptions",
        json={
            "name": "Russia's allies",
            "filters": {"countries": ["rus"], "min_confidence": 0.2},
            "max_alerts_per_hour": 10,
        },
        headers=as_alice,
    )
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["filters"]["countries"] == ["RUS"] and sub["webhook_secret"] is None
    sid = sub["id"]
    assert [
        s["id"] for s in client.get("/api/subscriptions", headers=as_alice).json()["subscriptions"]
    ] == [sid]
    assert client.get("/api/subscriptions", headers=as_bob).json()["subscriptions"] == []
    assert client.get(f"/api/subscriptions/{sid}", headers=as_bob).status_code == 404
    assert client.delete(f"/api/subscriptions/{sid}", headers=as_bob).status_code == 404
    patched = client.patch(
        f"/api/subscriptions/{sid}",
        json={"filters": {"signal_types": ["ally_at_risk"]}},
        headers=as_alice,
    )
    assert patched.status_code == 200 and patched.json()["filters"]["signal_types"] == [
        "ally_at_risk"
    ]
    bad = client.patch(
        f"/api/subscriptions/{sid}", json={"max_alerts_per_hour": 0}, headers=as_alice
    )
    assert bad.status_code == 422
    assert client.get("/api/subscriptions", headers={"X-API-Key": ADMIN}).json()["subscriptions"]
    assert client.delete(f"/api/subscriptions/{sid}", headers=as_alice).status_code == 204
    assert client.get(f"/api/subscriptions/{sid}", headers=as_alice).status_code == 404


def test_webhook_urls_are_checked_and_secrets_shown_once(client: TestClient) -> None:
    key = {"X-API-Key": new_key(client, "ops")}
    for url in ("http://example.org/h", "https://127.0.0.1/h", "https://169.254.169.254/x"):
        refused = client.post(
            "/api/subscriptions", json={"name": "x", "webhook": {"url": url}}, headers=key
        )
        assert refused.status_code == 422, url
    ok = client.post(
        "/api/subscriptions",
        json={"name": "x", "webhook": {"url": "https://93.184.215.14/hook", "format": "slack"}},
        headers=key,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["webhook_secret"].startswith("whsec_")
    listed = client.get(f"/api/subscriptions/{ok.json()['id']}", headers=key).json()
    assert "webhook_secret" not in listed


def test_sse_delivers_alerts_and_resumes_after_reconnect(settings: Settings) -> None:
    app = build_app(settings)

    async def scenario(base: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            key = (
                await http.post("/api/keys", json={"name": "sse"}, headers={"X-API-Key": ADMIN})
            ).json()["key"]
            headers = {"X-API-Key": key}
            sid = (
                await http.post("/api/subscriptions", json={"name": "all"}, headers=headers)
            ).json()["id"]
            redis = Redis.from_url(settings.redis_url)
            alerts = AlertStore(redis, Keys(settings.redis_key_prefix))
            subscription = await alerts.get_subscription(sid)
            assert isinstance(subscription, Subscription)

            async def publish(n: int) -> None:
                alert = {
                    "alert_id": f"alrt_{n}",
                    "kind": "article",
                    "subject_id": f"a{n}",
                    "subject_version": 1,
                    "summary": f"alert {n}",
                    "details": {},
                }
                assert await alerts.record_alert(subscription, alert) not in (
                    "duplicate",
                    "rate_limited",
                )

            for n in range(3):
                await publish(n)
            seen: list[tuple[str, dict]] = []
            async with http.stream(
                "GET", "/api/alerts/stream", params={"after": "0-0"}, headers=headers
            ) as stream:
                event_id = None
                async for line in stream.aiter_lines():
                    if line.startswith("id:"):
                        event_id = line[3:].strip()
                    elif line.startswith("data:"):
                        seen.append((event_id, json.loads(line[5:].strip())))
                        if len(seen) == 2:
                            break
            assert [a["summary"] for _, a in seen] == ["alert 0", "alert 1"]
            for n in range(3, 5):
                await publish(n)
            resumed: list[dict] = []
            async with http.stream(
                "GET", "/api/alerts/stream", headers={**headers, "Last-Event-ID": seen[-1][0]}
            ) as stream:
                async for line in stream.aiter_lines():
                    if line.startswith("data:"):
                        resumed.append(json.loads(line[5:].strip()))
                        if len(resumed) == 3:
                            break
            assert [a["summary"] for a in resumed] == ["alert 2", "alert 3", "alert 4"]
            assert (
                await alerts.record_alert(
                    subscription,
                    {
                        "alert_id": "alrt_0",
                        "kind": "article",
                        "subject_id": "a0",
                        "subject_version": 1,
                        "summary": "again",
                        "details": {},
                    },
                )
                == "duplicate"
            )
            await redis.aclose()

    with serve_app(app) as base:
        asyncio.run(asyncio.wait_for(scenario(base), timeout=60))
    time.sleep(0.1)


async def follow_until_first_alert(
    base: str, settings: Settings, meanwhile: Callable[[Redis], Awaitable[None]]
) -> list[dict]:
    """Open one alert stream, run ``meanwhile`` (which ends by publishing one alert) and
    return what the stream delivered: the first alert, on the same connection."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        key = (
            await http.post("/api/keys", json={"name": "follower"}, headers={"X-API-Key": ADMIN})
        ).json()["key"]
        headers = {"X-API-Key": key}
        sid = (await http.post("/api/subscriptions", json={"name": "all"}, headers=headers)).json()[
            "id"
        ]
        redis = Redis.from_url(settings.redis_url)
        alerts = AlertStore(redis, Keys(settings.redis_key_prefix))
        subscription = await alerts.get_subscription(sid)
        assert isinstance(subscription, Subscription)

        async def then_publish() -> None:
            await meanwhile(redis)
            alert = {
                "alert_id": "alrt_late",
                "kind": "article",
                "subject_id": "late",
                "subject_version": 1,
                "summary": "after the wait",
                "details": {},
            }
            await alerts.record_alert(subscription, alert)

        publisher = asyncio.create_task(then_publish())
        seen: list[dict] = []
        async with http.stream("GET", "/api/alerts/stream", headers=headers) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data:"):
                    seen.append(json.loads(line[5:].strip()))
                    break
        await publisher
        await redis.aclose()
        return seen


def test_sse_stream_outlives_quiet_spells_longer_than_the_redis_timeout(
    settings: Settings,
) -> None:
    """A follower waits on one connection through quiet spells: the feed's blocking reads
    must end inside the client's socket timeout (a 1 s timeout here, to keep it short)."""

    async def quiet_spell(_: Redis) -> None:
        await asyncio.sleep(3.5)

    with serve_app(build_app(settings, redis_timeout_s=1.0)) as base:
        seen = asyncio.run(
            asyncio.wait_for(follow_until_first_alert(base, settings, quiet_spell), timeout=30)
        )
    assert [a["summary"] for a in seen] == ["after the wait"]


def test_sse_stream_survives_redis_dropping_its_connection(settings: Settings) -> None:
    """Redis closes the connection the feed is blocked on (a restart or failover looks the
    same): the stream keeps its place and delivers the next alert."""

    async def drop_the_feeds_connection(redis: Redis) -> None:
        await asyncio.sleep(1.0)
        blocked = [
            c
            for c in await redis.client_list()
            if c.get("name") == API_CLIENT_NAME and c.get("cmd") == "xread"
        ]
        assert blocked, "the feed should be blocked in XREAD"
        for client in blocked:
            await redis.client_kill_filter(_id=client["id"])
        await asyncio.sleep(1.5)

    with serve_app(build_app(settings)) as base:
        seen = asyncio.run(
            asyncio.wait_for(
                follow_until_first_alert(base, settings, drop_the_feeds_connection), timeout=30
            )
        )
    assert [a["summary"] for a in seen] == ["after the wait"]


def test_rate_cap_holds_back_alerts_beyond_the_hourly_limit(settings: Settings) -> None:
    async def scenario() -> list[str]:
        redis = Redis.from_url(settings.redis_url)
        alerts = AlertStore(redis, Keys(settings.redis_key_prefix))
        sub = Subscription(
            id="sub_cap",
            owner="k",
            name="cap",
            max_alerts_per_hour=2,
            created_at=0.0,
            updated_at=0.0,
        )
        outcomes = [
            await alerts.record_alert(
                sub,
                {
                    "alert_id": f"c{n}",
                    "kind": "article",
                    "subject_id": f"a{n}",
                    "subject_version": 1,
                    "summary": "x",
                    "details": {},
                },
                now=7200.0,
            )
            for n in range(4)
        ]
        await redis.aclose()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert outcomes[2:] == ["rate_limited", "rate_limited"]
    assert all(o not in ("duplicate", "rate_limited") for o in outcomes[:2])
