"""The record classes and the JSON Schemas in schemas/ describe the same payloads."""

import json
from pathlib import Path

import jsonschema
import pytest
from newsmon.core.records import (
    RECORD_TYPES,
    ActorRef,
    Alert,
    AllianceSignal,
    DeadLetter,
    DyadicEvent,
    EnrichedArticle,
    Evidence,
    RawArticle,
)
from newsmon.core.topics import ALL_TOPICS
from pydantic import ValidationError

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"

EXAMPLES = {
    "articles.raw": RawArticle(
        id="abc",
        title="t",
        text="Body.",
        url="https://example.org/a",
        source="s",
        published="2026-01-15T00:00:00Z",
        ingested_by="api",
        produced_at=1.5,
    ),
    "articles.enriched": EnrichedArticle(
        id="abc",
        title="t",
        url=None,
        source="s",
        published=None,
        produced_at=1.0,
        enriched_at=2.0,
        sentences=["Body."],
        topics={"diplomatic": 0.9},
        top_topics=["diplomatic"],
        topic_model="m",
    ),
    "articles.deadletter": DeadLetter(
        record_key="k",
        reason="invalid_json",
        detail="d",
        payload_excerpt="{",
        payload_bytes=1,
        source_topic="articles.raw",
        partition=0,
        offset=3,
        failed_at=1.0,
    ),
    "events.dyadic": DyadicEvent(
        event_id="e",
        article_id="a",
        sentence_index=0,
        sentence="Russia criticised Iran.",
        actors=[ActorRef(code="RUS", agent="GOV")],
        recipients=[ActorRef(code="IRN")],
        event_type="ACCUSE",
        quad_class="verbal_conflict",
        score=-3.0,
        confidence=0.7,
        auxiliary=["future"],
        event_time=1.0,
        url="https://example.org/a",
        source="s",
    ),
    "signals.alliance": AllianceSignal(
        signal_id="s",
        version=1,
        signal_type="dyad_shift",
        pair=("RUS", "SYR"),
        direction="toward_conflict",
        magnitude=1.2,
        confidence=0.6,
        independent_sources=2,
        evidence=[Evidence(article_id="a", sentence="x")],
        raised_at=1.0,
        updated_at=1.0,
    ),
    "alerts": Alert(
        alert_id="a",
        subscription_id="s",
        kind="signal",
        subject_id="s",
        subject_version=1,
        summary="x",
        created_at=1.0,
    ),
}


def load_schema(topic: str) -> dict:
    return json.loads((SCHEMAS / f"{topic}.v1.json").read_text())


def test_every_topic_has_a_schema_and_a_record_type() -> None:
    assert set(RECORD_TYPES) == set(ALL_TOPICS) == set(EXAMPLES)
    for topic in ALL_TOPICS:
        schema = load_schema(topic)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == topic
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_schema_and_record_have_the_same_fields(topic: str) -> None:
    schema = load_schema(topic)
    generated = RECORD_TYPES[topic].model_json_schema(mode="serialization")
    assert set(schema["properties"]) == set(generated["properties"])
    assert set(schema.get("required", [])) == set(generated.get("required", []))
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_examples_are_valid_under_both(topic: str) -> None:
    payload = json.loads(EXAMPLES[topic].model_dump_json())
    validator = jsonschema.Draft202012Validator(
        load_schema(topic), format_checker=jsonschema.FormatChecker()
    )
    validator.validate(payload)
    assert RECORD_TYPES[topic].model_validate(payload) == EXAMPLES[topic]


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_extra_fields_and_other_versions_are_refused_by_both(topic: str) -> None:
    validator = jsonschema.Draft202012Validator(load_schema(topic))
    for change in ({"surprise": 1}, {"schema_version": 2}):
        payload = {**json.loads(EXAMPLES[topic].model_dump_json()), **change}
        assert not validator.is_valid(payload)
        with pytest.raises(ValidationError):
            RECORD_TYPES[topic].model_validate(payload)


def test_blank_article_text_is_refused_by_both() -> None:
    payload = {**json.loads(EXAMPLES["articles.raw"].model_dump_json()), "text": "  "}
    assert not jsonschema.Draft202012Validator(load_schema("articles.raw")).is_valid(payload)
    with pytest.raises(ValidationError):
        RawArticle.model_validate(payload)
