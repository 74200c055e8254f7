"""``newsmon annotate``: JSON Lines in, coded JSON Lines out; no broker, no Redis.

Each input line is an object with ``id`` and ``text`` (``published`` and ``title`` optional);
each output line has the same ``id``, ``topics`` (context -> score) and ``events``. A line that
cannot be read gives ``{"id": ..., "error": reason}`` and the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO

from newsmon.nlp.coder import ArticleInput, CodedArticle, CodedEvent, EventCoder
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CHUNK = 32


class AnnotateItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | int
    text: str = Field(min_length=1)
    title: str = ""
    published: datetime | None = None


def event_json(event: CodedEvent) -> dict:
    return {
        "event_id": event.event_id,
        "sentence_index": event.sentence_index,
        "sentence": event.sentence,
        "event_type": event.event_type,
        "quad_class": event.quad_class,
        "mode": event.mode,
        "actors": [p.code for p in event.actors],
        "recipients": [p.code for p in event.recipients],
        "actor_details": [p.as_dict() for p in event.actors],
        "recipient_details": [p.as_dict() for p in event.recipients],
        "score": event.score,
        "confidence": event.confidence,
        "auxiliary": event.auxiliary,
        "size": event.size,
    }


def article_json(item_id: str | int, coded: CodedArticle) -> dict:
    return {
        "id": item_id,
        "topics": coded.topics,
        "top_topics": coded.top_topics,
        "events": [event_json(e) for e in coded.events],
    }


def parse_line(line: str | bytes) -> AnnotateItem | dict:
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return {"id": None, "error": f"not_utf8: invalid UTF-8 at byte {exc.start}"}
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"invalid_json: {exc.msg} at column {exc.colno}"}
    if not isinstance(value, dict):
        return {"id": None, "error": "schema_violation: expected a JSON object"}
    try:
        return AnnotateItem.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        item_id = value.get("id") if isinstance(value.get("id"), (str, int)) else None
        return {"id": item_id, "error": f"schema_violation: {where}: {first['msg']}"}


def annotate_lines(lines: Iterable[str | bytes], coder: EventCoder) -> Iterator[dict]:
    """Results in input order; valid items are coded in chunks for batched forward passes."""
    pending: list[tuple[int, AnnotateItem | dict]] = []

    def flush() -> Iterator[dict]:
        items = [(i, p) for i, p in pending if isinstance(p, AnnotateItem)]
        coded = (
            coder([ArticleInput(str(p.id), p.title, p.text, p.published) for _, p in items])
            if items
            else []
        )
        by_index = {i: article_json(p.id, c) for (i, p), c in zip(items, coded, strict=True)}
        for i, parsed in pending:
            yield by_index.get(i, parsed)  # type: ignore[arg-type]
        pending.clear()

    for index, line in enumerate(lines):
        if not line.strip():
            continue
        pending.append((index, parse_line(line)))
        if len(pending) >= CHUNK:
            yield from flush()
    yield from flush()


def run_annotate(stdin: IO[bytes], stdout: IO[str], coder: EventCoder) -> int:
    count = 0
    for result in annotate_lines(stdin, coder):
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
        count += 1
    return count
