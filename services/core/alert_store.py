"""Redis storage for API keys, subscriptions, alerts and webhook deliveries.

The key patterns are ``store.Keys``'s (one module owns every key). Recording an alert is one
Lua script: the idempotency mark, the hourly rate cap, the owner's alert stream and the webhook
queue change together or not at all, so a redelivered signal never alerts twice.
"""

from __future__ import annotations

import json
import time

from newsmon.alerts.apikeys import IssuedKey, issue_key, key_id_of, matches
from newsmon.alerts.subscriptions import Subscription
from newsmon.core.store import Keys
from redis.asyncio import Redis

ALERTS_KEPT = 10_000
MARK_TTL_S = 30 * 24 * 3600

# KEYS: mark, rate, owner stream, webhook queue, stats.
# ARGV: alert json, mark ttl, rate cap, kept, with webhook (0/1), alert id, subscription id.
_RECORD_ALERT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) == false then return 'duplicate' end
local sent = redis.call('INCR', KEYS[2])
if sent == 1 then redis.call('EXPIRE', KEYS[2], 7200) end
if sent > tonumber(ARGV[3]) then
  redis.call('HINCRBY', KEYS[5], 'alerts_rate_limited', 1)
  return 'rate_limited'
end
local entry = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'alert', ARGV[1])
if ARGV[5] == '1' then
  redis.call('XADD', KEYS[4], '*', 'alert_id', ARGV[6], 'subscription_id', ARGV[7],
             'attempt', '0', 'alert', ARGV[1])
end
redis.call('HINCRBY', KEYS[5], 'alerts', 1)
return entry
"""


class AlertStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._record = redis.register_script(_RECORD_ALERT)

    async def create_api_key(self, name: str) -> IssuedKey:
        issued = issue_key()
        await self.redis.hset(
            self.keys.api_key(issued.key_id),
            mapping={"digest": issued.digest, "name": name, "created_at": time.time()},
        )
        return issued

    async def authenticate(self, key: str) -> str | None:
        """The key id of a valid key, else None."""
        key_id = key_id_of(key)
        if key_id is None:
            return None
        digest = await self.redis.hget(self.keys.api_key(key_id), "digest")
        if digest is None or not matches(key, digest.decode()):
            return None
        return key_id

    async def save_subscription(self, subscription: Subscription) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self.keys.subscription(subscription.id), subscription.model_dump_json())
        pipe.sadd(self.keys.subscriptions, subscription.id)
        pipe.sadd(self.keys.owner_subscriptions(subscription.owner), subscription.id)
        await pipe.execute()

    async def get_subscription(self, subscription_id: str) -> Subscription | None:
        raw = await self.redis.get(self.keys.subscription(subscription_id))
        return Subscription.model_validate_json(raw) if raw else None

    async def delete_subscription(self, subscription: Subscription) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self.keys.subscription(subscription.id))
        pipe.srem(self.keys.subscriptions, subscription.id)
        pipe.srem(self.keys.owner_subscriptions(subscription.owner), subscription.id)
        pipe.delete(self.keys.last_alerted(subscription.id))
        await pipe.execute()

    async def subscriptions(self, owner: str | None = None) -> list[Subscription]:
        index = self.keys.owner_subscriptions(owner) if owner else self.keys.subscriptions
        ids = sorted(i.decode() for i in await self.redis.smembers(index))
        if not ids:
            return []
        raws = await self.redis.mget([self.keys.subscription(i) for i in ids])
        return [Subscription.model_validate_json(r) for r in raws if r]

    async def last_alerted(self, subscription_id: str, signal_id: str) -> dict | None:
        raw = await self.redis.hget(self.keys.last_alerted(subscription_id), signal_id)
        return json.loads(raw) if raw else None

    async def record_alert(
        self, subscription: Subscription, alert: dict, now: float | None = None
    ) -> str:
        """'duplicate', 'rate_limited', or the owner's stream entry id of the new alert."""
        hour = int((time.time() if now is None else now) // 3600)
        keys = [
            self.keys.alerted(alert["alert_id"]),
            self.keys.alert_rate(subscription.id, hour),
            self.keys.owner_alerts(subscription.owner),
            self.keys.webhook_queue,
            self.keys.stats,
        ]
        args = [
            json.dumps(alert, sort_keys=True),
            MARK_TTL_S,
            subscription.max_alerts_per_hour,
            ALERTS_KEPT,
            1 if subscription.webhook else 0,
            alert["alert_id"],
            subscription.id,
        ]
        result = await self._record(keys=keys, args=args)
        outcome = result.decode() if isinstance(result, bytes) else str(result)
        if outcome not in ("duplicate", "rate_limited") and alert["kind"] == "signal":
            details = alert["details"]
            await self.redis.hset(
                self.keys.last_alerted(subscription.id),
                alert["subject_id"],
                json.dumps(
                    {
                        "version": alert["subject_version"],
                        "direction": details["direction"],
                        "magnitude": details["magnitude"],
                    }
                ),
            )
        return outcome

    async def webhooks_outstanding(self, group: str = "deliver") -> int:
        """Deliveries not finished yet: unread or unacknowledged in the queue, or waiting
        for a retry (what ``newsmon demo --once`` waits for before it reports)."""
        queue = self.keys.webhook_queue
        retries = await self.redis.zcard(self.keys.webhook_retry)
        if not await self.redis.exists(queue):
            return retries
        groups = {g["name"].decode(): g for g in await self.redis.xinfo_groups(queue)}
        if group not in groups:
            return retries + await self.redis.xlen(queue)
        info = groups[group]
        lag = info.get("lag")
        unread = int(lag) if lag is not None else await self.redis.xlen(queue)
        return retries + int(info["pending"]) + unread

    async def read_alerts(
        self, owner: str, after: str = "0-0", count: int = 100, block_ms: int | None = None
    ) -> list[tuple[str, dict]]:
        """Alerts after a stream id, oldest first (block up to ``block_ms`` for new ones)."""
        stream = self.keys.owner_alerts(owner)
        found = await self.redis.xread({stream: after}, count=count, block=block_ms)
        out = []
        for _, entries in found or []:
            for entry_id, fields in entries:
                out.append((entry_id.decode(), json.loads(fields[b"alert"])))
        return out
