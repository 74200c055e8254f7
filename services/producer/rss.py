"""Polling RSS and Atom feeds (feedparser) onto ``articles.raw``.

Entries are de-duplicated by their content id across polls (an in-process set of recently seen
ids, bounded) and conditional GETs (ETag / Last-Modified) keep polling cheap. An entry's text
is its content, or its summary when the feed carries no content; HTML is reduced to text.
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
from newsmon.core.articles import Rejection, parse_article_in, to_raw_article
from newsmon.core.records import ArticleIn
from newsmon.producer.publisher import ArticlePublisher

log = logging.getLogger(__name__)

SEEN_KEPT = 50_000
_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\s*/?>", "\n", markup)
    return html.unescape(_TAG.sub("", text)).strip()


def entry_to_article(entry: Any, feed_title: str) -> ArticleIn | Rejection:
    content = entry.get("content") or []
    body = content[0].get("value", "") if content else entry.get("summary", "")
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    return parse_article_in(
        {
            "title": html_to_text(entry.get("title", "")),
            "text": html_to_text(body),
            "url": entry.get("link") or None,
            "source": feed_title or "rss",
            "published": (datetime(*published[:6], tzinfo=UTC).isoformat() if published else None),
        }
    )


@dataclass
class FeedPoller:
    publisher: ArticlePublisher
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    validators: dict[str, dict[str, str]] = field(default_factory=dict)

    def poll(self, url: str) -> tuple[int, int]:
        """Fetch one feed; returns (new articles published, entries rejected)."""
        cached = self.validators.get(url, {})
        parsed = feedparser.parse(url, etag=cached.get("etag"), modified=cached.get("modified"))
        if parsed.get("bozo") and not parsed.entries:
            log.warning("feed %s unreadable: %s", url, parsed.get("bozo_exception"))
            return 0, 0
        self.validators[url] = {
            k: v for k in ("etag", "modified") if (v := parsed.get(k)) is not None
        }
        feed_title = parsed.feed.get("title", "") if parsed.get("feed") else ""
        new, rejected, articles = 0, 0, []
        for entry in parsed.entries:
            article = entry_to_article(entry, feed_title)
            if isinstance(article, Rejection):
                log.warning("feed %s entry rejected: %s (%s)", url, article.reason, article.detail)
                rejected += 1
            else:
                articles.append(article)
        # feeds list the newest first; the stream takes news as it happened (undated last:
        # they are timed when coded), so a poll does not raise signals that its own older
        # entries, arriving after, clear
        articles.sort(
            key=lambda a: (a.published is None, a.published.timestamp() if a.published else 0)
        )
        for article in articles:
            raw = to_raw_article(article, "rss")
            if raw.id in self.seen:
                continue
            self.seen[raw.id] = None
            if len(self.seen) > SEEN_KEPT:
                self.seen.popitem(last=False)
            self.publisher.publish(raw)
            new += 1
        self.publisher.flush()
        return new, rejected

    def run(
        self,
        urls: list[str],
        interval_s: float,
        once: bool = False,
        on_poll: Callable[[str, int, int], None] | None = None,
    ) -> None:
        while True:
            for url in urls:
                new, rejected = self.poll(url)
                if on_poll:
                    on_poll(url, new, rejected)
            if once:
                return
            time.sleep(interval_s)
