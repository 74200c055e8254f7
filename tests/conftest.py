"""Fixtures that start the real servers: a Kafka-protocol broker (tansu) and a Redis-protocol
server (valkey) on free loopback ports, stopped by PID at the end of the session.

When ``REDIS_URL`` is set (CI may point it at the machine's Redis 7), tests use that server
instead of starting valkey, so both servers get exercised. Every test gets its own key and
topic prefix, so tests never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsmon.core.settings import BrokerProfile, Settings
from newsmon.local.processes import ProcessGroup
from newsmon.local.servers import start_local_broker, start_local_redis

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def process_group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessGroup]:
    with ProcessGroup(tmp_path_factory.mktemp("logs")) as group:
        yield group


@pytest.fixture(scope="session")
def kafka_bootstrap(process_group: ProcessGroup) -> str:
    return start_local_broker(process_group).bootstrap_servers


@pytest.fixture(scope="session")
def redis_url(process_group: ProcessGroup, tmp_path_factory: pytest.TempPathFactory) -> str:
    external = os.environ.get("REDIS_URL")
    if external:
        return external
    return start_local_redis(process_group, tmp_path_factory.mktemp("valkey")).url


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


def isolated_settings(
    kafka_bootstrap: str, redis_url: str, unique: str, tag: str = "test", **extra: object
) -> Settings:
    """The session's servers with topic, key and consumer-group names of their own."""
    return Settings(
        kafka_bootstrap_servers=kafka_bootstrap,
        redis_url=redis_url,
        broker_profile=BrokerProfile.LOCAL,
        topic_prefix=f"{tag}{unique}.",
        redis_key_prefix=f"{tag}:{unique}",
        app_id=f"newsmon-{tag}-{unique}",
        **extra,
    )


@pytest.fixture
def settings(kafka_bootstrap: str, redis_url: str, unique: str, tmp_path: Path) -> Settings:
    """Settings for one test: the session's servers, a uuid topic and key prefix."""
    return isolated_settings(kafka_bootstrap, redis_url, unique, data_dir=tmp_path / "data")
