"""Producers against the real local broker: replay and RSS land on articles.raw, keyed by id."""

import json
from pathlib import Path

import pytest
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.records import ArticleIn, RawArticle
from newsmon.core.settings import Settings
from newsmon.core.topics import TopicNames
from newsmon.producer.publisher import ArticlePublisher, PublishError
from newsmon.producer.replay import replay
from newsmon.producer.rss import FeedPoller

from tests.kafka_helpers import consume_all

pytestmark = pytest.mark.integration

FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Talks resume</title><link>https://example.org/1</link>
<description>&lt;p&gt;Envoys from &lt;b&gt;Iran&lt;/b&gt; and Oman met.&lt;/p&gt;</description>
<pubDate>Thu, 15 Jan 2026 10:00:00 GMT</pubDate></item>
<item><title>Empty</title><link>https://example.org/2</link><description> </description></item>
<item><title>Border clash</title><link>https://example.org/3</link>
<description>Troops exchanged fire.</description></item>
</channel></rss>"""


def test_replay_sends_each_article_keyed_by_its_content_id(settings: Settings) -> None:
    names = TopicNames(settings.topic_prefix)
    assert set(ensure_topics(settings, names.all())) == set(names.all())
    assert ensure_topics(settings, names.all()) == []
    articles = [ArticleIn(title=f"t{i}", text=f"Article number {i}.") for i in range(12)]
    with ArticlePublisher(settings, names.articles_raw) as publisher:
        report = replay(articles, publisher)
    assert report.sent == 12
    records = consume_all(settings.kafka_bootstrap_servers, names.articles_raw, 12)
    assert len(records) == 12
    for record in records:
        raw = RawArticle.model_validate_json(record.value)
        assert record.key.decode() == raw.id
    assert sorted(r.key.decode() for r in records) == sorted(report.ids)
    assert len({r.partition for r in records}) > 1, "keys should spread over the 4 partitions"


def test_rss_poll_publishes_new_entries_once(settings: Settings, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(FEED)
    names = TopicNames(settings.topic_prefix)
    ensure_topics(settings, names.all())
    with ArticlePublisher(settings, names.articles_raw) as publisher:
        poller = FeedPoller(publisher)
        assert poller.poll(str(feed)) == (2, 1)
        assert poller.poll(str(feed)) == (0, 1)
    records = consume_all(settings.kafka_bootstrap_servers, names.articles_raw, 2)
    articles = [json.loads(r.value) for r in records]
    assert sorted(a["title"] for a in articles) == ["Border clash", "Talks resume"]
    talks = next(a for a in articles if a["title"] == "Talks resume")
    assert talks["text"] == "Envoys from Iran and Oman met."
    assert talks["source"] == "Wire" and talks["ingested_by"] == "rss"
    assert talks["published"].startswith("2026-01-15T10:00:00")


def test_unreachable_broker_is_one_clear_error(settings: Settings) -> None:
    from newsmon.local.processes import free_port

    dead = settings.model_copy(update={"kafka_bootstrap_servers": f"127.0.0.1:{free_port()}"})
    with pytest.raises(PublishError, match="127.0.0.1"):
        publisher = ArticlePublisher(dead, "articles.raw")
        publisher.publish(
            RawArticle(
                id="x",
                title="",
                text="t",
                source="s",
                ingested_by="api",
                produced_at=0.0,
            )
        )
        publisher.flush(timeout=3)
