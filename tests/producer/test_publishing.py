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


def test_the_replay_command_sends_in_published_order_unless_told_otherwise(
    settings: Settings, tmp_path: Path
) -> None:
    """A stream sent out of order raises signals that earlier news, arriving later, clears:
    ``newsmon replay`` sends as news arrives; ``--file-order`` keeps the file's order."""
    from newsmon.cli import app
    from typer.testing import CliRunner

    dates = ["2026-01-20", "2025-06-01", "2026-01-02"]
    stream = tmp_path / "stream.jsonl"
    stream.write_text(
        "\n".join(
            json.dumps({"title": f"on {d}", "text": f"News of {d}.", "published": d}) for d in dates
        )
    )
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "NEWSMON_BROKER_PROFILE": settings.broker_profile.value,
        "NEWSMON_TOPIC_PREFIX": settings.topic_prefix,
    }
    names = TopicNames(settings.topic_prefix)
    sent = []
    for flags in ([], ["--file-order"]):
        done = CliRunner().invoke(app, ["replay", str(stream), *flags], env=env)
        assert done.exit_code == 0, done.output
        expected = 3 * (1 + len(sent))
        records = consume_all(settings.kafka_bootstrap_servers, names.articles_raw, expected)
        raws = [RawArticle.model_validate_json(r.value) for r in records]
        latest = sorted(raws, key=lambda r: r.produced_at)[-3:]
        sent.append([r.title for r in latest])
    assert sent == [
        ["on 2025-06-01", "on 2026-01-02", "on 2026-01-20"],
        [f"on {d}" for d in dates],
    ]


def test_rss_poll_sends_a_feeds_entries_oldest_first(settings: Settings, tmp_path: Path) -> None:
    """Feeds list the newest first; the stream takes news as it happened, undated last."""
    items = [
        ("Undated note", None),
        ("Newest", "Fri, 16 Jan 2026 09:00:00 GMT"),
        ("Oldest", "Wed, 14 Jan 2026 09:00:00 GMT"),
        ("Middle", "Thu, 15 Jan 2026 09:00:00 GMT"),
    ]
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        + "".join(
            f"<item><title>{title}</title><description>{title} text.</description>"
            + (f"<pubDate>{date}</pubDate>" if date else "")
            + "</item>"
            for title, date in items
        )
        + "</channel></rss>"
    )
    names = TopicNames(settings.topic_prefix)
    ensure_topics(settings, names.all())
    with ArticlePublisher(settings, names.articles_raw) as publisher:
        assert FeedPoller(publisher).poll(str(feed)) == (4, 0)
    records = consume_all(settings.kafka_bootstrap_servers, names.articles_raw, 4)
    raws = [RawArticle.model_validate_json(r.value) for r in records]
    raws.sort(key=lambda r: r.produced_at)
    assert [r.title for r in raws] == ["Oldest", "Middle", "Newest", "Undated note"]
