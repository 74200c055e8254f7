"""The delivery worker against real HTTP receivers on loopback (allowed for tests only)."""

import asyncio
import json
import time

import httpx
import pytest
from newsmon.alerts.subscriptions import Subscription, Webhook, new_webhook_secret
from newsmon.alerts.webhooks import verify
from newsmon.core.alert_store import AlertStore
from newsmon.core.metrics import DeliveryMetrics
from newsmon.core.settings import Settings
from newsmon.core.store import Keys
from newsmon.deliver.worker import Deliverer, DeliveryPolicy, backoff_delay
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from tests.servers import webhook_receiver

pytestmark = pytest.mark.integration

FAST = DeliveryPolicy(
    max_attempts=3, backoff_seconds=0.2, timeout_seconds=1.0, allow_http=True, allow_private=True
)


def subscription(sid: str, url: str, fmt: str = "standard") -> Subscription:
    return Subscription(
        id=sid,
        owner="k1",
        name=sid,
        webhook=Webhook(url=url, format=fmt),
        webhook_secret=new_webhook_secret(),
        created_at=0.0,
        updated_at=0.0,
    )


def alert(n: int) -> dict:
    return {
        "alert_id": f"alrt_{n}",
        "kind": "signal",
        "subject_id": f"s{n}",
        "subject_version": 1,
        "summary": f"<b>signal {n}</b>",
        "details": {"direction": "toward_conflict", "magnitude": 2.0},
        "evidence": [{"article_id": "a", "url": None, "sentence": "Troops moved."}],
    }


async def deliver_until(deliverer: Deliverer, done, timeout: float = 20.0) -> None:  # noqa: ANN001
    await deliverer.ensure_group()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not await done():
        await deliverer.run_once()
    await deliverer.drain()


def test_backoff_doubles() -> None:
    assert [backoff_delay(a, 1.0) for a in range(4)] == [1.0, 2.0, 4.0, 8.0]


def test_signed_delivery_retries_and_dead_letters(settings: Settings) -> None:
    async def scenario(ok_url: str, failing_url: str, hanging_url: str) -> tuple:
        redis = Redis.from_url(settings.redis_url)
        store = AlertStore(redis, Keys(settings.redis_key_prefix))
        good = subscription("sub_ok", ok_url)
        slack = subscription("sub_slack", ok_url, "slack")
        bad = subscription("sub_bad", failing_url)
        slow = subscription("sub_slow", hanging_url)
        for s in (good, slack, bad, slow):
            await store.save_subscription(s)
        await store.record_alert(slow, alert(9))
        await store.record_alert(bad, alert(1))
        await store.record_alert(good, alert(2))
        await store.record_alert(slack, alert(3))
        metrics = DeliveryMetrics.create(CollectorRegistry())
        async with httpx.AsyncClient() as client:
            deliverer = Deliverer(store, client, metrics, FAST, consumer="t1")

            async def finished() -> bool:
                return await store.webhooks_outstanding() == 0

            await deliver_until(deliverer, finished)
        dead = await redis.xrange(store.keys.webhook_deadletter)
        await redis.aclose()
        return good, slack, bad, dead, metrics

    with (
        webhook_receiver(200) as ok,
        webhook_receiver(500) as failing,
        webhook_receiver(200, hang_s=3.0) as hanging,
    ):
        started = time.monotonic()
        good, slack, bad, dead, metrics = asyncio.run(scenario(ok.url, failing.url, hanging.url))
        elapsed = time.monotonic() - started
    by_id = {h["webhook-id"]: (h, body) for h, body in ok.received}
    headers, body = by_id["alrt_2"]
    assert verify(good.webhook_secret, headers, body), "the spec's algorithm verifies it"
    assert json.loads(body)["data"]["alert_id"] == "alrt_2"
    slack_headers, slack_body = by_id["alrt_3"]
    assert verify(slack.webhook_secret, slack_headers, slack_body)
    assert json.loads(slack_body)["text"] == "&lt;b&gt;signal 3&lt;/b&gt;"
    assert len(failing.received) == FAST.max_attempts, "tried, retried, then gave up"
    assert {h["webhook-id"] for h, _ in failing.received} == {"alrt_1"}
    assert len(dead) >= 1
    reasons = {json.loads(f[b"alert"])["alert_id"]: f[b"reason"].decode() for _, f in dead}
    assert reasons["alrt_1"] == "http_5xx"
    assert reasons.get("alrt_9") == "timeout", "the hanging receiver times out, then dead-letters"
    assert metrics.delivered._value.get() == 2
    assert max(ok.times) - started < FAST.timeout_seconds, "a hanging receiver delays nobody"
    print(f"delivered 2, dead-lettered {len(dead)}, in {elapsed:.1f}s")
