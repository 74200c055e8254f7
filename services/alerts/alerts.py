"""Building alerts: which subscriptions a signal or an article concerns, and what they get.

Material-change control per subscription: with ``material_changes_only`` a new version of a
signal already alerted is sent again only if its direction changed or its magnitude moved by
``MATERIAL_CHANGE`` or more since the version the subscriber last got.
"""

from __future__ import annotations

from newsmon.alerts.matching import (
    alert_id,
    article_matches,
    article_summary,
    signal_matches,
    signal_summary,
)
from newsmon.alerts.subscriptions import Subscription
from newsmon.core.records import Alert, Evidence

MATERIAL_CHANGE = 0.25


def is_material(previous: dict | None, signal: dict) -> bool:
    if previous is None:
        return True
    if signal["version"] <= previous["version"]:
        return False
    if signal["direction"] != previous["direction"]:
        return True
    base = max(float(previous["magnitude"]), 1e-6)
    return abs(float(signal["magnitude"]) - base) / base >= MATERIAL_CHANGE


def signal_alert(subscription: Subscription, signal: dict, now: float) -> Alert:
    return Alert(
        alert_id=alert_id(subscription.id, signal["signal_id"], signal["version"]),
        subscription_id=subscription.id,
        subscription_name=subscription.name,
        kind="signal",
        subject_id=signal["signal_id"],
        subject_version=signal["version"],
        summary=signal_summary(signal),
        created_at=now,
        url=next((e.get("url") for e in signal["evidence"] if e.get("url")), None),
        evidence=[Evidence(**e) for e in signal["evidence"]],
        details={
            "signal_type": signal["signal_type"],
            "pair": list(signal["pair"]),
            "third_party": signal.get("third_party"),
            "direction": signal["direction"],
            "magnitude": signal["magnitude"],
            "confidence": signal["confidence"],
            "independent_sources": signal["independent_sources"],
        },
    )


def article_alert(subscription: Subscription, article: dict, now: float) -> Alert:
    return Alert(
        alert_id=alert_id(subscription.id, article["id"], 1),
        subscription_id=subscription.id,
        subscription_name=subscription.name,
        kind="article",
        subject_id=article["id"],
        subject_version=1,
        summary=article_summary(article),
        created_at=now,
        url=article.get("url"),
        evidence=[
            Evidence(article_id=article["id"], url=article.get("url"), sentence=s)
            for s in article.get("sentences", [])[:2]
        ],
        details={
            "top_topics": article.get("top_topics", []),
            "source": article.get("source"),
            "produced_at": article.get("produced_at"),
        },
    )


def signal_alerts(
    subscriptions: list[Subscription], signal: dict, last: dict[str, dict | None], now: float
) -> list[tuple[Subscription, Alert]]:
    """``last``: per subscription id, what it was last told about this signal (or None)."""
    out = []
    for subscription in subscriptions:
        if not signal_matches(subscription, signal):
            continue
        if subscription.material_changes_only and not is_material(
            last.get(subscription.id), signal
        ):
            continue
        out.append((subscription, signal_alert(subscription, signal, now)))
    return out


def article_alerts(
    subscriptions: list[Subscription], article: dict, countries: set[str], now: float
) -> list[tuple[Subscription, Alert]]:
    return [
        (s, article_alert(s, article, now))
        for s in subscriptions
        if article_matches(s, article, countries)
    ]
