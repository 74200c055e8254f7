"""The alliance-shift agents: thin Faust agents over the pure detector in newsmon.signals.

``route_article`` (called by the enrichment agent with each article's events) re-keys them by
country pair (``events.by_pair``) and by the country they put under pressure
(``events.by_country``), one message per pair and per country, so an article is judged as one
piece of news. ``index_pairs`` and ``track_pressure``
keep their state in Faust tables backed by changelog topics, co-partitioned with those keyed
topics, so state survives a worker restart and spreads over partitions and workers. Signals go
to ``signals.alliance`` and Redis; the index of every pair goes to Redis for charts.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import faust
from newsmon.core.metrics import WorkerMetrics
from newsmon.core.records import AllianceSignal
from newsmon.core.settings import Settings
from newsmon.core.store import ArticleStore
from newsmon.core.topics import TopicNames
from newsmon.signals.detector import AllianceDetector, SignalLedger, fan_out_article
from newsmon.signals.pair_index import PairState
from newsmon.signals.pressure import PressureState
from newsmon.worker.retry import retry_forever
from newsmon.worker.skip_guard import SkipGuard


@dataclass
class AllianceDeps:
    detector: AllianceDetector
    store: ArticleStore
    metrics: WorkerMetrics
    skip_guard: SkipGuard


def register_alliance_agents(
    app: faust.App, settings: Settings, deps: AllianceDeps
) -> Callable[[list[dict]], Awaitable[None]]:
    names = TopicNames(settings.topic_prefix)
    raw = {"key_serializer": "raw", "value_serializer": "raw"}
    by_pair = app.topic(names.events_by_pair, **raw)
    by_country = app.topic(names.events_by_country, **raw)
    signals_topic = app.topic(names.signals_alliance, **raw)
    partitions = settings.topic_partitions
    pair_table = app.Table("pair_states", default=dict, partitions=partitions, key_type=str)
    pressure_table = app.Table(
        "pressure_states",
        default=dict,
        partitions=partitions,
        key_type=str,
    )
    detector, store, metrics = deps.detector, deps.store, deps.metrics

    async def publish(signal: AllianceSignal) -> None:
        metrics.signals_sent.labels(signal.signal_type, signal.status).inc()
        await retry_forever(lambda: store.store_signal(signal), metrics, "store signal")
        await signals_topic.send(
            key=signal.signal_id.encode(), value=signal.model_dump_json().encode()
        )

    async def route_article(events: list[dict]) -> None:
        """Send one article's events to each pair and each country they concern, one message
        per pair and per country, so the article is judged as one piece of news."""
        pairs, pressures = fan_out_article(events)
        for (a, b), pair_events in sorted(pairs.items()):
            await by_pair.send(
                key=f"{a}|{b}".encode(),
                value=json.dumps({"pair": [a, b], "events": pair_events}).encode(),
            )
        for country, items in sorted(pressures.items()):
            await by_country.send(
                key=country.encode(),
                value=json.dumps(
                    {
                        "country": country,
                        "items": [
                            {"kind": kind, "outside": outside, "event": event}
                            for event, kind, outside in items
                        ],
                    }
                ).encode(),
            )
        sent = len(pairs) + len(pressures)
        await retry_forever(
            lambda: store.increment_stats(events_routed=len(events), fanout_sent=sent),
            metrics,
            "count routed",
        )

    @app.agent(by_pair)
    async def index_pairs(stream: faust.StreamT) -> None:
        deps.skip_guard.watch_stream(stream, one_at_a_time=True)
        async for payload in stream:
            item = json.loads(payload)
            a, b = item["pair"]
            key = f"{a}|{b}"
            saved = pair_table[key]
            state = PairState.from_dict(saved["state"]) if saved else None
            ledger = SignalLedger.from_dict(saved.get("ledger", {})) if saved else SignalLedger()
            state, signals = detector.on_pair_events(state, ledger, item["events"], a, b)
            pair_table[key] = {"state": state.as_dict(), "ledger": ledger.as_dict()}
            metrics.pairs_tracked.set(len(pair_table))
            point = (
                a,
                b,
                max(float(e["event_time"]) for e in item["events"]),
                state.current,
                state.baseline,
                state.z,
                state.events,
            )
            await retry_forever(
                lambda point=point: store.store_index_point(*point), metrics, "store index point"
            )
            for signal in signals:
                await publish(signal)
            await retry_forever(
                lambda: store.increment_stats(fanout_handled=1), metrics, "count indexed"
            )

    @app.agent(by_country)
    async def track_pressure(stream: faust.StreamT) -> None:
        deps.skip_guard.watch_stream(stream, one_at_a_time=True)
        async for payload in stream:
            item = json.loads(payload)
            country = item["country"]
            saved = pressure_table[country]
            state = PressureState.from_dict(saved["state"]) if saved else None
            ledger = SignalLedger.from_dict(saved.get("ledger", {})) if saved else SignalLedger()
            state, signals = detector.on_pressure_events(
                state,
                ledger,
                [(i["event"], i["kind"], i["outside"]) for i in item["items"]],
                country,
            )
            pressure_table[country] = {"state": state.as_dict(), "ledger": ledger.as_dict()}
            for signal in signals:
                await publish(signal)
            await retry_forever(
                lambda: store.increment_stats(fanout_handled=1), metrics, "count pressure"
            )

    return route_article
