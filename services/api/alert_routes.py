"""API keys, subscriptions and the alert feed (JSON and Server-Sent Events).

Every route here needs a key (``X-API-Key: ...`` or ``Authorization: Bearer ...``). The admin
key (``NEWSMON_ADMIN_API_KEY``) issues owner keys; an owner sees and changes only its own
subscriptions and alerts. Webhook URLs pass the SSRF guard before they are stored.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from newsmon.alerts.subscriptions import (
    Subscription,
    SubscriptionIn,
    new_subscription_id,
    new_webhook_secret,
)
from newsmon.alerts.webhooks import UnsafeWebhookUrl, check_url
from newsmon.core.alert_store import AlertStore
from pydantic import BaseModel, Field, ValidationError
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sse_starlette.sse import EventSourceResponse

log = logging.getLogger(__name__)

ADMIN = "admin"
SESSION_COOKIE = "newsmon_key"
SSE_BLOCK_MS = 5000
SSE_PING_S = 15
SSE_RETRY_AFTER_REDIS_ERROR_S = 1.0


def sse_block_ms(redis: Redis) -> int:
    """How long one read of the alert feed waits in Redis for a new alert.

    The wait must end well inside the client's socket timeout: a blocking XREAD that outlasts
    it raises TimeoutError, so every quiet spell would drop the stream (it did: the API's
    5 s socket timeout against a 5 s block)."""
    timeout_s = redis.connection_pool.connection_kwargs.get("socket_timeout")
    if not timeout_s:
        return SSE_BLOCK_MS
    return max(1, min(SSE_BLOCK_MS, int(timeout_s * 1000 / 2)))


@dataclass(frozen=True)
class WebhookPolicy:
    allow_http: bool = False
    allow_private: bool = False


class SessionRequest(BaseModel):
    key: str = Field(min_length=8, max_length=300)


class KeyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="who the key is for")


def presented_key(x_api_key: str | None, authorization: str | None) -> str | None:
    """The key from ``X-API-Key`` or ``Authorization: Bearer``."""
    if x_api_key:
        return x_api_key.strip()
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


async def identify(alerts: AlertStore, admin_key: str, key: str) -> str | None:
    """``ADMIN`` for the admin key, the key id of a valid owner key, else None."""
    if admin_key and hmac.compare_digest(key.encode(), admin_key.encode()):
        return ADMIN
    return await alerts.authenticate(key)


def build_alert_router(alerts: AlertStore, admin_key: str, policy: WebhookPolicy) -> APIRouter:
    router = APIRouter(tags=["alerts"])

    async def owner(
        request: Request,
        x_api_key: str | None = Header(default=None),
        authorization: str | None = Header(default=None),
    ) -> str:
        key = presented_key(x_api_key, authorization) or request.cookies.get(SESSION_COOKIE)
        if not key:
            raise HTTPException(401, "an API key is required (X-API-Key header)")
        who = await identify(alerts, admin_key, key)
        if who is None:
            raise HTTPException(401, "unknown API key")
        return who

    async def admin(who: str = Depends(owner)) -> str:
        if who != ADMIN:
            raise HTTPException(403, "this needs the admin key")
        return who

    async def own_subscription(subscription_id: str, who: str) -> Subscription:
        found = await alerts.get_subscription(subscription_id)
        if found is None or (who != ADMIN and found.owner != who):
            raise HTTPException(404, f"no subscription {subscription_id}")
        return found

    def checked_webhook(body: SubscriptionIn) -> None:
        if body.webhook is None:
            return
        try:
            check_url(body.webhook.url, policy.allow_private, policy.allow_http)
        except UnsafeWebhookUrl as exc:
            raise HTTPException(422, f"webhook refused: {exc}") from exc

    @router.post("/api/session", status_code=204)
    async def open_session(body: SessionRequest) -> Response:
        """Trade a key for an HttpOnly, SameSite=Strict cookie, so the dashboard's
        EventSource (which cannot send headers) can follow the alert stream."""
        if await identify(alerts, admin_key, body.key) is None:
            raise HTTPException(401, "unknown API key")
        response = Response(status_code=204)
        response.set_cookie(
            SESSION_COOKIE,
            body.key,
            httponly=True,
            samesite="strict",
            path="/api",
            max_age=12 * 3600,
        )
        return response

    @router.delete("/api/session", status_code=204)
    async def close_session() -> Response:
        response = Response(status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/api")
        return response

    @router.post("/api/keys", status_code=201)
    async def create_key(body: KeyRequest, _: str = Depends(admin)) -> dict:
        """Issue an owner key (admin only). The key is shown once; only its hash is stored."""
        issued = await alerts.create_api_key(body.name)
        return {"key_id": issued.key_id, "key": issued.key, "name": body.name}

    @router.post("/api/subscriptions", status_code=201)
    async def create_subscription(body: SubscriptionIn, who: str = Depends(owner)) -> dict:
        """Create a subscription; a webhook's signing secret is returned once, here."""
        checked_webhook(body)
        now = time.time()
        subscription = Subscription(
            **body.model_dump(),
            id=new_subscription_id(),
            owner=who,
            webhook_secret=new_webhook_secret() if body.webhook else None,
            created_at=now,
            updated_at=now,
        )
        await alerts.save_subscription(subscription)
        return {**subscription.public(), "webhook_secret": subscription.webhook_secret}

    @router.get("/api/subscriptions")
    async def list_subscriptions(who: str = Depends(owner)) -> dict:
        found = await alerts.subscriptions(None if who == ADMIN else who)
        return {"subscriptions": [s.public() for s in found]}

    @router.get("/api/subscriptions/{subscription_id}")
    async def get_subscription(subscription_id: str, who: str = Depends(owner)) -> dict:
        return (await own_subscription(subscription_id, who)).public()

    @router.patch("/api/subscriptions/{subscription_id}")
    async def update_subscription(
        subscription_id: str, request: Request, who: str = Depends(owner)
    ) -> dict:
        """Change some fields; the rest stay. Adding a webhook issues its secret."""
        current = await own_subscription(subscription_id, who)
        changes: Any = await request.json()
        if not isinstance(changes, dict):
            raise HTTPException(422, "send a JSON object of fields to change")
        merged = {**current.model_dump(include=set(SubscriptionIn.model_fields)), **changes}
        try:
            body = SubscriptionIn.model_validate(merged)
        except ValidationError as exc:
            raise HTTPException(422, exc.errors(include_url=False)) from exc
        checked_webhook(body)
        secret = current.webhook_secret or (new_webhook_secret() if body.webhook else None)
        updated = Subscription(
            **body.model_dump(),
            id=current.id,
            owner=current.owner,
            webhook_secret=secret if body.webhook else None,
            created_at=current.created_at,
            updated_at=time.time(),
        )
        await alerts.save_subscription(updated)
        issued = {"webhook_secret": secret} if body.webhook and not current.webhook_secret else {}
        return {**updated.public(), **issued}

    @router.delete("/api/subscriptions/{subscription_id}", status_code=204)
    async def delete_subscription(subscription_id: str, who: str = Depends(owner)) -> Response:
        await alerts.delete_subscription(await own_subscription(subscription_id, who))
        return Response(status_code=204)

    @router.get("/api/alerts")
    async def list_alerts(
        after: str = Query(default="0-0", description="stream id to read after"),
        limit: int = Query(default=100, ge=1, le=1000),
        who: str = Depends(owner),
    ) -> JSONResponse:
        entries = await alerts.read_alerts(who, after=after, count=limit)
        return JSONResponse({"alerts": [{"id": i, **a} for i, a in entries]})

    @router.get("/api/alerts/stream")
    async def alert_stream(
        request: Request,
        last_event_id: str | None = Header(default=None),
        after: str | None = Query(default=None, description="same as Last-Event-ID"),
        who: str = Depends(owner),
    ) -> EventSourceResponse:
        """Server-Sent Events of the key's alerts. Each event's id is its stream id, so a
        client that reconnects with ``Last-Event-ID`` gets everything it missed, in order."""
        start = last_event_id or after or "$"
        if start != "$" and not _valid_stream_id(start):
            raise HTTPException(422, "Last-Event-ID must be a stream id such as 1700000000000-0")

        block_ms = sse_block_ms(alerts.redis)

        async def events():  # noqa: ANN202
            position = start
            if position == "$":
                latest = await alerts.redis.xrevrange(alerts.keys.owner_alerts(who), count=1)
                position = latest[0][0].decode() if latest else "0-0"
            while not await request.is_disconnected():
                try:
                    entries = await alerts.read_alerts(
                        who, after=position, count=100, block_ms=block_ms
                    )
                except (RedisConnectionError, RedisTimeoutError) as exc:
                    # Keep the stream and its position: a Redis blip must not cost every
                    # follower a reconnect (or, in a browser refused on reconnect, the feed).
                    log.warning("alert stream: Redis read failed (%s); retrying", exc)
                    await asyncio.sleep(SSE_RETRY_AFTER_REDIS_ERROR_S)
                    continue
                for entry_id, alert in entries:
                    position = entry_id
                    yield {
                        "id": entry_id,
                        "event": "alert",
                        "data": json.dumps(alert, ensure_ascii=False),
                    }
                await asyncio.sleep(0)

        return EventSourceResponse(events(), ping=SSE_PING_S)

    return router


def _valid_stream_id(value: str) -> bool:
    left, _, right = value.partition("-")
    return left.isdigit() and (right == "" or right.isdigit())
