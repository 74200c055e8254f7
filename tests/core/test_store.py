"""ArticleStore against a real Redis-protocol server (valkey, or REDIS_URL when set)."""

import asyncio
import time

import pytest
from newsmon.core.records import DeadLetter, EnrichedArticle
from newsmon.core.store import ArticleStore, Keys
from redis.asyncio import Redis

pytestmark = pytest.mark.integration


def enriched(article_id: str, topics: list[str], at: float) -> EnrichedArticle:
    return EnrichedArticle(
        id=article_id,
        title=f"title {article_id}",
        url=None,
        source="s",
        published=None,
        produced_at=at - 0.5,
        enriched_at=at,
        sentences=["One."],
        topics={t: 0.5 for t in topics},
        top_topics=topics,
        topic_model="m",
    )


def run(coro):  # noqa: ANN001, ANN201 - small helper for sync tests
    return asyncio.run(coro)


async def with_store(redis_url: str, prefix: str, body) -> object:  # noqa: ANN001
    redis = Redis.from_url(redis_url)
    try:
        return await body(ArticleStore(redis, Keys(prefix), ttl_seconds=3600, stream_maxlen=100))
    finally:
        await redis.aclose()


def test_storing_twice_changes_nothing_visible(redis_url: str, unique: str) -> None:
    now = time.time()

    async def body(store: ArticleStore) -> None:
        article = enriched("a1", ["diplomatic", "military"], now)
        assert await store.store_article(article) is True
        before = (
            await store.stats(),
            await store.topic_counts(5, now),
            await store.redis.xlen(store.keys.enriched_stream),
            await store.latest_articles(),
        )
        assert await store.store_article(article) is False
        after = (
            await store.stats(),
            await store.topic_counts(5, now),
            await store.redis.xlen(store.keys.enriched_stream),
            await store.latest_articles(),
        )
        assert before == after
        assert before[0] == {"processed": 1}
        assert before[1] == {"diplomatic": 1, "military": 1}
        assert 0 < await store.redis.ttl(store.keys.article("a1")) <= 3600

    run(with_store(redis_url, f"test:{unique}", body))


def test_latest_articles_filter_by_topic_and_counts_by_minute(redis_url: str, unique: str) -> None:
    now = time.time()

    async def body(store: ArticleStore) -> None:
        await store.store_article(enriched("a", ["economic"], now - 120))
        await store.store_article(enriched("b", ["economic", "health"], now - 60))
        await store.store_article(enriched("c", ["health"], now))
        assert [a["id"] for a in await store.latest_articles()] == ["c", "b", "a"]
        assert [a["id"] for a in await store.latest_articles(topic="economic")] == ["b", "a"]
        assert await store.topic_counts(5, now) == {"economic": 2, "health": 2}
        assert await store.topic_counts(1, now) == {"health": 1}
        series = await store.topic_series(3, now)
        assert [row["counts"] for row in series] == [
            {"economic": 1},
            {"economic": 1, "health": 1},
            {"health": 1},
        ]
        assert await store.existing(["a", "zz", "c"]) == {"a", "c"}

    run(with_store(redis_url, f"test:{unique}", body))


def test_dead_letters_are_stored_once_with_reason_counts(redis_url: str, unique: str) -> None:
    letter = DeadLetter(
        record_key="raw-1",
        reason="invalid_json",
        detail="x",
        payload_excerpt="{",
        payload_bytes=1,
        source_topic="articles.raw",
        failed_at=1.0,
    )

    async def body(store: ArticleStore) -> None:
        assert await store.store_deadletter(letter) is True
        assert await store.store_deadletter(letter) is False
        assert await store.stats() == {"deadlettered": 1, "deadlettered:invalid_json": 1}
        assert (await store.get_deadletter("raw-1"))["reason"] == "invalid_json"
        assert await store.existing_deadletters(["raw-1", "raw-2"]) == {"raw-1"}

    run(with_store(redis_url, f"test:{unique}", body))


def test_events_are_indexed_by_actor_pair_and_time_once(redis_url: str, unique: str) -> None:
    from newsmon.core.records import ActorRef, DyadicEvent

    def event(event_id: str, actor: str, recipient: str, kind: str, at: float) -> DyadicEvent:
        return DyadicEvent(
            event_id=event_id,
            article_id="a",
            sentence_index=0,
            sentence=f"{actor} {kind}",
            actors=[ActorRef(code=actor)],
            recipients=[ActorRef(code=recipient)],
            event_type=kind,
            quad_class="material_conflict",
            score=-9.0,
            confidence=0.5,
            event_time=at,
        )

    async def body(store: ArticleStore) -> None:
        await store.redis.script_flush()  # the pipelined calls must load the script themselves
        await store.store_events(
            [
                event("e1", "RUS", "UKR", "ASSAULT", 100.0),
                event("e2", "USA", "VEN", "COERCE", 200.0),
            ]
        )
        assert await store.store_event(event("e3", "RUS", "UKR", "COERCE", 300.0))
        assert not await store.store_event(event("e1", "RUS", "UKR", "ASSAULT", 100.0))
        await store.store_events([event("e2", "USA", "VEN", "COERCE", 200.0)])  # a redelivery
        assert [e["event_id"] for e in await store.events()] == ["e3", "e2", "e1"]
        assert [e["event_id"] for e in await store.events(pair=("RUS", "UKR"))] == ["e3", "e1"]
        assert await store.events(pair=("UKR", "RUS")) == []
        assert [e["event_id"] for e in await store.events(actor="UKR")] == ["e3", "e1"]
        assert [e["event_id"] for e in await store.events(event_type="COERCE")] == ["e3", "e2"]
        assert [e["event_id"] for e in await store.events(since=150.0)] == ["e3", "e2"]
        assert [e["event_id"] for e in await store.events(limit=1)] == ["e3"]
        assert (await store.stats())["events"] == 3
        assert await store.redis.xlen(store.keys.events_stream) == 3

    run(with_store(redis_url, f"test:{unique}", body))


def test_signals_keep_their_latest_version_and_history(redis_url: str, unique: str) -> None:
    from newsmon.core.records import AllianceSignal, Evidence

    def signal(version: int, status: str, at: float) -> AllianceSignal:
        return AllianceSignal(
            signal_id="s1",
            version=version,
            signal_type="ally_at_risk",
            pair=("RUS", "IRN"),
            third_party="USA",
            direction="toward_conflict",
            magnitude=2.0 + version,
            confidence=0.5,
            independent_sources=version,
            status=status,
            evidence=[Evidence(article_id="a", sentence="Protests shook Tehran.")],
            raised_at=100.0,
            updated_at=at,
        )

    async def body(store: ArticleStore) -> None:
        assert await store.store_signal(signal(1, "active", 100.0))
        assert await store.store_signal(signal(2, "active", 200.0))
        assert not await store.store_signal(signal(1, "active", 100.0)), "older version refused"
        [active] = await store.signals()
        assert active["version"] == 2
        assert await store.signals(country="USA") == [active]
        assert await store.signals(country="FRA") == []
        assert await store.signals(signal_type="dyad_shift") == []
        assert await store.store_signal(signal(3, "cleared", 300.0))
        assert await store.signals() == []
        assert [s["version"] for s in await store.signals(active_only=False)] == [3]
        assert [v["version"] for v in await store.signal_versions("s1")] == [1, 2, 3]
        await store.store_index_point("IRN", "RUS", 50.0, 1.0, 2.0, -0.5, 3)
        await store.store_index_point("IRN", "RUS", 40.0, 2.0, 2.0, 0.0, 2)
        assert [p["t"] for p in await store.pair_series("IRN", "RUS")] == [40.0, 50.0]

    run(with_store(redis_url, f"test:{unique}", body))
