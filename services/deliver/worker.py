"""The webhook delivery worker (``newsmon deliver``), apart from the stream.

It reads the webhook queue (a Redis Stream, consumer group ``deliver``) and posts each alert,
signed per Standard Webhooks, with httpx. Requests run concurrently under a cap, each with a
timeout, so one receiver that hangs or fails delays nobody else. A failed try is scheduled
again with exponential backoff (``backoff * 2 ** attempt``); after the last try the delivery
goes to the dead-letter stream with its reason. The queue entry is acknowledged only once its
outcome (delivered, rescheduled or dead-lettered) is recorded; entries left pending by a crashed
worker are claimed again after ``CLAIM_IDLE_MS``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from dataclasses import dataclass

import httpx
from newsmon.alerts.subscriptions import Subscription
from newsmon.alerts.webhooks import UnsafeWebhookUrl, check_url, signed_headers, webhook_body
from newsmon.core.alert_store import AlertStore
from newsmon.core.metrics import DeliveryMetrics
from redis.asyncio import Redis
from redis.exceptions import ResponseError

log = logging.getLogger(__name__)

GROUP = "deliver"
CLAIM_IDLE_MS = 30_000
READ_BLOCK_MS = 1000


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 6
    backoff_seconds: float = 1.0
    timeout_seconds: float = 5.0
    concurrency: int = 8
    allow_http: bool = False
    allow_private: bool = False


def backoff_delay(attempt: int, base: float) -> float:
    """Seconds before try ``attempt + 1`` (attempt counts from 0)."""
    return base * 2**attempt


def failure_reason(status: int | None, error: Exception | None) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timeout"
    if isinstance(error, UnsafeWebhookUrl):
        return "unsafe_url"
    if error is not None:
        return "connection"
    assert status is not None
    return f"http_{status // 100}xx"


class Deliverer:
    def __init__(
        self,
        alerts: AlertStore,
        client: httpx.AsyncClient,
        metrics: DeliveryMetrics,
        policy: DeliveryPolicy,
        consumer: str | None = None,
    ) -> None:
        self.alerts = alerts
        self.redis: Redis = alerts.redis
        self.keys = alerts.keys
        self.client = client
        self.metrics = metrics
        self.policy = policy
        self.consumer = consumer or f"{socket.gethostname()}-{id(self)}"
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._tasks: set[asyncio.Task] = set()

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.keys.webhook_queue, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def requeue_due(self, now: float | None = None) -> int:
        """Move retries whose time has come back onto the queue (each exactly once)."""
        now = time.time() if now is None else now
        due = await self.redis.zrangebyscore(self.keys.webhook_retry, "-inf", now, start=0, num=100)
        moved = 0
        for member in due:
            if await self.redis.zrem(self.keys.webhook_retry, member):
                fields = json.loads(member)
                await self.redis.xadd(self.keys.webhook_queue, fields)
                moved += 1
        return moved

    async def run_once(self) -> int:
        """One round: requeue due retries, claim stale entries, read and dispatch new ones."""
        await self.requeue_due()
        claimed = await self.redis.xautoclaim(
            self.keys.webhook_queue, GROUP, self.consumer, CLAIM_IDLE_MS, start_id="0-0", count=50
        )
        entries = list(claimed[1]) if claimed else []
        read = await self.redis.xreadgroup(
            GROUP, self.consumer, {self.keys.webhook_queue: ">"}, count=50, block=READ_BLOCK_MS
        )
        for _, stream_entries in read or []:
            entries.extend(stream_entries)
        for entry_id, fields in entries:
            await self._slots.acquire()
            task = asyncio.create_task(self._deliver_and_release(entry_id, fields))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(entries)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _deliver_and_release(self, entry_id: bytes, fields: dict) -> None:
        try:
            await self.deliver(entry_id, {k.decode(): v.decode() for k, v in fields.items()})
        except Exception:  # noqa: BLE001 - one bad entry must not kill the worker
            log.exception("delivery of %s crashed; it stays pending and will be claimed", entry_id)
        finally:
            self._slots.release()

    async def deliver(self, entry_id: bytes, fields: dict[str, str]) -> str:
        alert = json.loads(fields["alert"])
        attempt = int(fields.get("attempt", "0"))
        subscription = await self.alerts.get_subscription(fields["subscription_id"])
        if subscription is None or subscription.webhook is None:
            await self.redis.xack(self.keys.webhook_queue, GROUP, entry_id)
            return "dropped"
        status, error = await self._post(subscription, alert)
        if error is None and status is not None and 200 <= status < 300:
            self.metrics.delivered.inc()
            outcome = "delivered"
        else:
            reason = failure_reason(status, error)
            self.metrics.failed.labels(reason).inc()
            outcome = await self._after_failure(fields, attempt, reason)
        await self.redis.xack(self.keys.webhook_queue, GROUP, entry_id)
        return outcome

    async def _post(
        self, subscription: Subscription, alert: dict
    ) -> tuple[int | None, Exception | None]:
        assert subscription.webhook is not None and subscription.webhook_secret is not None
        url = subscription.webhook.url
        try:
            check_url(url, self.policy.allow_private, self.policy.allow_http)
        except UnsafeWebhookUrl as exc:
            return None, exc
        body = webhook_body(alert, subscription.webhook.format)
        headers = signed_headers(subscription.webhook_secret, alert["alert_id"], body)
        started = time.perf_counter()
        try:
            response = await self.client.post(
                url, content=body, headers=headers, timeout=self.policy.timeout_seconds
            )
        except httpx.HTTPError as exc:
            return None, exc
        finally:
            self.metrics.duration.observe(time.perf_counter() - started)
        return response.status_code, None

    async def _after_failure(self, fields: dict[str, str], attempt: int, reason: str) -> str:
        if attempt + 1 >= self.policy.max_attempts or reason == "unsafe_url":
            await self.redis.xadd(
                self.keys.webhook_deadletter,
                {
                    **fields,
                    "attempts": str(attempt + 1),
                    "reason": reason,
                    "failed_at": str(time.time()),
                },
                maxlen=10_000,
                approximate=True,
            )
            self.metrics.deadlettered.inc()
            return "deadlettered"
        retry = {**fields, "attempt": str(attempt + 1), "last_reason": reason}
        when = time.time() + backoff_delay(attempt, self.policy.backoff_seconds)
        await self.redis.zadd(self.keys.webhook_retry, {json.dumps(retry, sort_keys=True): when})
        self.metrics.retries.inc()
        return "retry"


async def run_deliverer(deliverer: Deliverer, stop: asyncio.Event) -> None:
    await deliverer.ensure_group()
    while not stop.is_set():
        await deliverer.run_once()
    await deliverer.drain()


def run_delivery_process(
    redis_url: str, key_prefix: str, policy: DeliveryPolicy, metrics_host: str, metrics_port: int
) -> None:
    """Entry point of ``newsmon deliver``: metrics server, then the loop until SIGTERM/SIGINT.

    Redis being down stalls the loop with backoff; nothing is acknowledged meanwhile.
    """
    import signal

    from newsmon.core.store import Keys
    from prometheus_client import start_http_server
    from redis.exceptions import ConnectionError as RedisConnectionError

    if metrics_port:
        start_http_server(metrics_port, addr=metrics_host)
    metrics = DeliveryMetrics.create()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        redis = Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
        async with httpx.AsyncClient(follow_redirects=False) as client:
            deliverer = Deliverer(AlertStore(redis, Keys(key_prefix)), client, metrics, policy)
            delay = 0.5
            while not stop.is_set():
                try:
                    await run_deliverer(deliverer, stop)
                except (RedisConnectionError, OSError) as exc:
                    log.warning("Redis unavailable (%s); retrying in %.1fs", exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 10.0)
        await redis.aclose()

    asyncio.run(main())
