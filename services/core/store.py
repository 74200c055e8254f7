"""Every Redis key newsmon writes or reads, and the writes themselves.

One module owns the key patterns so the worker, the API, the demo and the tests agree on them.
Writes are idempotent: an article is stored by a Lua script that does nothing if the article
is already there, so a redelivered Kafka record (after a crash, a rebalance, a replay) changes
nothing visible: no second counter increment, no second stream entry.

Keys (``{p}`` is the configured prefix):

==============================  ======  ==================================================
``{p}:article:{id}``            string  enriched article as JSON, expires after the TTL
``{p}:articles:latest``         zset    article id -> enriched time (newest kept)
``{p}:topic:{name}:articles``   zset    article id -> enriched time, per top topic
``{p}:topics:minute:{minute}``  hash    topic -> articles that minute (UTC ``YYYYmmddHHMM``)
``{p}:stream:enriched``         stream  capped stream of enriched articles
``{p}:deadletter:{key}``        string  dead letter as JSON, expires after the TTL
``{p}:stream:deadletter``       stream  capped stream of dead letters
``{p}:event:{id}``              string  dyadic event as JSON, expires after the TTL
``{p}:events:all``              zset    event id -> event time (newest kept)
``{p}:events:actor:{code}``     zset    event id -> event time, as actor or recipient
``{p}:events:pair:{a}:{b}``     zset    event id -> event time, a acting on b
``{p}:stream:events``           stream  capped stream of recent dyadic events
``{p}:signals:active``           hash    signal id -> latest version as JSON, while active
``{p}:signal:{id}``              string  latest version of a signal (active or cleared)
``{p}:signals:history``          zset    "id:version" -> updated time, every version sent
``{p}:signal:{id}:v{n}``         string  one version of a signal as JSON
``{p}:pairs``                    zset    "A|B" -> last event time: every pair tracked
``{p}:pair:{a}:{b}:index``       zset    index points as JSON -> event time (charts)
``{p}:apikey:{id}``              hash    SHA-256 of an API key, its name, created time
``{p}:sub:{id}``                 string  a subscription as JSON
``{p}:subs``                     set     every subscription id
``{p}:owner:{key id}:subs``      set     the subscriptions of one API key
``{p}:alerted:{alert id}``       string  marks an alert as handled (idempotency)
``{p}:alerted:last:{sub}``       hash    signal id -> last alerted version (material changes)
``{p}:alertrate:{sub}:{hour}``   string  alerts sent this hour (rate cap)
``{p}:alerts:owner:{key id}``    stream  an owner's alerts, read by SSE with Last-Event-ID
``{p}:webhooks:queue``           stream  webhook deliveries to make (consumer group)
``{p}:webhooks:retry``           zset    delivery JSON -> when to try again
``{p}:webhooks:deadletter``      stream  deliveries that failed their last try
``{p}:ratelimit:{ip}:{minute}`` string  pushes by one client this minute (POST /articles)
``{p}:health:lag``               hash    topic -> consumer lag (records), written by workers
``{p}:stats``                   hash    processed, handled, events, deadlettered[:{reason}],
                                        events_routed, fanout_sent, fanout_handled, signals
==============================  ======  ==================================================
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from newsmon.core.records import AllianceSignal, DeadLetter, DyadicEvent, EnrichedArticle
from redis.asyncio import Redis

LATEST_KEPT = 1000
MINUTE_BUCKET_TTL_SECONDS = 3 * 24 * 3600

# KEYS: article, latest, stream, stats, minute bucket, then one zset per top topic.
# ARGV: article json, ttl, id, enriched_at, stream maxlen, latest kept, bucket ttl, topics...
_STORE_ARTICLE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[6]) - 1)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[3], 'article', ARGV[1])
redis.call('HINCRBY', KEYS[4], 'processed', 1)
for i = 8, #ARGV do
  redis.call('HINCRBY', KEYS[5], ARGV[i], 1)
  redis.call('ZADD', KEYS[i - 2], ARGV[4], ARGV[3])
  redis.call('ZREMRANGEBYRANK', KEYS[i - 2], 0, -tonumber(ARGV[6]) - 1)
end
redis.call('EXPIRE', KEYS[5], ARGV[7])
return 1
"""

# KEYS: dead letter, stream, stats. ARGV: json, ttl, maxlen, reason.
_STORE_DEADLETTER = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
           'record_key', ARGV[5], 'deadletter', ARGV[1])
redis.call('HINCRBY', KEYS[3], 'deadlettered', 1)
redis.call('HINCRBY', KEYS[3], 'deadlettered:' .. ARGV[4], 1)
return 1
"""


# KEYS: event, all, stream, stats, then the actor and pair indexes.
# ARGV: event json, ttl, id, event time, stream maxlen, kept per index.
_STORE_EVENT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[3], 'event', ARGV[1])
redis.call('HINCRBY', KEYS[4], 'events', 1)
for i = 2, #KEYS do
  if i ~= 3 and i ~= 4 then
    redis.call('ZADD', KEYS[i], ARGV[4], ARGV[3])
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -tonumber(ARGV[6]) - 1)
  end
end
return 1
"""

EVENTS_KEPT_PER_INDEX = 5000
INDEX_POINTS_KEPT = 2000

# KEYS: latest, active, history, version, stats. ARGV: json, id, version, updated, status, ttl.
_STORE_SIGNAL = """
local current = redis.call('GET', KEYS[1])
if current then
  local version = tonumber(cjson.decode(current)['version'])
  if version >= tonumber(ARGV[3]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2] .. ':' .. ARGV[3])
if ARGV[5] == 'active' then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
else
  redis.call('HDEL', KEYS[2], ARGV[2])
end
redis.call('HINCRBY', KEYS[5], 'signals', 1)
return 1
"""


def minute_bucket(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y%m%d%H%M")


@dataclass(frozen=True)
class Keys:
    """The key patterns, with a deployment's prefix (tests use a uuid prefix)."""

    prefix: str = "newsmon"

    def article(self, article_id: str) -> str:
        return f"{self.prefix}:article:{article_id}"

    @property
    def latest(self) -> str:
        return f"{self.prefix}:articles:latest"

    def topic_articles(self, topic: str) -> str:
        return f"{self.prefix}:topic:{topic}:articles"

    def topic_minute(self, bucket: str) -> str:
        return f"{self.prefix}:topics:minute:{bucket}"

    @property
    def enriched_stream(self) -> str:
        return f"{self.prefix}:stream:enriched"

    def article_published(self, article_id: str) -> str:
        return f"{self.prefix}:article:{article_id}:published"

    def deadletter(self, record_key: str) -> str:
        return f"{self.prefix}:deadletter:{record_key}"

    @property
    def deadletter_stream(self) -> str:
        return f"{self.prefix}:stream:deadletter"

    def event(self, event_id: str) -> str:
        return f"{self.prefix}:event:{event_id}"

    @property
    def all_events(self) -> str:
        return f"{self.prefix}:events:all"

    def actor_events(self, code: str) -> str:
        return f"{self.prefix}:events:actor:{code}"

    def pair_events(self, actor: str, recipient: str) -> str:
        return f"{self.prefix}:events:pair:{actor}:{recipient}"

    @property
    def events_stream(self) -> str:
        return f"{self.prefix}:stream:events"

    @property
    def active_signals(self) -> str:
        return f"{self.prefix}:signals:active"

    def signal(self, signal_id: str) -> str:
        return f"{self.prefix}:signal:{signal_id}"

    def signal_version(self, signal_id: str, version: int) -> str:
        return f"{self.prefix}:signal:{signal_id}:v{version}"

    @property
    def signal_history(self) -> str:
        return f"{self.prefix}:signals:history"

    @property
    def pairs(self) -> str:
        return f"{self.prefix}:pairs"

    def pair_index(self, a: str, b: str) -> str:
        return f"{self.prefix}:pair:{a}:{b}:index"

    def api_key(self, key_id: str) -> str:
        return f"{self.prefix}:apikey:{key_id}"

    def subscription(self, subscription_id: str) -> str:
        return f"{self.prefix}:sub:{subscription_id}"

    @property
    def subscriptions(self) -> str:
        return f"{self.prefix}:subs"

    def owner_subscriptions(self, key_id: str) -> str:
        return f"{self.prefix}:owner:{key_id}:subs"

    def alerted(self, alert_id: str) -> str:
        return f"{self.prefix}:alerted:{alert_id}"

    def last_alerted(self, subscription_id: str) -> str:
        return f"{self.prefix}:alerted:last:{subscription_id}"

    def alert_rate(self, subscription_id: str, hour: int) -> str:
        return f"{self.prefix}:alertrate:{subscription_id}:{hour}"

    def owner_alerts(self, key_id: str) -> str:
        return f"{self.prefix}:alerts:owner:{key_id}"

    @property
    def webhook_queue(self) -> str:
        return f"{self.prefix}:webhooks:queue"

    @property
    def webhook_retry(self) -> str:
        return f"{self.prefix}:webhooks:retry"

    @property
    def webhook_deadletter(self) -> str:
        return f"{self.prefix}:webhooks:deadletter"

    def push_rate(self, client: str, minute: int) -> str:
        return f"{self.prefix}:ratelimit:{client}:{minute}"

    @property
    def lag(self) -> str:
        return f"{self.prefix}:health:lag"

    @property
    def stats(self) -> str:
        return f"{self.prefix}:stats"


class ArticleStore:
    """Reads and idempotent writes of newsmon's results; the Redis client is passed in."""

    def __init__(
        self, redis: Redis, keys: Keys, ttl_seconds: int, stream_maxlen: int = 10_000
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl_seconds = ttl_seconds
        self.stream_maxlen = stream_maxlen
        self._store_article = redis.register_script(_STORE_ARTICLE)
        self._store_deadletter = redis.register_script(_STORE_DEADLETTER)
        self._store_event = redis.register_script(_STORE_EVENT)
        self._store_signal = redis.register_script(_STORE_SIGNAL)

    async def store_article(self, article: EnrichedArticle) -> bool:
        """Store an enriched article; False if it was already stored (a redelivery)."""
        keys = [
            self.keys.article(article.id),
            self.keys.latest,
            self.keys.enriched_stream,
            self.keys.stats,
            self.keys.topic_minute(minute_bucket(article.enriched_at)),
            *(self.keys.topic_articles(t) for t in article.top_topics),
        ]
        args = [
            article.model_dump_json(),
            self.ttl_seconds,
            article.id,
            article.enriched_at,
            self.stream_maxlen,
            LATEST_KEPT,
            MINUTE_BUCKET_TTL_SECONDS,
            *article.top_topics,
        ]
        return bool(await self._store_article(keys=keys, args=args))

    async def store_deadletter(self, letter: DeadLetter) -> bool:
        keys = [
            self.keys.deadletter(letter.record_key),
            self.keys.deadletter_stream,
            self.keys.stats,
        ]
        args = [
            letter.model_dump_json(),
            self.ttl_seconds,
            self.stream_maxlen,
            letter.reason,
            letter.record_key,
        ]
        return bool(await self._store_deadletter(keys=keys, args=args))

    async def store_event(self, event: DyadicEvent) -> bool:
        """Store one dyadic event and index it by actor and by (actor, recipient) pair."""
        keys, args = self._event_keys_and_args(event)
        return bool(await self._store_event(keys=keys, args=args))

    async def store_events(self, events: Sequence[DyadicEvent]) -> None:
        """``store_event`` for each of an article's events, in one pipeline: two round trips
        (the script's presence, then the calls) instead of one per event."""
        if not events:
            return
        pipe = self.redis.pipeline(transaction=False)
        for event in events:
            keys, args = self._event_keys_and_args(event)
            await self._store_event(keys=keys, args=args, client=pipe)
        await pipe.execute()

    def _event_keys_and_args(self, event: DyadicEvent) -> tuple[list[str], list]:
        actors = sorted({a.code for a in event.actors})
        recipients = sorted({r.code for r in event.recipients})
        indexes = [self.keys.actor_events(c) for c in sorted(set(actors) | set(recipients))]
        indexes += [self.keys.pair_events(a, r) for a in actors for r in recipients if a != r]
        keys = [
            self.keys.event(event.event_id),
            self.keys.all_events,
            self.keys.events_stream,
            self.keys.stats,
            *indexes,
        ]
        args = [
            event.model_dump_json(),
            self.ttl_seconds,
            event.event_id,
            event.event_time,
            self.stream_maxlen,
            EVENTS_KEPT_PER_INDEX,
        ]
        return keys, args

    async def events_by_id(self, event_ids: list[str]) -> list[dict]:
        if not event_ids:
            return []
        raws = await self.redis.mget([self.keys.event(i) for i in event_ids])
        return [json.loads(r) for r in raws if r]

    async def events(
        self,
        actor: str | None = None,
        pair: tuple[str, str] | None = None,
        event_type: str | None = None,
        since: float | None = None,
        limit: int = 50,
    ) -> list[dict]:
        """Newest events first, from the narrowest index the filters allow."""
        if pair:
            index = self.keys.pair_events(*pair)
        elif actor:
            index = self.keys.actor_events(actor)
        else:
            index = self.keys.all_events
        found: list[dict] = []
        start, page = 0, max(limit, 50)
        while len(found) < limit:
            ids = await self.redis.zrevrangebyscore(
                index, "+inf", since if since is not None else "-inf", start=start, num=page
            )
            if not ids:
                break
            start += len(ids)
            raws = await self.redis.mget([self.keys.event(i.decode()) for i in ids])
            for raw in raws:
                if raw is None:
                    continue
                event = json.loads(raw)
                if event_type is None or event["event_type"] == event_type:
                    found.append(event)
        return found[:limit]

    async def store_signal(self, signal: AllianceSignal) -> bool:
        """Store one signal version; False if this or a later version is already stored."""
        keys = [
            self.keys.signal(signal.signal_id),
            self.keys.active_signals,
            self.keys.signal_history,
            self.keys.signal_version(signal.signal_id, signal.version),
            self.keys.stats,
        ]
        args = [
            signal.model_dump_json(),
            signal.signal_id,
            signal.version,
            signal.updated_at,
            signal.status,
            self.ttl_seconds,
        ]
        return bool(await self._store_signal(keys=keys, args=args))

    async def store_index_point(
        self, a: str, b: str, at: float, short: float, baseline: float, z: float, events: int
    ) -> None:
        """One point of a pair's index series (idempotent: the point is its own member)."""
        point = json.dumps(
            {
                "t": at,
                "index": round(short, 3),
                "baseline": round(baseline, 3),
                "z": round(z, 3),
                "events": events,
            },
            sort_keys=True,
        )
        pipe = self.redis.pipeline(transaction=True)
        pipe.zadd(self.keys.pair_index(a, b), {point: at})
        pipe.zremrangebyrank(self.keys.pair_index(a, b), 0, -INDEX_POINTS_KEPT - 1)
        pipe.zadd(self.keys.pairs, {f"{a}|{b}": at})
        await pipe.execute()

    async def pair_series(self, a: str, b: str, limit: int = 500) -> list[dict]:
        points = await self.redis.zrange(self.keys.pair_index(a, b), -limit, -1)
        return [json.loads(p) for p in points]

    async def signals(
        self,
        signal_type: str | None = None,
        country: str | None = None,
        since: float | None = None,
        active_only: bool = True,
        limit: int = 100,
    ) -> list[dict]:
        """Latest version of each signal, newest update first, filtered."""
        if active_only:
            found = [
                json.loads(v) for v in (await self.redis.hgetall(self.keys.active_signals)).values()
            ]
        else:
            members = await self.redis.zrevrange(self.keys.signal_history, 0, -1)
            ids = list(dict.fromkeys(m.decode().rsplit(":", 1)[0] for m in members))
            raws = await self.redis.mget([self.keys.signal(i) for i in ids]) if ids else []
            found = [json.loads(r) for r in raws if r]

        def keep(s: dict) -> bool:
            parties = {*s["pair"], s.get("third_party")}
            return (
                (signal_type is None or s["signal_type"] == signal_type)
                and (country is None or country in parties)
                and (since is None or s["updated_at"] >= since)
            )

        chosen = sorted(filter(keep, found), key=lambda s: (-s["updated_at"], s["signal_id"]))
        return chosen[:limit]

    async def signal_versions(self, signal_id: str) -> list[dict]:
        members = await self.redis.zrangebyscore(self.keys.signal_history, "-inf", "+inf")
        versions = sorted(
            int(m.decode().rsplit(":", 1)[1])
            for m in members
            if m.decode().rsplit(":", 1)[0] == signal_id
        )
        raws = (
            await self.redis.mget([self.keys.signal_version(signal_id, v) for v in versions])
            if versions
            else []
        )
        return [json.loads(r) for r in raws if r]

    async def increment_stats(self, **counts: int) -> None:
        pipe = self.redis.pipeline(transaction=True)
        for field, count in counts.items():
            pipe.hincrby(self.keys.stats, field, count)
        await pipe.execute()

    async def count_push(self, client: str, now: float | None = None) -> int:
        """Requests from one client in the current minute, this one included."""
        minute = int((time.time() if now is None else now) // 60)
        key = self.keys.push_rate(client, minute)
        pipe = self.redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, 120)
        count, _ = await pipe.execute()
        return int(count)

    async def record_lag(self, lag_by_topic: dict[str, int], worker: str) -> None:
        """Each worker writes the lag of its own partitions under its name, so the total
        is the sum over workers (fields ``{worker}|{topic}``), with a short expiry."""
        if not lag_by_topic:
            return
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.keys.lag, mapping={f"{worker}|{t}": n for t, n in lag_by_topic.items()})
        pipe.expire(self.keys.lag, 60)
        await pipe.execute()

    async def lag(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for field, value in (await self.redis.hgetall(self.keys.lag)).items():
            topic = field.decode().split("|", 1)[1]
            totals[topic] = totals.get(topic, 0) + int(value)
        return totals

    async def record_handled(self, count: int) -> None:
        """Count records whose handling is finished (stored, dead-lettered or duplicate).

        Followers such as ``newsmon demo --once`` compare it before and after a replay to know
        that the worker has seen this run's records, not only that their results exist.
        """
        await self.redis.hincrby(self.keys.stats, "handled", count)

    async def get_article(self, article_id: str) -> dict | None:
        raw = await self.redis.get(self.keys.article(article_id))
        return json.loads(raw) if raw else None

    async def get_deadletter(self, record_key: str) -> dict | None:
        raw = await self.redis.get(self.keys.deadletter(record_key))
        return json.loads(raw) if raw else None

    async def latest_articles(self, limit: int = 20, topic: str | None = None) -> list[dict]:
        index = self.keys.topic_articles(topic) if topic else self.keys.latest
        ids = await self.redis.zrevrange(index, 0, limit - 1)
        if not ids:
            return []
        raws = await self.redis.mget([self.keys.article(i.decode()) for i in ids])
        return [json.loads(raw) for raw in raws if raw]

    async def topic_counts(self, minutes: int = 60, now: float | None = None) -> dict[str, int]:
        """Articles per top topic over the last ``minutes`` minutes."""
        now = time.time() if now is None else now
        buckets = [self.keys.topic_minute(minute_bucket(now - 60 * m)) for m in range(minutes)]
        pipe = self.redis.pipeline(transaction=False)
        for bucket in buckets:
            pipe.hgetall(bucket)
        totals: dict[str, int] = {}
        for counts in await pipe.execute():
            for topic, count in counts.items():
                totals[topic.decode()] = totals.get(topic.decode(), 0) + int(count)
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))

    async def topic_series(self, minutes: int = 60, now: float | None = None) -> list[dict]:
        """Per-minute topic counts, oldest first, for charts."""
        now = time.time() if now is None else now
        labels = [minute_bucket(now - 60 * m) for m in reversed(range(minutes))]
        pipe = self.redis.pipeline(transaction=False)
        for label in labels:
            pipe.hgetall(self.keys.topic_minute(label))
        rows = await pipe.execute()
        return [
            {"minute": label, "counts": {k.decode(): int(v) for k, v in row.items()}}
            for label, row in zip(labels, rows, strict=True)
        ]

    async def stats(self) -> dict[str, int]:
        raw = await self.redis.hgetall(self.keys.stats)
        return {k.decode(): int(v) for k, v in raw.items()}

    async def existing(self, article_ids: list[str]) -> set[str]:
        """Which of these articles are stored (the demo's progress, the tests' checks)."""
        return await self._present(article_ids, self.keys.article)

    async def mark_published(self, article_ids: list[str]) -> None:
        """Note that these articles' records (enriched article, events, their routing) have
        reached Kafka. An article stored without this mark belongs to a worker that died
        between Redis and Kafka: its redelivery must send the records again."""
        if not article_ids:
            return
        pipe = self.redis.pipeline(transaction=False)
        for article_id in article_ids:
            pipe.set(self.keys.article_published(article_id), 1, ex=self.ttl_seconds)
        await pipe.execute()

    async def unpublished(self, article_ids: list[str]) -> set[str]:
        """Which of these (stored) articles lack the published mark."""
        return set(article_ids) - await self._present(article_ids, self.keys.article_published)

    async def existing_deadletters(self, record_keys: list[str]) -> set[str]:
        return await self._present(record_keys, self.keys.deadletter)

    async def _present(self, ids: list[str], key_of: Callable[[str], str]) -> set[str]:
        if not ids:
            return set()
        pipe = self.redis.pipeline(transaction=False)
        for item in ids:
            pipe.exists(key_of(item))
        flags = await pipe.execute()
        return {item for item, flag in zip(ids, flags, strict=True) if flag}
