"""Poison inputs, generated: every one is dead-lettered or refused with its reason; nothing
crashes, and valid articles keep flowing."""

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsmon.api.app import create_app
from newsmon.core.articles import Rejection, parse_raw_article, to_raw_article
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.metrics import ApiMetrics
from newsmon.core.records import ArticleIn, RawArticle
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.producer.publisher import ArticlePublisher
from newsmon.worker.enrichment import IncomingRecord, split_valid
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

LIMIT = 64 * 1024
ODD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300
) | st.sampled_from(["<script>alert(1)</script>", "\u202eevil\u202c", "\x00\x01", "🦀" * 50])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ODD_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
VALID = json.loads(
    to_raw_article(ArticleIn(title="t", text="Body."), "replay", produced_at=1.0).model_dump_json()
)
MUTATED = st.builds(
    lambda key, value: {**VALID, key: value},
    st.sampled_from(sorted(VALID) + ["extra"]),
    JSON_VALUES,
)
PAYLOADS = (
    st.binary(max_size=2000)
    | JSON_VALUES.map(lambda v: json.dumps(v).encode())
    | MUTATED.map(lambda v: json.dumps(v).encode())
    | st.builds(
        lambda n: json.dumps({**VALID, "text": "x" * n}).encode(),
        st.integers(LIMIT - 200, LIMIT + 200),
    )
)


@given(PAYLOADS)
@settings(max_examples=400, deadline=None)
def test_every_raw_payload_is_an_article_or_a_reason(payload: bytes) -> None:
    result = parse_raw_article(payload, LIMIT)
    assert isinstance(result, (RawArticle, Rejection))
    if isinstance(result, Rejection):
        assert result.reason and result.detail
    oks, errs = split_valid([IncomingRecord(None, payload, "articles.raw")], LIMIT, 0.0)
    assert len(oks) + len(errs) == 1


@pytest.fixture(scope="module")
def api(redis_url: str, kafka_bootstrap: str) -> Iterator[TestClient]:
    unique = uuid.uuid4().hex[:8]
    config = Settings(
        kafka_bootstrap_servers=kafka_bootstrap,
        redis_url=redis_url,
        broker_profile="local",
        topic_prefix=f"poison{unique}.",
    )
    names = TopicNames(config.topic_prefix)
    ensure_topics(config, names.all())
    publisher = ArticlePublisher(config, names.articles_raw, "poison-test")
    store = ArticleStore(Redis.from_url(redis_url), Keys(f"poison:{unique}"), 3600)
    registry = CollectorRegistry()
    app = create_app(store, publisher, LIMIT, ApiMetrics.create(registry), registry)
    with TestClient(app) as client:
        yield client
    publisher.close()


@given(PAYLOADS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_push_endpoint_answers_every_body_with_a_reason_and_stays_up(
    api: TestClient, payload: bytes
) -> None:
    response = api.post("/articles", content=payload, headers={"content-type": "application/json"})
    assert response.status_code in (202, 400, 413, 422), response.text
    body = response.json()
    if response.status_code == 202:
        assert body["accepted"]
    else:
        assert body.get("error") or body.get("rejected")
    assert api.get("/healthz").status_code == 200
