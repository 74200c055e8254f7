"""A fixed set of malformed records that the demo sends straight to ``articles.raw``.

They bypass the producer's own checks on purpose, the way a buggy or hostile producer would,
to show that the worker dead-letters each with its reason and keeps the stream flowing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from newsmon.core.articles import payload_key


@dataclass(frozen=True)
class PoisonRecord:
    payload: bytes
    expected_reason: str

    @property
    def key(self) -> str:
        return payload_key(self.payload)


def _raw(**fields: object) -> bytes:
    base = {
        "schema_version": 1,
        "id": "poison",
        "title": "poison",
        "text": "A sentence.",
        "url": None,
        "source": "demo",
        "published": None,
        "ingested_by": "replay",
        "produced_at": 0.0,
    }
    base.update(fields)
    return json.dumps(base).encode("utf-8")


def poison_records() -> list[PoisonRecord]:
    return [
        PoisonRecord(b'{"title": "truncated", "text": "no closing brace"', "invalid_json"),
        PoisonRecord(b"\xff\xfe not utf-8 \xc3\x28", "not_utf8"),
        PoisonRecord(b'["an", "array", "not", "an", "object"]', "schema_violation"),
        PoisonRecord(_raw(id="poison-types", text=42), "schema_violation"),
        PoisonRecord(_raw(id="poison-empty", text="   \n  "), "empty_text"),
        PoisonRecord(_raw(id="poison-version", schema_version=99), "schema_violation"),
    ]
