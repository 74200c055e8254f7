"""Kafka client settings for kafka-python (producers, admin) and Faust (the worker).

The broker profile decides the settings: the embedded ``tansu`` broker needs short group
timeouts, no idempotent producer and one-record batches (see ``BrokerProfile``); a real Kafka
keeps the clients' defaults plus idempotence. Security settings (SASL/TLS) pass through to both.
"""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from newsmon.core.settings import BrokerProfile, Settings

log = logging.getLogger(__name__)

LOCAL_SESSION_TIMEOUT_S = 6
LOCAL_HEARTBEAT_S = 1


def _security_kwargs(settings: Settings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if settings.kafka_sasl_mechanism:
        kwargs.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=settings.kafka_sasl_password,
        )
    return kwargs


def producer_kwargs(settings: Settings, client_id: str = "newsmon-producer") -> dict[str, Any]:
    """kafka-python ``KafkaProducer`` settings: acks=all, retries with backoff, idempotence.

    On the local broker each record travels in its own batch: tansu reports wrong end offsets
    for multi-record batches, which would confuse consumer lag and Faust's recovery. Idempotence
    stays off there (tansu's InitProducerId is not dependable across clients).
    """
    local = settings.effective_broker_profile is BrokerProfile.LOCAL
    batching = {"batch_size": 1} if local else {}
    return {
        **batching,
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "client_id": client_id,
        "acks": "all",
        "retries": 10,
        "retry_backoff_ms": 250,
        "request_timeout_ms": 15_000,
        "max_block_ms": 15_000,
        "linger_ms": 0 if local else 5,
        "enable_idempotence": not local,
        **_security_kwargs(settings),
    }


def admin_kwargs(settings: Settings) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "client_id": "newsmon-admin",
        "request_timeout_ms": 15_000,
        **_security_kwargs(settings),
    }


def ensure_topics(settings: Settings, names: list[str]) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created."""
    admin = KafkaAdminClient(**admin_kwargs(settings))
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            topics = [
                NewTopic(n, settings.topic_partitions, settings.topic_replication) for n in missing
            ]
            try:
                admin.create_topics(topics)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another process: %s", missing)
        return missing
    finally:
        admin.close()


def faust_app_kwargs(settings: Settings) -> dict[str, Any]:
    """Faust ``App`` settings for the configured broker profile."""
    kwargs: dict[str, Any] = {
        "broker": [f"kafka://{server}" for server in settings.kafka_bootstrap_servers.split(",")],
        "store": "memory://",
        # Faust makes its data folder even for memory tables; keep it out of the working folder
        "datadir": str(settings.data_dir / f"faust-{settings.app_id}"),
        "topic_partitions": settings.topic_partitions,
        "topic_replication_factor": settings.topic_replication,
        "consumer_auto_offset_reset": "earliest",
        "web_enabled": False,
        "processing_guarantee": "at_least_once",
    }
    if settings.kafka_security_protocol != "PLAINTEXT":
        import faust

        if settings.kafka_sasl_mechanism:
            kwargs["broker_credentials"] = faust.SASLCredentials(
                username=settings.kafka_sasl_username,
                password=settings.kafka_sasl_password,
                mechanism=settings.kafka_sasl_mechanism,
            )
        else:
            import ssl

            kwargs["broker_credentials"] = ssl.create_default_context()
    if settings.effective_broker_profile is BrokerProfile.LOCAL:
        kwargs.update(
            broker_session_timeout=LOCAL_SESSION_TIMEOUT_S,
            broker_heartbeat_interval=LOCAL_HEARTBEAT_S,
            producer_max_batch_size=1,
        )
    return kwargs
