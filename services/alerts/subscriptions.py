"""Alert subscriptions: what an analyst wants to be told, and how.

A subscription belongs to one API key (its owner). Its filters are ANDed: every filter that is
set must match, and an empty filter matches everything. Within a filter the values are ORed
(any of these countries, any of these topics).
"""

from __future__ import annotations

import re
import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
SIGNAL_TYPES = ("dyad_shift", "ally_at_risk", "realignment")


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: list[str] = Field(default_factory=list, description="PLOVER contexts (articles)")
    countries: list[str] = Field(default_factory=list, description="codes, e.g. RUS, IRN")
    pairs: list[tuple[str, str]] = Field(default_factory=list, description="unordered pairs")
    signal_types: list[Literal["dyad_shift", "ally_at_risk", "realignment"]] = Field(
        default_factory=list
    )
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    min_magnitude: float = Field(default=0.0, ge=0)
    keywords: list[str] = Field(default_factory=list, description="words in article text")
    kinds: list[Literal["signal", "article"]] = Field(
        default_factory=lambda: ["signal"], description="alert on signals, articles or both"
    )

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        codes = [v.strip().upper() for v in value]
        bad = [c for c in codes if not _CODE.match(c)]
        if bad:
            raise ValueError(f"not country or organisation codes: {bad}")
        return codes

    @field_validator("pairs")
    @classmethod
    def _pairs(cls, value: list[tuple[str, str]]) -> list[tuple[str, str]]:
        pairs = []
        for a, b in value:
            a, b = a.strip().upper(), b.strip().upper()
            if not (_CODE.match(a) and _CODE.match(b)) or a == b:
                raise ValueError(f"a pair is two different codes: {a}, {b}")
            pairs.append((a, b) if a <= b else (b, a))
        return pairs

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value if v.strip()][:50]


class Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    format: Literal["standard", "slack"] = "standard"


class SubscriptionIn(BaseModel):
    """What a client sends to create or replace a subscription."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    filters: Filters = Field(default_factory=Filters)
    webhook: Webhook | None = None
    max_alerts_per_hour: int = Field(default=60, ge=1, le=10_000)
    material_changes_only: bool = Field(
        default=True, description="evolving signals alert again only when materially changed"
    )


class Subscription(SubscriptionIn):
    id: str
    owner: str
    webhook_secret: str | None = None
    created_at: float
    updated_at: float

    def public(self) -> dict:
        """What the owner sees (the webhook secret is shown once, on creation)."""
        return self.model_dump(mode="json", exclude={"webhook_secret"})


def new_subscription_id() -> str:
    return "sub_" + secrets.token_hex(8)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and base64 of 24 random bytes."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
