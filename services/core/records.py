"""Record types carried on the Kafka topics.

Each class mirrors one JSON Schema in ``schemas/`` (same name, same fields); a test holds the
two together. ``SCHEMA_VERSION`` travels in every payload so consumers can refuse what they do
not understand instead of misreading it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION


class ArticleIn(BaseModel):
    """An article as a user or a feed hands it to us (POST /articles, seed JSONL lines)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str | None = Field(default=None, max_length=128)
    title: str = Field(default="", max_length=2000)
    text: str = Field(min_length=1)
    url: AnyHttpUrl | None = None
    source: str = Field(default="unknown", max_length=200)
    published: datetime | None = None

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value


class RawArticle(_Record):
    """Payload of ``articles.raw``: an accepted article, before any processing."""

    id: str = Field(min_length=1, max_length=128)
    title: str = Field(max_length=2000)
    text: str = Field(min_length=1)
    url: str | None = None
    source: str = Field(max_length=200)
    published: datetime | None = None
    ingested_by: Literal["replay", "rss", "api"]
    produced_at: float = Field(description="Unix seconds when the producer sent it")

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value


class EnrichedArticle(_Record):
    """Payload of ``articles.enriched``: the article with its sentences and topic scores."""

    id: str
    title: str
    url: str | None
    source: str
    published: datetime | None
    produced_at: float
    enriched_at: float
    sentences: list[str]
    topics: dict[str, float] = Field(description="PLOVER context -> score in [0, 1]")
    top_topics: list[str]
    topic_model: str
    event_ids: list[str] = Field(default_factory=list, description="events.dyadic records")


DeadLetterReason = Literal[
    "too_large", "not_utf8", "invalid_json", "schema_violation", "empty_text", "coder_crashed"
]
"""The edge's rejection reasons (``newsmon.core.articles.RejectReason``) and the coder's crash."""


class DeadLetter(_Record):
    """Payload of ``articles.deadletter``: a record we could not process, and why."""

    record_key: str = Field(description="the Kafka key, or a hash of the payload without one")
    reason: DeadLetterReason
    detail: str
    payload_excerpt: str = Field(max_length=2000)
    payload_bytes: int
    source_topic: str
    partition: int | None = None
    offset: int | None = None
    failed_at: float


class ActorRef(BaseModel):
    """A political actor: a country or organisation code and, where known, its agent type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=2, max_length=16, description="ISO alpha-3 or IGO code")
    agent: str | None = Field(default=None, description="PLOVER sector such as GOV, MIL, OPP")
    name: str | None = Field(default=None, description="canonical name, e.g. Vladimir Putin")
    text: str | None = Field(default=None, description="the words that named the actor")


class EventSize(BaseModel):
    """PLOVER's size of an event: the figures its sentence states, each a lower bound."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dead: int | None = Field(default=None, ge=0, description="number killed")
    injured: int | None = Field(default=None, ge=0, description="number injured")
    arrested: int | None = Field(default=None, ge=0, description="number arrested")


class DyadicEvent(_Record):
    """Payload of ``events.dyadic`` (first version, filled in by event coding)."""

    event_id: str
    article_id: str
    url: str | None = None
    source: str = ""
    sentence_index: int = Field(ge=0)
    sentence: str = Field(description="the sentence verbatim: the event's evidence")
    actors: list[ActorRef]
    recipients: list[ActorRef]
    event_type: str
    quad_class: Literal[
        "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"
    ]
    mode: str | None = None
    score: float = Field(ge=-10, le=10, description="PLOVER conflict-cooperation score")
    confidence: float = Field(ge=0, le=1)
    auxiliary: list[Literal["negation", "hypothetical", "future"]] = Field(default_factory=list)
    size: EventSize | None = Field(
        default=None, description="dead, injured, arrested as the sentence states them (PLOVER)"
    )
    published: datetime | None = None
    event_time: float = Field(description="Unix seconds: published, else when it was coded")
    coder: str = ""
    article_fingerprint: str = Field(
        default="", description="SimHash of the article text (16 hex digits), for de-duplication"
    )


class Evidence(BaseModel):
    """One sentence that moved a signal, and where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    article_id: str
    url: str | None = None
    sentence: str
    source: str = ""


class AllianceSignal(_Record):
    """Payload of ``signals.alliance`` (first version, filled in by alliance-shift detection)."""

    signal_id: str
    version: int = Field(ge=1)
    signal_type: Literal["dyad_shift", "ally_at_risk", "realignment"]
    pair: tuple[str, str] = Field(
        description="dyad_shift: the two countries; ally_at_risk and realignment: (A, A's partner)"
    )
    third_party: str | None = Field(
        default=None, description="ally_at_risk: main outside pressure; realignment: A's adversary"
    )
    direction: Literal["toward_cooperation", "toward_conflict"]
    magnitude: float = Field(ge=0)
    confidence: float = Field(ge=0, le=1)
    independent_sources: int = Field(ge=0, description="near-duplicate copies collapsed")
    evidence: list[Evidence]
    raised_at: float = Field(description="event time of its earliest evidence (Unix seconds)")
    updated_at: float = Field(description="event time of its latest evidence (Unix seconds)")
    status: Literal["active", "cleared"] = "active"
    summary: str = ""


class Alert(_Record):
    """Payload of ``alerts``: one subscription told about one signal version or article."""

    alert_id: str = Field(description="stable per (subscription, subject, version)")
    subscription_id: str
    subscription_name: str = ""
    kind: Literal["signal", "article"]
    subject_id: str = Field(description="signal id or article id")
    subject_version: int = Field(ge=1)
    summary: str
    created_at: float
    url: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    details: dict[str, Any] = Field(
        default_factory=dict, description="signal_type, pair, direction, magnitude, topics..."
    )


RECORD_TYPES: dict[str, type[_Record]] = {
    "articles.raw": RawArticle,
    "articles.enriched": EnrichedArticle,
    "articles.deadletter": DeadLetter,
    "events.dyadic": DyadicEvent,
    "signals.alliance": AllianceSignal,
    "alerts": Alert,
}
