"""Every Kafka topic name, in one place.

Topics are dotted nouns; each payload's JSON Schema in ``schemas/`` carries the same name.
"""

from __future__ import annotations

from dataclasses import dataclass

ARTICLES_RAW = "articles.raw"
ARTICLES_ENRICHED = "articles.enriched"
ARTICLES_DEADLETTER = "articles.deadletter"
EVENTS_DYADIC = "events.dyadic"
SIGNALS_ALLIANCE = "signals.alliance"
ALERTS = "alerts"
EVENTS_BY_PAIR = "events.by_pair"
EVENTS_BY_COUNTRY = "events.by_country"

ALL_TOPICS = (
    ARTICLES_RAW,
    ARTICLES_ENRICHED,
    ARTICLES_DEADLETTER,
    EVENTS_DYADIC,
    SIGNALS_ALLIANCE,
    ALERTS,
)

INTERNAL_TOPICS = (EVENTS_BY_PAIR, EVENTS_BY_COUNTRY)
"""Each article's events.dyadic records grouped by pair and by country, keyed to partition the
alliance state; no schema of their own."""


@dataclass(frozen=True)
class TopicNames:
    """Topic names with a deployment's prefix applied (tests use a uuid prefix)."""

    prefix: str = ""

    def name(self, base: str) -> str:
        return f"{self.prefix}{base}"

    @property
    def articles_raw(self) -> str:
        return self.name(ARTICLES_RAW)

    @property
    def articles_enriched(self) -> str:
        return self.name(ARTICLES_ENRICHED)

    @property
    def events_dyadic(self) -> str:
        return self.name(EVENTS_DYADIC)

    @property
    def articles_deadletter(self) -> str:
        return self.name(ARTICLES_DEADLETTER)

    @property
    def signals_alliance(self) -> str:
        return self.name(SIGNALS_ALLIANCE)

    @property
    def events_by_pair(self) -> str:
        return self.name(EVENTS_BY_PAIR)

    @property
    def events_by_country(self) -> str:
        return self.name(EVENTS_BY_COUNTRY)

    def all(self) -> list[str]:
        return [self.name(t) for t in (*ALL_TOPICS, *INTERNAL_TOPICS)]
