import json

from newsmon.core.articles import payload_key, to_raw_article
from newsmon.core.records import ArticleIn
from newsmon.core.topic_model import TopicResult
from newsmon.producer.poison import poison_records
from newsmon.worker.enrichment import IncomingRecord, build_enriched, split_valid

LIMIT = 1024 * 1024


def record(payload: bytes, key: bytes | None = None, offset: int = 0) -> IncomingRecord:
    return IncomingRecord(
        key=key, payload=payload, topic="articles.raw", partition=1, offset=offset
    )


def test_split_keeps_valid_articles_once_and_dead_letters_the_rest() -> None:
    good = to_raw_article(ArticleIn(title="t", text="Talks began."), "replay", produced_at=1.0)
    good_bytes = good.model_dump_json().encode()
    records = [
        record(good_bytes, good.id.encode(), 0),
        record(b"{oops", None, 1),
        record(good_bytes, good.id.encode(), 2),
        record(b"\xff", b"\xfe\xff", 3),
    ]
    oks, errs = split_valid(records, LIMIT, now=5.0)
    assert [a.id for a in oks] == [good.id]
    assert [(e.reason, e.offset, e.partition) for e in errs] == [
        ("invalid_json", 1, 1),
        ("not_utf8", 3, 1),
    ]
    assert errs[0].record_key == payload_key(b"{oops")
    assert errs[1].record_key == payload_key(b"\xff"), "undecodable keys fall back to a hash"
    assert errs[0].payload_excerpt == "{oops" and errs[0].failed_at == 5.0


def test_every_poison_record_gets_its_expected_reason() -> None:
    records = [record(p.payload, p.key.encode()) for p in poison_records()]
    oks, errs = split_valid(records, LIMIT, now=0.0)
    assert oks == []
    assert [e.reason for e in errs] == [p.expected_reason for p in poison_records()]
    assert all(e.detail for e in errs)
    assert all(json.loads(e.model_dump_json())["payload_bytes"] > 0 for e in errs)


def test_enriched_record_carries_the_article_and_its_topics() -> None:
    raw = to_raw_article(
        ArticleIn(title="t", text="x.", url="https://example.org/a"), "api", produced_at=2.0
    )
    topics = TopicResult(
        sentences=["x."], topics={"health": 0.7, "legal": 0.3}, top_topics=["health"]
    )
    enriched = build_enriched(raw, topics, "model-x", enriched_at=3.0)
    assert enriched.id == raw.id and enriched.url == "https://example.org/a"
    assert enriched.top_topics == ["health"] and enriched.topic_model == "model-x"
    assert enriched.enriched_at - enriched.produced_at == 1.0
