"""The HTTP API: health, readiness, latest articles, topic counts, the push endpoint,
Prometheus metrics and the live dashboard.

The Redis client, the publisher and the metrics are passed in (``create_app``), so tests give
their own and the process entry point (``run_api``) gives the real ones.
"""

from __future__ import annotations

import json
import re
import time
from importlib import resources
from typing import Any, Protocol

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from newsmon.api.alert_routes import WebhookPolicy, build_alert_router, identify, presented_key
from newsmon.core.alert_store import AlertStore
from newsmon.core.articles import Rejection, decode_json_object, parse_article_in, to_raw_article
from newsmon.core.contexts import plover_contexts
from newsmon.core.metrics import ApiMetrics
from newsmon.core.records import RawArticle
from newsmon.core.store import ArticleStore
from newsmon.nlp.ontology import EVENT_TYPE_NAMES
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.concurrency import run_in_threadpool

MAX_BATCH = 100
_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
SIGNAL_TYPES = ("dyad_shift", "ally_at_risk", "realignment")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class Publisher(Protocol):
    def publish(self, article: RawArticle) -> None: ...

    def flush(self, timeout: float = ...) -> int: ...

    def broker_reachable(self) -> bool: ...


def _publish_all(publisher: Publisher, articles: list[RawArticle]) -> None:
    for article in articles:
        publisher.publish(article)
    publisher.flush()


def _error(status: int, reason: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": reason, "detail": detail}, status_code=status)


def create_app(
    store: ArticleStore,
    publisher: Publisher | None,
    max_article_bytes: int,
    metrics: ApiMetrics,
    registry: CollectorRegistry = REGISTRY,
    alerts: AlertStore | None = None,
    admin_key: str = "",
    webhook_policy: WebhookPolicy | None = None,
    push_rate_limit: int = 0,
    push_requires_key: bool = False,
) -> FastAPI:
    app = FastAPI(
        title="newsmon",
        description="Live geopolitical news monitoring: articles, PLOVER topics, signals.",
        version="0.1.0",
    )
    static_dir = resources.files("newsmon.api").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    topic_names = {c.name for c in plover_contexts()}
    alert_store = alerts or AlertStore(store.redis, store.keys)
    app.include_router(
        build_alert_router(
            alert_store,
            admin_key,
            webhook_policy or WebhookPolicy(),
        )
    )

    @app.middleware("http")
    async def observe(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        metrics.requests.labels(template, str(response.status_code)).inc()
        metrics.request_duration.labels(template).observe(time.perf_counter() - started)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict:
        """The process is up (liveness)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """Redis and the broker are reachable (readiness)."""
        checks: dict[str, str] = {}
        try:
            await store.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks["redis"] = f"unreachable: {exc}"
        if publisher is None:
            checks["broker"] = "not configured"
        else:
            ok = await run_in_threadpool(publisher.broker_reachable)
            checks["broker"] = "ok" if ok else "unreachable"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/api/articles", tags=["articles"])
    async def latest_articles(
        topic: str | None = Query(default=None, description="a PLOVER context, e.g. diplomatic"),
        limit: int = Query(default=20, ge=1, le=200),
    ) -> JSONResponse:
        """Latest enriched articles, newest first, optionally those with a given top topic."""
        if topic is not None and topic not in topic_names:
            return _error(422, "unknown_topic", f"{topic!r} is not a PLOVER context")
        articles = await store.latest_articles(limit=limit, topic=topic)
        return JSONResponse({"articles": articles})

    @app.get("/api/articles/{article_id}", tags=["articles"])
    async def one_article(article_id: str) -> JSONResponse:
        article = await store.get_article(article_id)
        if article is None:
            return _error(404, "not_found", f"no article {article_id}")
        return JSONResponse(article)

    @app.get("/api/topics", tags=["topics"])
    async def topic_counts(minutes: int = Query(default=60, ge=1, le=1440)) -> dict:
        """Articles per top topic over the last ``minutes`` (by processing time)."""
        return {
            "minutes": minutes,
            "counts": await store.topic_counts(minutes),
            "series": await store.topic_series(min(minutes, 180)),
        }

    @app.get("/api/events", tags=["events"])
    async def dyadic_events(
        actor: str | None = Query(default=None, description="country or IGO code, e.g. RUS"),
        pair: str | None = Query(
            default=None, description="actor,recipient codes, e.g. USA,VEN (actor acting on it)"
        ),
        event_type: str | None = Query(default=None, alias="type", description="e.g. ASSAULT"),
        since: float | None = Query(default=None, description="Unix seconds, by event time"),
        limit: int = Query(default=50, ge=1, le=500),
    ) -> JSONResponse:
        """Coded PLOVER events, newest first; each carries its sentence as evidence."""
        pair_codes = None
        if pair is not None:
            parts = [p.strip().upper() for p in pair.split(",")]
            if len(parts) != 2 or not all(_CODE.fullmatch(p) for p in parts):
                return _error(422, "bad_pair", "pair is two codes separated by a comma")
            pair_codes = (parts[0], parts[1])
        if actor is not None and not _CODE.fullmatch(actor.upper()):
            return _error(422, "bad_actor", "actor is a country or organisation code")
        if event_type is not None and event_type.upper() not in EVENT_TYPE_NAMES:
            return _error(422, "unknown_type", f"{event_type!r} is not a PLOVER event type")
        events = await store.events(
            actor=actor.upper() if actor else None,
            pair=pair_codes,
            event_type=event_type.upper() if event_type else None,
            since=since,
            limit=limit,
        )
        return JSONResponse({"events": events})

    @app.get("/api/pairs/{a}/{b}", tags=["signals"])
    async def pair_detail(
        a: str, b: str, limit: int = Query(default=500, ge=1, le=2000)
    ) -> JSONResponse:
        """A country pair: its index history (for charts), its events both ways, its signals."""
        first, second = a.upper(), b.upper()
        if not (_CODE.fullmatch(first) and _CODE.fullmatch(second)) or first == second:
            return _error(422, "bad_pair", "two different country or organisation codes")
        low, high = sorted((first, second))
        events = await store.events(pair=(first, second), limit=100)
        events += await store.events(pair=(second, first), limit=100)
        events.sort(key=lambda e: (-e["event_time"], e["event_id"]))
        signals = [
            s
            for s in await store.signals(active_only=False, limit=1000)
            if {first, second} <= {*s["pair"], s.get("third_party")}
        ]
        return JSONResponse(
            {
                "pair": [low, high],
                "index": await store.pair_series(low, high, limit=limit),
                "events": events[:100],
                "signals": signals,
            }
        )

    @app.get("/api/signals", tags=["signals"])
    async def alliance_signals(
        signal_type: str | None = Query(
            default=None, alias="type", description="dyad_shift, ally_at_risk or realignment"
        ),
        country: str | None = Query(default=None, description="a party or third party"),
        since: float | None = Query(default=None, description="Unix seconds (last update)"),
        status: str = Query(default="active", description="active, or all (with cleared)"),
        limit: int = Query(default=100, ge=1, le=1000),
    ) -> JSONResponse:
        """Alliance-shift signals (latest version of each), newest update first."""
        if signal_type is not None and signal_type not in SIGNAL_TYPES:
            return _error(422, "unknown_type", f"type is one of {', '.join(SIGNAL_TYPES)}")
        if status not in ("active", "all"):
            return _error(422, "bad_status", "status is active or all")
        if country is not None and not _CODE.fullmatch(country.upper()):
            return _error(422, "bad_country", "country is a country or organisation code")
        signals = await store.signals(
            signal_type=signal_type,
            country=country.upper() if country else None,
            since=since,
            active_only=status == "active",
            limit=limit,
        )
        return JSONResponse({"signals": signals})

    @app.get("/api/signals/{signal_id}", tags=["signals"])
    async def signal_history(signal_id: str) -> JSONResponse:
        """Every version of one signal, oldest first: how the story grew."""
        versions = await store.signal_versions(signal_id)
        if not versions:
            return _error(404, "not_found", f"no signal {signal_id}")
        return JSONResponse({"signal_id": signal_id, "versions": versions})

    @app.get("/api/health", tags=["operations"])
    async def pipeline_health() -> dict:
        """Totals, consumer lag by topic (from the workers) and webhooks still to deliver."""
        return {
            "stats": await store.stats(),
            "lag": await store.lag(),
            "webhooks_outstanding": await alert_store.webhooks_outstanding(),
            "time": time.time(),
        }

    @app.get("/api/stats", tags=["operations"])
    async def pipeline_stats() -> dict:
        """Totals the worker keeps in Redis: processed, dead-lettered (by reason)."""
        return await store.stats()

    @app.post(
        "/articles",
        tags=["articles"],
        status_code=202,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/ArticleIn"},
                                {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/ArticleIn"},
                                },
                            ]
                        }
                    }
                },
            }
        },
    )
    async def push_articles(request: Request) -> JSONResponse:
        """Accept one article or a batch (up to 100); valid ones go to ``articles.raw``.

        Each item needs ``text``; ``title``, ``url``, ``source``, ``published`` are optional.
        A batch is accepted item by item: the answer lists accepted ids and rejected indexes
        with their reasons (422 when none is accepted).
        """
        if push_requires_key and not await _push_key_ok(request):
            return _error(401, "key_required", "POST /articles needs an API key (X-API-Key)")
        if push_rate_limit:
            client = request.client.host if request.client else "unknown"
            if await store.count_push(client) > push_rate_limit:
                response = _error(429, "rate_limited", f"over {push_rate_limit} pushes a minute")
                response.headers["Retry-After"] = str(60 - int(time.time()) % 60)
                return response
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_article_bytes * 2:
            return _error(413, "too_large", f"body over {max_article_bytes * 2} bytes")
        body = await request.body()
        if len(body) > max_article_bytes * 2:
            return _error(413, "too_large", f"body over {max_article_bytes * 2} bytes")
        try:
            value = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            metrics.articles_rejected.labels("not_utf8").inc()
            return _error(400, "not_utf8", f"invalid UTF-8 at byte {exc.start}")
        except json.JSONDecodeError as exc:
            metrics.articles_rejected.labels("invalid_json").inc()
            return _error(400, "invalid_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}")
        items = value if isinstance(value, list) else [value]
        if not items or len(items) > MAX_BATCH:
            return _error(422, "bad_batch", f"send 1 to {MAX_BATCH} articles")
        if publisher is None:
            return _error(503, "no_broker", "this API has no broker configured")
        valid: list[RawArticle] = []
        rejected: list[dict] = []
        for index, item in enumerate(items):
            encoded = json.dumps(item).encode("utf-8")
            checked = decode_json_object(encoded, max_article_bytes)
            parsed = checked if isinstance(checked, Rejection) else parse_article_in(checked)
            if isinstance(parsed, Rejection):
                metrics.articles_rejected.labels(parsed.reason).inc()
                rejected.append({"index": index, "reason": parsed.reason, "detail": parsed.detail})
                continue
            valid.append(to_raw_article(parsed, "api"))
        if valid:
            await run_in_threadpool(_publish_all, publisher, valid)
            metrics.articles_accepted.inc(len(valid))
        accepted = [raw.id for raw in valid]
        status = 202 if accepted else 422
        return JSONResponse({"accepted": accepted, "rejected": rejected}, status_code=status)

    async def _push_key_ok(request: Request) -> bool:
        key = presented_key(request.headers.get("x-api-key"), request.headers.get("authorization"))
        return bool(key) and await identify(alert_store, admin_key, key) is not None

    @app.get("/", include_in_schema=False)
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(static_dir.joinpath("index.html").read_text("utf-8"))

    return app
