"""Which subscriptions an alliance signal or an enriched article concerns.

Pure functions over plain dicts (the payloads of ``signals.alliance`` and ``articles.enriched``).
"""

from __future__ import annotations

import hashlib
import re

from newsmon.alerts.subscriptions import Subscription


def signal_matches(subscription: Subscription, signal: dict) -> bool:
    f = subscription.filters
    if "signal" not in f.kinds:
        return False
    if signal.get("status") != "active":
        return False
    parties = {*signal["pair"], *([signal["third_party"]] if signal.get("third_party") else [])}
    pair = tuple(sorted(signal["pair"]))
    return (
        (not f.signal_types or signal["signal_type"] in f.signal_types)
        and (not f.countries or bool(parties & set(f.countries)))
        and (not f.pairs or pair in {tuple(p) for p in f.pairs})
        and signal["confidence"] >= f.min_confidence
        and signal["magnitude"] >= f.min_magnitude
        and (not f.keywords or _has_keyword(f.keywords, _signal_text(signal)))
        and not f.topics
    )


def article_matches(subscription: Subscription, article: dict, countries: set[str]) -> bool:
    """``countries``: the codes of the article's coded events (actors and recipients)."""
    f = subscription.filters
    if "article" not in f.kinds:
        return False
    text = " ".join([article.get("title", ""), *article.get("sentences", [])])
    return (
        (not f.topics or bool(set(article.get("top_topics", [])) & set(f.topics)))
        and (not f.countries or bool(countries & set(f.countries)))
        and (not f.keywords or _has_keyword(f.keywords, text))
        and not f.signal_types
        and not f.pairs
    )


def _signal_text(signal: dict) -> str:
    return " ".join([signal.get("summary", ""), *(e["sentence"] for e in signal["evidence"])])


def _has_keyword(keywords: list[str], text: str) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(k)}\b", lowered) for k in keywords)


def alert_id(subscription_id: str, subject_id: str, version: int) -> str:
    """One alert per (subscription, subject version): the delivery's idempotency key."""
    raw = f"{subscription_id}:{subject_id}:{version}".encode()
    return "alrt_" + hashlib.sha256(raw).hexdigest()[:20]


def signal_summary(signal: dict) -> str:
    third = f" ({signal['third_party']})" if signal.get("third_party") else ""
    return (
        f"{signal['signal_type']} {'-'.join(signal['pair'])}{third}: {signal.get('summary', '')} "
        f"[confidence {signal['confidence']:.2f}, {signal['independent_sources']} source(s), "
        f"version {signal['version']}]"
    )


def article_summary(article: dict) -> str:
    topics = ", ".join(article.get("top_topics", []))
    return f"{article.get('title') or '(untitled)'} [{topics}]"
