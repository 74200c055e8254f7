import json

import pytest
from newsmon.core.articles import (
    Rejection,
    article_id,
    parse_article_in,
    parse_raw_article,
    to_raw_article,
)
from newsmon.core.records import ArticleIn, RawArticle

LIMIT = 1024 * 1024


def raw_payload(**overrides: object) -> bytes:
    raw = to_raw_article(ArticleIn(title="T", text="Body text."), "replay", produced_at=1.0)
    data = json.loads(raw.model_dump_json())
    data.update(overrides)
    return json.dumps(data).encode()


def test_article_id_is_stable_and_ignores_rewrapping() -> None:
    assert article_id("Title", "One  line.\nTwo") == article_id("Title", "One line. Two")
    assert article_id("Title", "One") != article_id("Title", "Two")
    assert len(article_id("a", "b")) == 16


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe\x00", "not_utf8"),
        (b"[1, 2]", "schema_violation"),
        (b'"just a string"', "schema_violation"),
        (raw_payload(text=""), "empty_text"),
        (raw_payload(text=" \n\t "), "empty_text"),
        (raw_payload(text=42), "schema_violation"),
        (raw_payload(schema_version=2), "schema_violation"),
        (raw_payload(unexpected="field"), "schema_violation"),
        (raw_payload(ingested_by="carrier-pigeon"), "schema_violation"),
        (b" " * (LIMIT + 1), "too_large"),
    ],
)
def test_bad_raw_payloads_are_rejected_with_their_reason(payload: bytes, reason: str) -> None:
    result = parse_raw_article(payload, LIMIT)
    assert isinstance(result, Rejection)
    assert result.reason == reason
    assert result.detail


def test_valid_raw_payload_round_trips() -> None:
    result = parse_raw_article(raw_payload(), LIMIT)
    assert isinstance(result, RawArticle)
    assert result.text == "Body text."
    assert result.id == article_id("T", "Body text.")


def test_user_input_keeps_given_id_and_parses_dates() -> None:
    parsed = parse_article_in(
        {"id": "mine-1", "text": "x y z", "published": "2019-11-25T23:43:03Z", "extra": 1}
    )
    assert isinstance(parsed, ArticleIn)
    raw = to_raw_article(parsed, "api")
    assert raw.id == "mine-1"
    assert raw.published is not None and raw.published.year == 2019


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"title": "no text"}, "schema_violation"),
        ({"text": "   "}, "empty_text"),
        ({"text": "ok", "url": "javascript:alert(1)"}, "schema_violation"),
        ({"text": "ok", "published": "yesterday-ish"}, "schema_violation"),
    ],
)
def test_bad_user_input_is_rejected(value: dict, reason: str) -> None:
    result = parse_article_in(value)
    assert isinstance(result, Rejection)
    assert result.reason == reason
