import json
from datetime import UTC, datetime

from newsmon.core.articles import payload_key, to_raw_article
from newsmon.core.records import ArticleIn
from newsmon.producer.poison import poison_records
from newsmon.worker.enrichment import (
    IncomingRecord,
    build_enriched,
    build_events,
    coder_crash_letter,
    split_valid,
)

from tests.coded_examples import coded_article

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


def test_enriched_record_carries_the_article_its_topics_and_event_ids() -> None:
    raw = to_raw_article(
        ArticleIn(title="t", text="x.", url="https://example.org/a"), "api", produced_at=2.0
    )
    enriched = build_enriched(raw, coded_article(raw.id), "model-x", enriched_at=3.0)
    assert enriched.id == raw.id and enriched.url == "https://example.org/a"
    assert enriched.top_topics == ["military"] and enriched.topic_model == "model-x"
    assert enriched.event_ids == ["ev1"]
    assert enriched.enriched_at - enriched.produced_at == 1.0


def test_events_carry_evidence_and_use_the_published_time() -> None:
    published = datetime(2026, 1, 15, tzinfo=UTC)
    raw = to_raw_article(
        ArticleIn(text="x.", url="https://example.org/a", source="wire", published=published),
        "api",
        produced_at=2.0,
    )
    [event] = build_events(raw, coded_article(raw.id), "coder-x", coded_at=99.0)
    assert event.article_id == raw.id and event.url == "https://example.org/a"
    assert event.sentence == "US forces captured Maduro."
    assert [a.code for a in event.actors] == ["USA"] and event.actors[0].agent == "MIL"
    assert [r.code for r in event.recipients] == ["VEN"]
    assert event.event_time == published.timestamp()
    undated = to_raw_article(ArticleIn(text="x."), "api", produced_at=2.0)
    assert (
        build_events(undated, coded_article(undated.id), "c", coded_at=99.0)[0].event_time == 99.0
    )


def test_an_article_that_killed_its_coder_is_dead_lettered_with_its_reason() -> None:
    raw = to_raw_article(ArticleIn(title="t", text="x." * 400), "api", produced_at=2.0)
    letter = coder_crash_letter(raw, "articles.raw", failed_at=5.0)
    assert letter.reason == "coder_crashed" and letter.record_key == raw.id
    assert letter.source_topic == "articles.raw" and "coder process died" in letter.detail
    assert letter.payload_excerpt.startswith('{"') and len(letter.payload_excerpt) == 500
    assert letter.payload_bytes == len(raw.model_dump_json().encode())
