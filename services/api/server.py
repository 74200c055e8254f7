"""Entry point of ``newsmon api``: real Redis, real publisher, uvicorn."""

from __future__ import annotations

import logging

import uvicorn
from newsmon.api.alert_routes import WebhookPolicy
from newsmon.api.app import create_app
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.metrics import ApiMetrics
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.producer.publisher import ArticlePublisher, PublishError
from redis.asyncio import Redis

log = logging.getLogger(__name__)
REDIS_SOCKET_TIMEOUT_S = 5.0
API_CLIENT_NAME = "newsmon-api"  # how the API's connections show in Redis's CLIENT LIST


def api_redis(url: str, socket_timeout_s: float = REDIS_SOCKET_TIMEOUT_S) -> Redis:
    """The API's Redis client. Its socket timeout bounds every call (a stalled server fails
    a request instead of hanging it), so the alert feed's blocking reads stay shorter."""
    return Redis.from_url(
        url,
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=5,
        client_name=API_CLIENT_NAME,
    )


def run_api(settings: Settings, host: str, port: int) -> None:
    if not settings.redis_url:
        raise SystemExit("newsmon api needs REDIS_URL (or run `newsmon demo`)")
    redis = api_redis(settings.redis_url)
    store = ArticleStore(redis, Keys(settings.redis_key_prefix), settings.article_ttl_seconds)
    publisher = None
    if settings.kafka_bootstrap_servers:
        names = TopicNames(settings.topic_prefix)
        try:
            ensure_topics(settings, names.all())
            publisher = ArticlePublisher(settings, names.articles_raw, client_id="newsmon-api")
        except PublishError as exc:
            raise SystemExit(str(exc)) from exc
    app = create_app(
        store,
        publisher,
        settings.max_article_bytes,
        ApiMetrics.create(),
        admin_key=settings.admin_api_key,
        push_rate_limit=settings.push_rate_limit,
        push_requires_key=settings.push_requires_key,
        webhook_policy=WebhookPolicy(
            allow_http=settings.webhook_allow_http, allow_private=settings.webhook_allow_private
        ),
    )
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
