"""Publishing to ``articles.raw`` with kafka-python.

acks=all, the article id as key (so one article always lands on one partition), retries with
backoff, and idempotence where the broker supports it. Broker faults surface as
``PublishError`` with one line that tells a person what to do.
"""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError
from newsmon.core.kafka_clients import admin_kwargs, producer_kwargs
from newsmon.core.records import RawArticle
from newsmon.core.settings import Settings

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 30


class PublishError(RuntimeError):
    """The broker did not acknowledge a record."""


class ArticlePublisher:
    def __init__(self, settings: Settings, topic: str, client_id: str = "newsmon-producer") -> None:
        self.topic = topic
        self.bootstrap = settings.kafka_bootstrap_servers
        self._admin_kwargs = admin_kwargs(settings)
        try:
            self.producer = KafkaProducer(**producer_kwargs(settings, client_id))
        except KafkaError as exc:
            raise PublishError(
                f"no Kafka broker answers at {self.bootstrap}: start one or set "
                "KAFKA_BOOTSTRAP_SERVERS"
            ) from exc
        self._pending: list[Any] = []

    def publish(self, article: RawArticle) -> None:
        """Queue one article; ``flush`` confirms delivery."""
        self.publish_raw(article.id, article.model_dump_json().encode("utf-8"))

    def publish_raw(self, key: str, payload: bytes) -> None:
        """Queue bytes as they are (the demo's poison records, already-serialised payloads)."""
        try:
            future = self.producer.send(self.topic, key=key.encode("utf-8"), value=payload)
        except KafkaError as exc:
            raise PublishError(f"could not send {key} to {self.topic}: {exc}") from exc
        self._pending.append((key, future))

    def flush(self, timeout: float = SEND_TIMEOUT_S) -> int:
        """Wait for every queued record's acknowledgement; returns how many were confirmed."""
        try:
            self.producer.flush(timeout=timeout)
        except KafkaError as exc:
            self._pending = []
            raise PublishError(
                f"broker at {self.bootstrap} did not acknowledge queued records within "
                f"{timeout:.0f}s ({exc}); is the broker running?"
            ) from exc
        confirmed = 0
        pending, self._pending = self._pending, []
        for key, future in pending:
            try:
                future.get(timeout=timeout)
            except KafkaError as exc:
                raise PublishError(
                    f"broker at {self.bootstrap} did not acknowledge {key}: {exc}"
                ) from exc
            confirmed += 1
        return confirmed

    def broker_reachable(self) -> bool:
        """Ask the cluster for its metadata (readiness probes): True if a broker answers."""
        try:
            admin = KafkaAdminClient(**{**self._admin_kwargs, "request_timeout_ms": 3000})
        except KafkaError:
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        except KafkaError:
            return False
        finally:
            admin.close()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.producer.close(timeout=10)

    def __enter__(self) -> ArticlePublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
