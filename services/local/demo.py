"""``newsmon demo``: the whole pipeline on the seeds, from one command.

Starts what is not configured (a local broker, a local Redis-protocol server), then the stream
worker and the API as child processes, replays the seeds plus a fixed set of poison records,
and follows the results in Redis until every record is either stored or dead-lettered.
Every child is stopped on exit, Ctrl-C included.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from newsmon.core.alert_store import AlertStore
from newsmon.core.articles import article_id
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.records import AllianceSignal
from newsmon.core.settings import BrokerProfile, Settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.local.processes import (
    ProcessFailed,
    ProcessGroup,
    free_port,
    port_open,
)
from newsmon.local.servers import start_local_broker, start_local_redis
from newsmon.producer.poison import poison_records
from newsmon.producer.publisher import ArticlePublisher
from newsmon.producer.replay import replay
from newsmon.producer.sources import expand_paths, read_articles
from newsmon.signals.stream_check import SignalTrace, check_stream, expectations_beside
from newsmon.worker.stall import EX_TEMPFAIL
from redis.asyncio import Redis
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

PROCESSING_TIMEOUT_S = 900
WORKER_RESTARTS = 3
POLL_INTERVAL_S = 0.5


@dataclass
class DemoReport:
    articles_in: int = 0
    worker_restarts: int = 0
    processed: int = 0
    already_stored: int = 0
    dead_lettered: int = 0
    dead_letter_reasons: dict[str, int] = field(default_factory=dict)
    rejected_at_edge: list[dict] = field(default_factory=list)
    topics: dict[str, int] = field(default_factory=dict)
    events: int = 0
    event_pairs: dict[str, int] = field(default_factory=dict)
    signals: list[dict] = field(default_factory=list)
    expectations: list[dict] = field(default_factory=list)  # the seed reader's, met or not
    alerts: int = 0
    seconds: float = 0.0
    articles_per_second: float = 0.0
    dashboard_url: str = ""
    admin_key_generated: bool = False
    kafka_bootstrap_servers: str = ""
    redis_url: str = ""
    embedded: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    complete: bool = False


def _child_env(bootstrap: str, redis_url: str, profile: BrokerProfile, admin_key: str) -> dict:
    """The children's environment. Webhooks to http:// and loopback are allowed here only:
    the demo is a local development setup, where the receiver runs on the same machine."""
    env = dict(os.environ)
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        REDIS_URL=redis_url,
        NEWSMON_BROKER_PROFILE=profile.value,
        NEWSMON_WORKER_METRICS_PORT=str(free_port()),
        NEWSMON_DELIVER_METRICS_PORT=str(free_port()),
        NEWSMON_ADMIN_API_KEY=admin_key,
        NEWSMON_WEBHOOK_ALLOW_HTTP="true",
        NEWSMON_WEBHOOK_ALLOW_PRIVATE="true",
        PYTHONUNBUFFERED="1",
    )
    return env


def _stop_on_sigint_and_sigterm() -> None:
    """Both signals end the demo the same way (``KeyboardInterrupt``: stop every child).

    SIGINT is installed explicitly because a process started in the background by a shell
    without job control (``make demo &``, ``nohup``, CI scripts) inherits SIGINT *ignored*, and
    Python then keeps ignoring it: Ctrl-C, or a supervisor's SIGINT, would do nothing."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, handler)


async def _before_replay(settings: Settings, articles: list) -> tuple[int, dict[str, int]]:
    """Articles a previous run already stored (the embedded Redis persists between runs), and
    the worker's count of handled records so far."""
    redis = Redis.from_url(settings.redis_url)
    try:
        store = ArticleStore(redis, Keys(settings.redis_key_prefix), settings.article_ttl_seconds)
        stored = await store.existing([article_id(a.title, a.text) for a in articles])
        return len(stored), await store.stats()
    finally:
        await redis.aclose()


class Demo:
    def __init__(self, settings: Settings, seed_paths: list[Path], console: Console) -> None:
        self.settings = settings
        self.seed_paths = seed_paths
        self.console = console
        self.group = ProcessGroup(settings.data_dir / "logs")
        self.report = DemoReport()
        self._admin_key = ""

    def run(self, once: bool, report_path: Path | None) -> int:
        _stop_on_sigint_and_sigterm()
        try:
            status = self._run(once)
        except KeyboardInterrupt:
            self.console.print("[yellow]Interrupted: stopping every process the demo started.")
            status = 130
        except ProcessFailed as exc:
            self.console.print(f"[red]A process failed:[/] {exc}")
            status = 1
        finally:
            self.group.stop_all()
        if report_path:
            report_path.write_text(json.dumps(asdict(self.report), indent=2))
        return status

    def _run(self, once: bool) -> int:
        started = time.monotonic()
        settings = self.settings
        bootstrap, redis_url = settings.kafka_bootstrap_servers, settings.redis_url
        profile = settings.effective_broker_profile
        with self.console.status("Starting servers…"):
            if not bootstrap:
                broker = start_local_broker(self.group)
                bootstrap, profile = broker.bootstrap_servers, BrokerProfile.LOCAL
                self.report.embedded.append("tansu")
            if not redis_url:
                local_redis = start_local_redis(self.group, settings.data_dir / "valkey")
                redis_url = local_redis.url
                self.report.embedded.append("valkey")
        self.report.kafka_bootstrap_servers, self.report.redis_url = bootstrap, redis_url
        run_settings = settings.model_copy(
            update={
                "kafka_bootstrap_servers": bootstrap,
                "redis_url": redis_url,
                "broker_profile": profile,
            }
        )
        names = TopicNames(settings.topic_prefix)
        ensure_topics(run_settings, names.all())
        admin_key = settings.admin_api_key or "nmadmin_" + secrets.token_urlsafe(24)
        self.report.admin_key_generated = not settings.admin_api_key
        env = _child_env(bootstrap, redis_url, profile, admin_key)
        self._worker_env = env
        worker = self.group.start("worker", [sys.executable, "-m", "newsmon", "worker"], env=env)
        self._worker = worker
        deliverer = self.group.start(
            "deliver", [sys.executable, "-m", "newsmon", "deliver"], env=env
        )
        api_port = (
            settings.api_port if not port_open("127.0.0.1", settings.api_port) else free_port()
        )
        api = self.group.start(
            "api",
            [
                sys.executable,
                "-m",
                "newsmon",
                "api",
                "--host",
                settings.api_host,
                "--port",
                str(api_port),
            ],
            env=env,
        )
        self.report.dashboard_url = f"http://{settings.api_host}:{api_port}/"
        self._admin_key = admin_key
        self.console.print(
            f"Broker [bold]{bootstrap}[/] ({profile.value} profile), Redis [bold]{redis_url}[/]; "
            f"logs in {self.group.log_dir}"
        )

        articles, rejected = [], []
        for path in expand_paths(self.seed_paths):
            for item in read_articles(path, settings.max_article_bytes):
                if item.article is not None:
                    articles.append(item.article)
                else:
                    assert item.rejection is not None
                    rejected.append(
                        {
                            "location": item.location,
                            "reason": item.rejection.reason,
                            "detail": item.rejection.detail,
                        }
                    )
        self.report.rejected_at_edge = rejected
        for entry in rejected:
            self.console.print(
                f"[yellow]skipped[/] {entry['location']}: {entry['reason']} ({entry['detail']})"
            )
        poison = poison_records()
        self.report.already_stored, stats_before = asyncio.run(
            _before_replay(run_settings, articles)
        )

        progress = Progress(
            TextColumn("{task.description:<15}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
        )
        with progress:
            produced = progress.add_task("produced", total=len(articles) + len(poison))
            handled = progress.add_task("worker handled", total=len(articles) + len(poison))
            enriched = progress.add_task("enriched", total=len(articles))
            dead = progress.add_task("dead-lettered", total=len(poison))
            signals_task = progress.add_task("events indexed", total=None)
            with ArticlePublisher(run_settings, names.articles_raw, "newsmon-demo") as publisher:
                # in published order, as news arrives: the detector absorbs the small disorder
                # of parallel partitions, but a stream years out of order would show signals
                # that the later-arriving earlier news then clears
                result = replay(
                    articles,
                    publisher,
                    on_sent=lambda n: progress.update(produced, completed=n),
                    chronological=True,
                )
                for record in poison:
                    publisher.publish_raw(record.key, record.payload)
                publisher.flush()
                progress.update(produced, completed=result.sent + len(poison))
            ids = sorted(set(result.ids))
            progress.update(enriched, total=len(ids))
            self.report.articles_in = result.sent
            self.report.article_ids = ids
            asyncio.run(
                self._follow(
                    run_settings,
                    ids,
                    [p.key for p in poison],
                    progress,
                    enriched,
                    dead,
                    handled,
                    stats_before,
                    signals_task,
                )
            )
        self.report.seconds = round(time.monotonic() - started, 2)
        self.report.articles_per_second = round(self.report.articles_in / self.report.seconds, 2)
        self._check_expectations()
        self._print_summary()
        if not self.report.complete:
            return 1
        if once:
            return 0
        self.console.print(
            f"Dashboard at [bold]{self.report.dashboard_url}[/]; Ctrl-C stops everything."
        )
        if self.report.admin_key_generated:
            self.console.print(
                f"Admin key for this run (issues API keys at POST /api/keys): "
                f"[bold]{self._admin_key}[/]"
            )
        while self._supervise_worker() and api.running() and deliverer.running():
            time.sleep(1)
        raise ProcessFailed("the worker or the API stopped; see the logs above")

    def _supervise_worker(self) -> bool:
        """True while a worker runs. A worker that exits with code 75 (its stall watchdog,
        ``newsmon.worker.stall``) is restarted, as Compose's restart policy would, up to
        ``WORKER_RESTARTS`` times; any other exit is a failure."""
        worker = self._worker
        if worker.running():
            return True
        if worker.popen.returncode != EX_TEMPFAIL or self.report.worker_restarts >= WORKER_RESTARTS:
            return False
        self.report.worker_restarts += 1
        self.console.print(
            "[yellow]The worker stopped on a stalled stream (exit 75); restarting it.[/]"
        )
        self._worker = self.group.start(
            f"worker-{self.report.worker_restarts + 1}",
            [sys.executable, "-m", "newsmon", "worker"],
            env=self._worker_env,
        )
        return True

    async def _follow(
        self,
        settings: Settings,
        ids: list[str],
        poison_keys: list[str],
        progress: Progress,
        enriched_task: int,
        dead_task: int,
        handled_task: int,
        before: dict[str, int],
        signals_task: int,
    ) -> None:
        redis = Redis.from_url(settings.redis_url)
        store = ArticleStore(redis, Keys(settings.redis_key_prefix), settings.article_ttl_seconds)
        alerts = AlertStore(redis, store.keys)
        deadline = time.monotonic() + PROCESSING_TIMEOUT_S
        stored: set[str] = set()
        lettered: set[str] = set()
        try:
            while time.monotonic() < deadline:
                if not self._supervise_worker():
                    worker = self._worker
                    raise ProcessFailed(
                        f"the worker exited ({worker.popen.returncode}):\n{worker.log_tail()}"
                    )
                stats = await store.stats()
                delta = {k: v - before.get(k, 0) for k, v in stats.items()}
                handled = delta.get("handled", 0)
                events_done = delta.get("events_routed", 0) >= delta.get("events", 0) and (
                    delta.get("fanout_handled", 0) >= delta.get("fanout_sent", 0)
                )
                matcher_done = delta.get("matcher_signals", 0) >= delta.get("signals", 0) and (
                    delta.get("matcher_articles", 0) >= delta.get("processed", 0)
                )
                webhooks_left = await alerts.webhooks_outstanding()
                progress.update(
                    signals_task,
                    total=delta.get("fanout_sent", 0) or None,
                    completed=delta.get("fanout_handled", 0),
                )
                stored = await store.existing(ids)
                lettered = await store.existing_deadletters(poison_keys)
                progress.update(handled_task, completed=handled)
                progress.update(enriched_task, completed=len(stored))
                progress.update(dead_task, completed=len(lettered))
                total = progress.tasks[handled_task].total or 0
                if (
                    handled >= total
                    and events_done
                    and matcher_done
                    and webhooks_left == 0
                    and len(stored) == len(ids)
                    and len(lettered) == len(poison_keys)
                ):
                    self.report.complete = True
                    break
                await asyncio.sleep(POLL_INTERVAL_S)
            self.report.processed = len(stored)
            self.report.dead_lettered = len(lettered)
            reasons: Counter[str] = Counter()
            for key in lettered:
                letter = await store.get_deadletter(key)
                if letter:
                    reasons[letter["reason"]] += 1
            self.report.dead_letter_reasons = dict(reasons)
            topics: Counter[str] = Counter()
            pairs: Counter[str] = Counter()
            for article_id in stored:
                article = await store.get_article(article_id)
                if not article:
                    continue
                topics.update(article["top_topics"])
                for event_id in article.get("event_ids", []):
                    raw = await redis.get(store.keys.event(event_id))
                    if raw is None:
                        continue
                    self.report.events += 1
                    event = json.loads(raw)
                    for actor in event["actors"]:
                        for recipient in event["recipients"]:
                            # a reciprocal event lists both sides on both sides
                            if actor["code"] != recipient["code"]:
                                pairs[f"{actor['code']}->{recipient['code']}"] += 1
            self.report.topics = dict(topics.most_common())
            self.report.signals = await store.signals(active_only=False, limit=1000)
            stats = await store.stats()
            self.report.alerts = stats.get("alerts", 0) - before.get("alerts", 0)
            self.report.event_pairs = dict(pairs.most_common(20))
        finally:
            await redis.aclose()

    def _check_expectations(self) -> None:
        """Which of the expectations beside the replayed seeds (``expectations.yaml`` in a
        seed folder) the stored signals meet, into the report. The store keeps each signal's
        latest version, so this is what the stream ends with; ``newsmon check-signals``
        follows every version. A bad file is reported, not fatal: the run itself succeeded."""
        try:
            expectations = expectations_beside(self.seed_paths)
        except ValueError as exc:
            self.console.print(f"[yellow]expectations not checked:[/] {exc}")
            return
        signals = [AllianceSignal.model_validate(s) for s in self.report.signals]
        check = check_stream({s.signal_id: SignalTrace([s]) for s in signals}, expectations)
        self.report.expectations = [
            {"reader": r.expectation.reader, "met": r.met, "gap": r.expectation.gap}
            for r in check.results
        ]

    def _expectations_row(self) -> str | None:
        """The known gaps are named, so they are not a surprise."""
        results = self.report.expectations
        if not results:
            return None
        met = sum(r["met"] for r in results)
        missed = [r["reader"] for r in results if not r["met"] and not r["gap"]]
        gaps = [r["reader"] for r in results if not r["met"] and r["gap"]]
        return (
            f"met {met} of {len(results)} by the signals it ends with"
            + (f"; missed: {', '.join(missed)}" if missed else "")
            + (f"; known gaps: {', '.join(gaps)}" if gaps else "")
            + " (`newsmon check-signals` follows every version)"
        )

    def _print_summary(self) -> None:
        r = self.report
        table = Table(title="newsmon demo", show_header=False)
        table.add_row("articles in", str(r.articles_in))
        earlier = f" ({r.already_stored} stored by an earlier run)" if r.already_stored else ""
        table.add_row("processed", f"{r.processed}{earlier}")
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(r.dead_letter_reasons.items()))
        table.add_row("dead-lettered", f"{r.dead_lettered} ({reasons})")
        table.add_row("rejected at the edge", str(len(r.rejected_at_edge)))
        pairs = ", ".join(f"{k} {v}" for k, v in list(r.event_pairs.items())[:5])
        active = [s for s in r.signals if s["status"] == "active"]
        kinds = Counter(s["signal_type"] for s in active)
        listed = "; ".join(
            f"{s['signal_type']} {'-'.join(s['pair'])} {s['direction'].replace('_', ' ')}"
            for s in sorted(active, key=lambda s: (s["signal_type"], s["pair"]))
        )
        table.add_row(
            "alliance signals",
            f"{len(active)} active ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})"
            + (f": {listed}" if listed else ""),
        )
        expected = self._expectations_row()
        if expected:
            table.add_row("the seed's reader expects", expected)
        table.add_row("alerts to subscribers", str(r.alerts))
        table.add_row("PLOVER events", f"{r.events} (top pairs: {pairs})")
        table.add_row("top topics", ", ".join(f"{k} {v}" for k, v in list(r.topics.items())[:6]))
        table.add_row(
            "time taken", f"{r.seconds:.1f} s ({r.articles_per_second} articles/s overall)"
        )
        table.add_row("dashboard", r.dashboard_url)
        if r.worker_restarts:
            table.add_row("worker restarts", f"{r.worker_restarts} (stalled stream, exit 75)")
        table.add_row("complete", "yes" if r.complete else "[red]no: timed out")
        self.console.print(table)
