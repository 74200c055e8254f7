"""``newsmon check-signals``: articles in, the coder's events, and the stream check printed.

The I/O around ``newsmon.signals.stream_check``: reading and coding the articles as the
stream would (the same ids, ``newsmon.core.articles.to_raw_article``; the same event records,
``newsmon.worker.enrichment.build_events``; published order, as the demo replays), and the
report as a table and as JSON.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from newsmon.core.articles import to_raw_article
from newsmon.core.records import AllianceSignal
from newsmon.core.settings import Settings
from newsmon.nlp.coder import ArticleInput, EventCoder
from newsmon.producer.replay import order_for_replay
from newsmon.producer.sources import expand_paths, read_articles
from newsmon.signals.stream_check import StreamCheck
from newsmon.worker.enrichment import build_events
from rich.console import Console

CODER_BATCH = 16  # articles per coder call: the worker's batches, and bounded memory


def coded_stream(
    paths: list[Path], settings: Settings, coder: EventCoder, console: Console
) -> list[list[dict]]:
    """Each valid article's ``events.dyadic`` records (as dicts), in published order; a
    rejected article is named and skipped, a repeated id counted once."""
    articles = []
    for path in expand_paths(paths):
        for item in read_articles(path, settings.max_article_bytes):
            if item.article is None:
                assert item.rejection is not None
                console.print(f"[yellow]skipped[/] {item.location}: {item.rejection.reason}")
            else:
                articles.append(item.article)
    raws, seen = [], set()
    for article in order_for_replay(articles, True):
        raw = to_raw_article(article, "replay")
        if raw.id not in seen:  # a copy has the same id, text and date: either will do
            seen.add(raw.id)
            raws.append(raw)
    coded_events: list[list[dict]] = []
    for start in range(0, len(raws), CODER_BATCH):
        batch = raws[start : start + CODER_BATCH]
        coded = coder([ArticleInput(r.id, r.title, r.text, r.published) for r in batch])
        for raw, article in zip(batch, coded, strict=True):
            events = build_events(raw, article, coder.label, time.time())
            coded_events.append([e.model_dump(mode="json") for e in events])
    return coded_events


def _describe(signal: AllianceSignal) -> str:
    third = f" ({signal.third_party})" if signal.third_party else ""
    return f"{signal.signal_type} {'-'.join(signal.pair)}{third} {signal.direction}"


def print_check(report: StreamCheck, console: Console, articles: int, events: int) -> None:
    console.print(
        f"[bold]{articles} articles, {events} events[/]; "
        + ("expected signals:" if report.results else "no expectations given (--expect)")
    )
    for result in report.results:
        expectation, signal = result.expectation, result.signal
        verdict = "[green]met[/]" if result.met else "[red]missed[/]"
        gap = " (known gap)" if expectation.gap else ""
        found = ""
        if signal is not None and result.last is not None:
            end = "still active" if result.holds_at_end else f"{result.last.status}"
            if result.last.status == "active" and not result.holds_at_end:
                end = f"turned {result.last.direction.replace('_', ' ')}"
            found = (
                f" (raised on article {result.raised_after} about it, with "
                f"{len(signal.evidence)} evidence sentences from {signal.independent_sources} "
                f"independent articles; at the end {end})"
            )
        console.print(
            f"  {verdict}{gap} {expectation.signal_type} {'-'.join(expectation.pair)} "
            f"{expectation.direction}{found}: {expectation.reader}"
        )
    if report.results:
        console.print(f"met {report.met} of {len(report.results)} expectations")
    if report.results:
        console.print(f"other signals raised: {len(report.others)} (expected by no entry)")
    else:
        console.print(f"signals raised: {len(report.others)}")
    for signal in report.others:
        console.print(f"  {_describe(signal)}, {signal.status} at the end: {signal.summary}")
    console.print(f"flapping: {len(report.flapping)} signals")
    for signal, flaps in report.flapping:
        console.print(f"  {_describe(signal)}: raised again or turned {flaps} times")


def write_check(report: StreamCheck, path: Path) -> None:
    data = {
        "met": report.met,
        "expectations": [
            {
                "type": r.expectation.signal_type,
                "pair": list(r.expectation.pair),
                "direction": r.expectation.direction,
                "reader": r.expectation.reader,
                "gap": r.expectation.gap,
                "met": r.met,
                "raised_after_articles": r.raised_after,
                "holds_at_end": r.holds_at_end,
                "signal": r.signal.model_dump(mode="json") if r.signal else None,
                "last": r.last.model_dump(mode="json") if r.last else None,
            }
            for r in report.results
        ],
        "others": [s.model_dump(mode="json") for s in report.others],
        "flapping": [{"signal_id": s.signal_id, "flaps": n} for s, n in report.flapping],
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
