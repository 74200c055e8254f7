"""Turning bytes and user input into valid articles, or into a reason why not.

Used at every edge (replay, RSS, HTTP) and again inside the stream, so a record that reaches
``articles.raw`` by another route meets the same rules. Rejection is a value, not an exception:
the worker dead-letters it and moves on.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Literal

from newsmon.core.records import ArticleIn, RawArticle
from pydantic import ValidationError

RejectReason = Literal["too_large", "not_utf8", "invalid_json", "schema_violation", "empty_text"]

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rejection:
    reason: RejectReason
    detail: str


def article_id(title: str, text: str) -> str:
    """A stable id from the content, so replaying the same article gives the same id.

    Whitespace is normalised first: the same story re-wrapped by a feed is the same article.
    """
    normal = _WHITESPACE.sub(" ", f"{title}\n{text}").strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def payload_key(payload: bytes) -> str:
    """Key for a record that has none of its own (dead letters of unreadable payloads)."""
    return "raw-" + hashlib.sha256(payload).hexdigest()[:16]


def to_raw_article(
    article: ArticleIn,
    ingested_by: Literal["replay", "rss", "api"],
    produced_at: float | None = None,
) -> RawArticle:
    return RawArticle(
        id=article.id or article_id(article.title, article.text),
        title=article.title,
        text=article.text,
        url=str(article.url) if article.url else None,
        source=article.source,
        published=article.published,
        ingested_by=ingested_by,
        produced_at=time.time() if produced_at is None else produced_at,
    )


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def _is_empty_text_error(error: ValidationError) -> bool:
    return any(
        item["loc"] == ("text",) and ("empty" in item["msg"] or item["type"] == "string_too_short")
        for item in error.errors()
    )


def decode_json_object(payload: bytes, max_bytes: int) -> dict | Rejection:
    """Size, encoding and JSON checks shared by raw records and user input."""
    if len(payload) > max_bytes:
        return Rejection("too_large", f"{len(payload)} bytes, limit {max_bytes}")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection("not_utf8", f"invalid UTF-8 at byte {exc.start}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Rejection("invalid_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}")
    if not isinstance(value, dict):
        return Rejection("schema_violation", f"expected a JSON object, got {type(value).__name__}")
    return value


def parse_article_in(value: dict) -> ArticleIn | Rejection:
    """Validate user input (an object with at least ``text``)."""
    try:
        return ArticleIn.model_validate(value)
    except ValidationError as exc:
        reason: RejectReason = "empty_text" if _is_empty_text_error(exc) else "schema_violation"
        return Rejection(reason, _describe(exc))


def parse_raw_article(payload: bytes, max_bytes: int) -> RawArticle | Rejection:
    """Validate one ``articles.raw`` payload as the stream worker receives it."""
    value = decode_json_object(payload, max_bytes)
    if isinstance(value, Rejection):
        return value
    try:
        return RawArticle.model_validate(value)
    except ValidationError as exc:
        reason: RejectReason = "empty_text" if _is_empty_text_error(exc) else "schema_violation"
        return Rejection(reason, _describe(exc))
