"""Replaying seed articles onto ``articles.raw`` as a test stream.

As fast as possible, at a fixed ``rate`` per second, or by the articles' published timestamps
sped up ``speedup`` times; optionally in a loop. Ids are content hashes, so replaying the same
files gives the same records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsmon.core.articles import to_raw_article
from newsmon.core.records import ArticleIn
from newsmon.producer.publisher import ArticlePublisher

MAX_SPEEDUP_GAP_S = 5.0


@dataclass
class ReplayReport:
    sent: int = 0
    ids: list[str] = field(default_factory=list)


def _published_seconds(article: ArticleIn) -> float | None:
    if article.published is None:
        return None
    published = article.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return published.timestamp()


def schedule_delays(
    articles: Sequence[ArticleIn], rate: float | None, speedup: float | None
) -> list[float]:
    """Seconds to wait before each article (pure, so the pacing can be tested).

    With ``speedup`` the articles are expected in published order; a gap is capped at
    ``MAX_SPEEDUP_GAP_S`` so a replay of stories years apart still finishes.
    """
    if rate:
        return [0.0] + [1.0 / rate] * (len(articles) - 1) if articles else []
    if speedup:
        delays, previous = [], None
        for article in articles:
            current = _published_seconds(article)
            gap = 0.0 if previous is None or current is None else max(0.0, current - previous)
            delays.append(min(gap / speedup, MAX_SPEEDUP_GAP_S))
            previous = current if current is not None else previous
        return delays
    return [0.0] * len(articles)


def order_for_replay(articles: list[ArticleIn], speedup: float | bool | None) -> list[ArticleIn]:
    """Published order (undated articles first) when replaying by time, else as given."""
    if not speedup:
        return articles
    epoch = datetime.min.replace(tzinfo=UTC).timestamp()
    return sorted(articles, key=lambda a: _published_seconds(a) or epoch)


def replay(
    articles: list[ArticleIn],
    publisher: ArticlePublisher,
    rate: float | None = None,
    speedup: float | None = None,
    loop: bool = False,
    on_sent: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    chronological: bool = False,
) -> ReplayReport:
    """Publish ``articles``: in their given order, or in published order with ``speedup`` or
    ``chronological`` (as news arrives; the demo's stream does this)."""
    ordered = order_for_replay(articles, speedup or chronological)
    delays = schedule_delays(ordered, rate, speedup)
    report = ReplayReport()
    while True:
        for article, delay in zip(ordered, delays, strict=True):
            if should_stop():
                publisher.flush()
                return report
            if delay:
                time.sleep(delay)
            raw = to_raw_article(article, "replay")
            publisher.publish(raw)
            report.sent += 1
            if report.sent <= len(ordered):
                report.ids.append(raw.id)
            if on_sent:
                on_sent(report.sent)
        publisher.flush()
        if not loop:
            return report
