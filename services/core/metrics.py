"""Every Prometheus metric, in one module.

Metrics are created on a registry passed in (``WorkerMetrics.create(registry)``), so tests use
a fresh ``CollectorRegistry`` and processes use the default one. Names follow Prometheus'
guide: ``newsmon_`` prefix, base units, ``_total`` counters, ``_seconds`` durations, and
labels with few values (a rejection reason, never an article id).
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60)
_BATCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10)


@dataclass(frozen=True)
class WorkerMetrics:
    articles_received: Counter
    articles_processed: Counter
    articles_duplicate: Counter
    articles_republished: Counter
    articles_deadlettered: Counter
    processing_duration: Histogram
    model_batch_duration: Histogram
    model_batch_sentences: Histogram
    coder_restarts: Counter
    end_to_end_latency: Histogram
    store_retries: Counter
    store_stalled: Gauge
    events_coded: Counter
    signals_sent: Counter
    pairs_tracked: Gauge
    consumer_lag: Gauge
    input_waiting: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry = REGISTRY) -> WorkerMetrics:
        return cls(
            articles_received=Counter(
                "newsmon_articles_received_total",
                "Records read from articles.raw",
                registry=registry,
            ),
            articles_processed=Counter(
                "newsmon_articles_processed_total",
                "Articles enriched and stored for the first time",
                registry=registry,
            ),
            articles_duplicate=Counter(
                "newsmon_articles_duplicate_total",
                "Articles received again after they were stored (redeliveries, replays)",
                registry=registry,
            ),
            articles_republished=Counter(
                "newsmon_articles_republished_total",
                "Stored articles whose records had not reached Kafka when their worker died, "
                "sent again on redelivery",
                registry=registry,
            ),
            articles_deadlettered=Counter(
                "newsmon_articles_deadlettered_total",
                "Records sent to articles.deadletter, by reason",
                ["reason"],
                registry=registry,
            ),
            processing_duration=Histogram(
                "newsmon_processing_duration_seconds",
                "Time to process one batch of raw records, model and storage included",
                buckets=_BATCH_BUCKETS,
                registry=registry,
            ),
            model_batch_duration=Histogram(
                "newsmon_model_batch_duration_seconds",
                "Time of one model forward pass over a batch of articles",
                buckets=_BATCH_BUCKETS,
                registry=registry,
            ),
            model_batch_sentences=Histogram(
                "newsmon_model_batch_sentences",
                "Sentences in one model forward pass",
                buckets=(1, 8, 16, 32, 64, 128, 256, 512),
                registry=registry,
            ),
            coder_restarts=Counter(
                "newsmon_coder_restarts_total",
                "Coder processes started again after one of them died",
                registry=registry,
            ),
            end_to_end_latency=Histogram(
                "newsmon_end_to_end_latency_seconds",
                "From the producer's send to the article stored in Redis",
                buckets=_LATENCY_BUCKETS,
                registry=registry,
            ),
            store_retries=Counter(
                "newsmon_store_retries_total",
                "Redis writes retried after a connection failure",
                registry=registry,
            ),
            events_coded=Counter(
                "newsmon_events_coded_total",
                "Dyadic PLOVER events coded, by quad class",
                ["quad_class"],
                registry=registry,
            ),
            signals_sent=Counter(
                "newsmon_signals_total",
                "Alliance-shift signal versions sent, by type and status",
                ["signal_type", "status"],
                registry=registry,
            ),
            pairs_tracked=Gauge(
                "newsmon_pairs_tracked",
                "Country pairs whose index this worker holds",
                registry=registry,
            ),
            consumer_lag=Gauge(
                "newsmon_consumer_lag_messages",
                "Records not yet consumed on this worker's partitions, by topic",
                ["topic"],
                registry=registry,
            ),
            input_waiting=Gauge(
                "newsmon_input_waiting_records",
                "Input records not handled yet (to the high-water mark)",
                registry=registry,
            ),
            store_stalled=Gauge(
                "newsmon_store_stalled",
                "1 while the worker waits for Redis to come back",
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class AlertMetrics:
    alerts_matched: Counter
    alerts_rate_limited: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry = REGISTRY) -> AlertMetrics:
        return cls(
            alerts_matched=Counter(
                "newsmon_alerts_matched_total",
                "Alerts written to subscribers' streams, by kind (signal or article)",
                ["kind"],
                registry=registry,
            ),
            alerts_rate_limited=Counter(
                "newsmon_alerts_rate_limited_total",
                "Alerts held back by a subscription's hourly cap",
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class DeliveryMetrics:
    delivered: Counter
    failed: Counter
    retries: Counter
    deadlettered: Counter
    duration: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry = REGISTRY) -> DeliveryMetrics:
        return cls(
            delivered=Counter(
                "newsmon_webhooks_delivered_total", "Webhooks answered 2xx", registry=registry
            ),
            failed=Counter(
                "newsmon_webhooks_failed_total",
                "Webhook attempts that failed, by reason (status class, timeout, error, unsafe)",
                ["reason"],
                registry=registry,
            ),
            retries=Counter(
                "newsmon_webhook_retries_total", "Webhook retries scheduled", registry=registry
            ),
            deadlettered=Counter(
                "newsmon_webhooks_deadlettered_total",
                "Webhooks given up after the last try",
                registry=registry,
            ),
            duration=Histogram(
                "newsmon_webhook_delivery_seconds",
                "Time of one webhook request",
                buckets=_BATCH_BUCKETS,
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class ApiMetrics:
    requests: Counter
    request_duration: Histogram
    articles_accepted: Counter
    articles_rejected: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry = REGISTRY) -> ApiMetrics:
        return cls(
            requests=Counter(
                "newsmon_api_requests_total",
                "HTTP requests, by route template and status code",
                ["route", "status"],
                registry=registry,
            ),
            request_duration=Histogram(
                "newsmon_api_request_duration_seconds",
                "HTTP request duration, by route template",
                ["route"],
                buckets=_BATCH_BUCKETS,
                registry=registry,
            ),
            articles_accepted=Counter(
                "newsmon_api_articles_accepted_total",
                "Articles accepted by POST /articles and produced to articles.raw",
                registry=registry,
            ),
            articles_rejected=Counter(
                "newsmon_api_articles_rejected_total",
                "Articles refused by POST /articles, by reason",
                ["reason"],
                registry=registry,
            ),
        )
