"""The broker goes away and comes back: the producer reports it clearly, then works again.

The local broker keeps everything in memory, so after its restart the topics are created
again (``ensure_topics``); a real Kafka keeps its log and consumer offsets across restarts.
"""

import time
from pathlib import Path

import pytest
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.records import RawArticle
from newsmon.core.settings import BrokerProfile, Settings
from newsmon.core.topics import TopicNames
from newsmon.local.processes import ProcessGroup, free_port
from newsmon.local.servers import start_local_broker
from newsmon.producer.publisher import ArticlePublisher, PublishError

from tests.kafka_helpers import consume_all

pytestmark = pytest.mark.faults


def article(n: int) -> RawArticle:
    return RawArticle(
        id=f"restart-{n}",
        title="",
        text=f"Article {n}.",
        source="test",
        ingested_by="api",
        produced_at=time.time(),
    )


def test_producer_reports_a_dead_broker_and_recovers_after_restart(tmp_path: Path) -> None:
    port = free_port()
    with ProcessGroup(tmp_path / "logs") as group:
        broker = start_local_broker(group, port=port)
        settings = Settings(
            kafka_bootstrap_servers=broker.bootstrap_servers, broker_profile=BrokerProfile.LOCAL
        )
        names = TopicNames()
        ensure_topics(settings, names.all())
        publisher = ArticlePublisher(settings, names.articles_raw, "restart-test")
        publisher.publish(article(1))
        assert publisher.flush() == 1
        broker.process.stop()
        started = time.monotonic()
        with pytest.raises(PublishError) as failure:
            publisher.publish(article(2))
            publisher.flush(timeout=10)
        message = str(failure.value)
        assert broker.bootstrap_servers in message or "broker" in message, message
        print(f"dead broker reported after {time.monotonic() - started:.1f}s: {message}")
        start_local_broker(group, port=port)
        ensure_topics(settings, names.all())
        publisher.publish(article(3))
        assert publisher.flush(timeout=60) >= 1, "the same producer works again"
        keys = {
            r.key.decode()
            for r in consume_all(settings.kafka_bootstrap_servers, names.articles_raw, 1)
        }
        assert "restart-3" in keys and "restart-1" not in keys, "the in-memory log was lost"
        print(f"after the restart the producer delivered: {sorted(keys)}")
        publisher.close()
