"""The worker's pure steps: split a batch into valid articles and dead letters, and build
enriched records. No Kafka, Redis or asyncio here, so all of it is tested with plain tables."""

from __future__ import annotations

from dataclasses import dataclass

from newsmon.core.articles import Rejection, parse_raw_article, payload_key
from newsmon.core.records import (
    ActorRef,
    DeadLetter,
    DeadLetterReason,
    DyadicEvent,
    EnrichedArticle,
    EventSize,
    RawArticle,
)
from newsmon.nlp.coder import ArticleInput, CodedArticle, Participant
from newsmon.signals.simhash import simhash

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class IncomingRecord:
    key: bytes | None
    payload: bytes
    topic: str
    partition: int | None = None
    offset: int | None = None

    @property
    def record_key(self) -> str:
        if self.key:
            try:
                return self.key.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return payload_key(self.payload)


def dead_letter(
    record: IncomingRecord, reason: DeadLetterReason, detail: str, failed_at: float
) -> DeadLetter:
    return DeadLetter(
        record_key=record.record_key,
        reason=reason,
        detail=detail[:1000],
        payload_excerpt=record.payload[:EXCERPT_CHARS].decode("utf-8", errors="replace"),
        payload_bytes=len(record.payload),
        source_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        failed_at=failed_at,
    )


def coder_crash_letter(raw: RawArticle, topic: str, failed_at: float) -> DeadLetter:
    """The dead letter of a valid article whose coding killed the coder process each time."""
    record = IncomingRecord(
        key=raw.id.encode(), payload=raw.model_dump_json().encode(), topic=topic
    )
    detail = "the coder process died coding this article alone, after a restart"
    return dead_letter(record, "coder_crashed", detail, failed_at)


def split_valid(
    records: list[IncomingRecord], max_bytes: int, now: float
) -> tuple[list[RawArticle], list[DeadLetter]]:
    """The ``oks, errs`` split: valid articles (first copy of each id) and dead letters."""
    oks: list[RawArticle] = []
    errs: list[DeadLetter] = []
    seen: set[str] = set()
    for record in records:
        parsed = parse_raw_article(record.payload, max_bytes)
        if isinstance(parsed, Rejection):
            errs.append(dead_letter(record, parsed.reason, parsed.detail, now))
        elif parsed.id not in seen:
            seen.add(parsed.id)
            oks.append(parsed)
    return oks, errs


def coder_input(raw: RawArticle) -> ArticleInput:
    return ArticleInput(raw.id, raw.title, raw.text, raw.published)


def _actor_ref(participant: Participant) -> ActorRef:
    return ActorRef(
        code=participant.code,
        agent=participant.agent,
        name=participant.name,
        text=participant.text,
    )


def build_events(
    raw: RawArticle, coded: CodedArticle, coder_label: str, coded_at: float
) -> list[DyadicEvent]:
    """One ``events.dyadic`` record per coded event, timed by the article's published date."""
    event_time = raw.published.timestamp() if raw.published else coded_at
    fingerprint = f"{simhash(raw.text):016x}"
    return [
        DyadicEvent(
            event_id=event.event_id,
            article_id=raw.id,
            url=raw.url,
            source=raw.source,
            sentence_index=event.sentence_index,
            sentence=event.sentence,
            actors=[_actor_ref(p) for p in event.actors],
            recipients=[_actor_ref(p) for p in event.recipients],
            event_type=event.event_type,
            quad_class=event.quad_class,  # type: ignore[arg-type]
            mode=event.mode,
            score=event.score,
            confidence=event.confidence,
            auxiliary=event.auxiliary,  # type: ignore[arg-type]
            size=EventSize(**event.size) if event.size else None,
            published=raw.published,
            event_time=event_time,
            coder=coder_label,
            article_fingerprint=fingerprint,
        )
        for event in coded.events
    ]


def build_enriched(
    raw: RawArticle, coded: CodedArticle, coder_label: str, enriched_at: float
) -> EnrichedArticle:
    return EnrichedArticle(
        id=raw.id,
        title=raw.title,
        url=raw.url,
        source=raw.source,
        published=raw.published,
        produced_at=raw.produced_at,
        enriched_at=enriched_at,
        sentences=coded.sentences,
        topics=coded.topics,
        top_topics=coded.top_topics,
        topic_model=coder_label,
        event_ids=[e.event_id for e in coded.events],
    )
