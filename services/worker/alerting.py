"""The alert matcher: a thin Faust agent on signals and enriched articles.

For every signal version and every enriched article it loads the subscriptions (cached for a
few seconds), asks the pure matcher which ones it concerns, and records each alert once in
Redis (owner's stream, webhook queue) and on the ``alerts`` topic. Webhooks are sent by the
separate delivery worker, so a slow receiver never holds up the stream.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import faust
from newsmon.alerts.alerts import article_alerts, signal_alerts
from newsmon.alerts.subscriptions import Subscription
from newsmon.core.alert_store import AlertStore
from newsmon.core.metrics import AlertMetrics, WorkerMetrics
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore
from newsmon.core.topics import ALERTS, TopicNames
from newsmon.worker.retry import retry_forever
from newsmon.worker.skip_guard import SkipGuard

SUBSCRIPTIONS_TTL_S = 2.0


@dataclass
class AlertingDeps:
    alerts: AlertStore
    store: ArticleStore
    metrics: WorkerMetrics
    alert_metrics: AlertMetrics
    skip_guard: SkipGuard
    _cache: list[Subscription] = field(default_factory=list)
    _loaded_at: float = 0.0

    async def subscriptions(self) -> list[Subscription]:
        if time.monotonic() - self._loaded_at > SUBSCRIPTIONS_TTL_S:
            self._cache = await retry_forever(
                self.alerts.subscriptions, self.metrics, "load subscriptions"
            )
            self._loaded_at = time.monotonic()
        return self._cache


def register_alert_agents(app: faust.App, settings: Settings, deps: AlertingDeps) -> None:
    names = TopicNames(settings.topic_prefix)
    raw = {"key_serializer": "raw", "value_serializer": "raw"}
    sources = app.topic(names.signals_alliance, names.articles_enriched, **raw)
    alerts_topic = app.topic(names.name(ALERTS), **raw)

    async def record(subscription: Subscription, alert: dict) -> None:
        outcome = await retry_forever(
            lambda: deps.alerts.record_alert(subscription, alert), deps.metrics, "record alert"
        )
        if outcome == "rate_limited":
            deps.alert_metrics.alerts_rate_limited.inc()
        elif outcome != "duplicate":
            deps.alert_metrics.alerts_matched.labels(alert["kind"]).inc()
            await alerts_topic.send(
                key=alert["alert_id"].encode(), value=json.dumps(alert).encode()
            )

    @app.agent(sources)
    async def match_alerts(stream: faust.StreamT) -> None:
        deps.skip_guard.watch_stream(stream, one_at_a_time=True)
        async for event in stream.events():
            payload = json.loads(event.value)
            is_signal = event.message.topic == names.signals_alliance
            await match_one(payload, is_signal)
            counter = "matcher_signals" if is_signal else "matcher_articles"
            await retry_forever(
                lambda counter=counter: deps.store.increment_stats(**{counter: 1}),
                deps.metrics,
                "count matched",
            )

    async def match_one(payload: dict, is_signal: bool) -> None:
        subscriptions = await deps.subscriptions()
        if not subscriptions:
            return
        now = time.time()
        if is_signal:
            last = {
                s.id: await deps.alerts.last_alerted(s.id, payload["signal_id"])
                for s in subscriptions
            }
            matched = signal_alerts(subscriptions, payload, last, now)
        else:
            events = await deps.store.events_by_id(payload.get("event_ids", []))
            countries = {p["code"] for e in events for p in e["actors"] + e["recipients"]}
            matched = article_alerts(subscriptions, payload, countries, now)
        for subscription, alert in matched:
            await record(subscription, alert.model_dump(mode="json"))
