"""``newsmon bench``: the whole pipeline on the local stack, at increasing rates.

It starts a local broker and Redis-protocol server (in a temporary folder), one or two stream
workers and a subscription to every article, then replays the VOA stories (retitled per loop,
so every record is a new article) at each rate for ``step_seconds``. For every step it measures
what a user sees: articles stored per second, produce-to-stored and produce-to-alert latency
(p50, p95, p99, from the records' own timestamps), and whether the backlog drained. A rate is
sustained when every article was stored within the drain window, the p95 produce-to-stored
latency stayed under ``SUSTAINED_P95_S`` and the backlog did not grow during the step
(``backlog_growth``): a rate a little above capacity builds a backlog that a short step's
drain hides, which once read 12/s for a worker storing 10.3/s. The run climbs
until a rate is not sustained, then halves the gap between that rate and the last sustained
one ``refine`` times (the ladder alone reads 8/s for a capacity anywhere in 8-10/s). In the same
run it measures the raw encoder on the same stories' sentences, twice (one process with torch's
threads over every core, and one single-threaded process per core, ``parallel_encoder``), so
the pipeline's efficiency is a ratio to the better of the two, and it reads each process's
peak memory (VmHWM) and, for each step, the cores each process used (CPU time over the step's
wall time) from /proc and, from each worker's own metrics, where its time went: busy
(handling batches) or waiting for input, and within the busy time the encoder's forward pass
against the rest (Kafka, Redis, heads, signals).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median

import httpx
from newsmon.alerts.subscriptions import Filters, Subscription
from newsmon.core.alert_store import AlertStore
from newsmon.core.cpu_threads import threads_per_pass
from newsmon.core.kafka_clients import ensure_topics
from newsmon.core.records import ArticleIn
from newsmon.core.settings import BrokerProfile, Settings, get_settings
from newsmon.core.store import ArticleStore, Keys
from newsmon.core.topics import TopicNames
from newsmon.local.processes import ManagedProcess, ProcessGroup, free_port
from newsmon.local.servers import start_local_broker, start_local_redis
from newsmon.producer.publisher import ArticlePublisher
from newsmon.producer.replay import replay
from newsmon.producer.sources import read_articles
from redis.asyncio import Redis

DRAIN_GRACE_S = 20.0
# The warm-up drains before the first step: coder processes load their models in the
# background (30 s and more on an AVX2-only CPU), and a warm-up still queued behind them made
# the first step read as not sustained (p99 17.7 s at 2/s).
WARM_UP_DRAIN_S = 300.0
SUSTAINED_P95_S = 5.0
# Latency of the step's last quarter over its first, medians: 1 s over the 22.5 s between the
# quarters' middles (a 30 s step) is a backlog growing by about 4% of the rate.
BACKLOG_GROWTH_S = 1.0
OWNER = "bench"


@dataclass
class StepResult:
    target_rate: float
    sent: int
    stored: int
    seconds: float
    stored_per_second: float
    drained: bool
    sustained: bool
    stored_p50: float
    stored_p95: float
    stored_p99: float
    alert_p50: float | None
    alert_p95: float | None
    alert_p99: float | None
    backlog_growth_s: float = 0.0  # ``backlog_growth`` of the step's articles
    # cores each process used while the step's articles were sent (CPU seconds / wall seconds)
    cpu_cores: dict[str, float] = field(default_factory=dict)
    # articles per coder call from the step's start until it drained, per worker: how full
    # the forward passes were at this rate (``newsmon.worker.batching``)
    articles_per_batch: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """Why a step is or is not sustained, in the table's words."""
        if self.sustained:
            return "yes"
        if not self.drained:
            return "no"
        if self.stored_p95 > SUSTAINED_P95_S:
            return "drained late"
        return "backlog grew"


TARGET_RATE = 8.0  # articles/s sustained end to end (issue 6)
TARGET_EFFICIENCY = 0.8  # of the raw encoder's stories/s on the same sentences
TARGET_HALF_RATE_P99_S = 2.0  # produce-to-stored, at half the maximum rate
TARGET_WORKER_MIB = 1536.0  # peak resident memory of each worker process


@dataclass
class BenchResult:
    workers: int
    steps: list[StepResult] = field(default_factory=list)
    max_sustained_rate: float = 0.0
    peak_rss_mib: dict[str, float] = field(default_factory=dict)
    encoder_articles_per_s: float = 0.0  # one process, torch threads over every core
    encoder_backend: str = ""  # torch or onnx: what the workers and the raw figure ran on
    parallel_encoder_articles_per_s: float = 0.0  # one single-threaded process per core
    efficiency: float = 0.0  # against the better of the two raw figures
    time_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    half_rate_step: float | None = None
    half_rate_p99: float | None = None
    targets: dict[str, bool] = field(default_factory=dict)

    def note_half_rate(self) -> None:
        """The latency target's reading: p99 produce-to-stored of the fastest sustained step at
        or below half the maximum sustained rate."""
        half = [
            s
            for s in self.steps
            if s.sustained and s.target_rate <= self.max_sustained_rate / 2 + 1e-9
        ]
        if half:
            step = max(half, key=lambda s: s.target_rate)
            self.half_rate_step, self.half_rate_p99 = step.target_rate, step.stored_p99

    def check_targets(self) -> None:
        """Each of the benchmark's targets, met or not, as the JSON and the table report it."""
        workers = [mib for name, mib in self.peak_rss_mib.items() if name.startswith("worker")]
        self.targets = {
            f"sustained >= {TARGET_RATE:g}/s": self.max_sustained_rate >= TARGET_RATE,
            f"efficiency >= {TARGET_EFFICIENCY:g}": self.efficiency >= TARGET_EFFICIENCY,
            f"p99 at half rate < {TARGET_HALF_RATE_P99_S:g} s": self.half_rate_p99 is not None
            and self.half_rate_p99 < TARGET_HALF_RATE_P99_S,
            "worker memory < 1.5 GiB": bool(workers) and max(workers) < TARGET_WORKER_MIB,
        }


def unlabeled_samples(metrics_text: str) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if not sample.labels
    }


def batch_counts(metrics_text: str) -> tuple[float, float]:
    """(articles processed, coder calls) so far, from a worker's metrics."""
    return _batch_counts_in(unlabeled_samples(metrics_text))


def _batch_counts_in(samples: dict[str, float]) -> tuple[float, float]:
    return (
        samples.get("newsmon_articles_processed_total", 0.0),
        samples.get("newsmon_model_batch_sentences_count", 0.0),
    )


def articles_per_batch(before: tuple[float, float], after: tuple[float, float]) -> float:
    articles, calls = after[0] - before[0], after[1] - before[1]
    return round(articles / calls, 2) if calls > 0 else 0.0


def worker_time_shares(metrics_text: str, wall_seconds: float) -> dict[str, float]:
    """A worker's time, from its histograms' sums: share of the run spent handling batches, of
    that the share in the encoder's forward pass, and the forward pass's own speed in
    sentences/s (set against the raw encoder's, it shows what sharing the cores costs); and
    the articles a coder call got on average (small batches pad more and sort less)."""
    samples = unlabeled_samples(metrics_text)
    busy = samples.get("newsmon_processing_duration_seconds_sum", 0.0)
    forward = samples.get("newsmon_model_batch_duration_seconds_sum", 0.0)
    sentences = samples.get("newsmon_model_batch_sentences_sum", 0.0)
    return {
        "busy_share": round(busy / wall_seconds, 3) if wall_seconds > 0 else 0.0,
        "forward_share_of_busy": round(forward / busy, 3) if busy > 0 else 0.0,
        "forward_sentences_per_s": round(sentences / forward, 1) if forward > 0 else 0.0,
        "articles_per_batch": articles_per_batch((0.0, 0.0), _batch_counts_in(samples)),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 3)


def backlog_growth(produced_and_stored: list[tuple[float, float]]) -> float:
    """Seconds by which the median produce-to-stored latency of the last quarter of the
    articles sent exceeds the first quarter's.

    At a rate the pipeline keeps up with, latency does not depend on when an article was sent
    and this is near 0 (batch-to-batch jitter, smoothed by the medians); above capacity every
    article waits behind the backlog the earlier ones left, so it grows with the step's length.
    """
    latencies = [stored - produced for produced, stored in sorted(produced_and_stored)]
    quarter = len(latencies) // 4
    if quarter == 0:
        return 0.0
    return round(median(latencies[-quarter:]) - median(latencies[:quarter]), 3)


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the process's peak resident memory."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def child_pids(pid: int) -> list[int]:
    """The processes ``pid`` started (a worker's coder processes and multiprocessing's
    resource tracker), from /proc."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    children = []
    for task in tasks:
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(children)


def coder_pids(worker_pid: int) -> list[int]:
    """A worker's coder processes: its children that multiprocessing spawned to serve."""
    coders = []
    for pid in child_pids(worker_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            coders.append(pid)
    return coders


def cpu_seconds(pid: int, with_children: bool = False) -> float:
    """User plus system CPU time of a process so far (utime and stime in /proc/PID/stat), with
    ``with_children`` also of the processes it has started and still has (a worker's coders)."""
    total = 0.0
    for process in [pid, *(child_pids(pid) if with_children else [])]:
        try:
            after_name = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cores_used(
    before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    return {name: round((after[name] - before[name]) / seconds, 3) for name in before}


def stories(path: Path) -> list[ArticleIn]:
    return [i.article for i in read_articles(path, 1 << 20) if i.article is not None]


def worker_share(settings: Settings, workers: int) -> tuple[int, int]:
    """(forward passes per worker, torch threads per pass) for ``workers`` workers on this
    machine. Unless NEWSMON_WORKER_CONCURRENCY is set, the workers share the passes one worker
    would run by default: two workers with two passes each put four passes on two cores and
    sustained 6.5/s where one worker with two sustained 8/s. Each pass gets its share of the
    cores as torch threads: two passes with two threads each on two cores oversubscribe them
    and wait on each other. A worker's environment (NEWSMON_TORCH_THREADS) still wins."""
    concurrency = settings.worker_concurrency or max(
        1, settings.effective_worker_concurrency // workers
    )
    return concurrency, threads_per_pass(workers * concurrency)


class PipelineBench:
    def __init__(
        self, stories_path: Path, workers: int, step_seconds: float, refine: int = 2
    ) -> None:
        self.stories = stories(stories_path)
        self.workers = workers
        self.step_seconds = step_seconds
        self.refine = refine
        self.folder = Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
        self.group = ProcessGroup(self.folder / "logs")
        self.loop_counter = 0
        self.pids: dict[str, int] = {}  # the processes whose CPU each step reports
        self.metrics_ports: list[int] = []  # each worker's Prometheus port

    def run(self, rates: list[float]) -> BenchResult:
        with self.group:
            broker = start_local_broker(self.group)
            redis = start_local_redis(self.group, self.folder / "valkey")
            settings = Settings(
                kafka_bootstrap_servers=broker.bootstrap_servers,
                redis_url=redis.url,
                broker_profile=BrokerProfile.LOCAL,
                app_id="newsmon-bench",
            )
            names = TopicNames()
            ensure_topics(settings, names.all())
            asyncio.run(self._subscribe(settings))
            self.metrics_ports = [free_port() for _ in range(self.workers)]
            workers = [
                self._start_worker(settings, i, port) for i, port in enumerate(self.metrics_ports)
            ]
            self.pids = {
                **{f"worker-{i}": w.pid for i, w in enumerate(workers)},
                "broker": broker.process.pid,
                "redis": redis.process.pid,
                "bench (producer)": os.getpid(),
            }
            result = BenchResult(workers=self.workers)
            started = time.monotonic()
            with ArticlePublisher(settings, names.articles_raw, "newsmon-bench") as publisher:
                warm_up = self._step(settings, publisher, 2.0, 5.0, drain_s=WARM_UP_DRAIN_S)
                if not warm_up.drained:
                    raise RuntimeError(f"the warm-up was not stored in {WARM_UP_DRAIN_S:.0f} s")
                failed_rate = None
                for rate in rates:
                    step = self._step(settings, publisher, rate, self.step_seconds)
                    result.steps.append(step)
                    if not step.sustained:
                        failed_rate = rate
                        break
                    result.max_sustained_rate = max(result.max_sustained_rate, rate)
                for _ in range(self.refine if failed_rate is not None else 0):
                    rate = round((result.max_sustained_rate + failed_rate) / 2, 2)
                    step = self._step(settings, publisher, rate, self.step_seconds)
                    result.steps.append(step)
                    if step.sustained:
                        result.max_sustained_rate = rate
                    else:
                        failed_rate = rate
            wall = time.monotonic() - started
            result.time_shares = {
                name: worker_time_shares(text, wall) for name, text in self._scrape_workers()
            }
            result.peak_rss_mib = {
                **{f"worker-{i}": peak_rss_mib(w.pid) for i, w in enumerate(workers)},
                **{
                    f"worker-{i} coder-{n}": peak_rss_mib(child)
                    for i, w in enumerate(workers)
                    for n, child in enumerate(coder_pids(w.pid))
                },
                "broker": peak_rss_mib(broker.process.pid),
                "redis": peak_rss_mib(redis.process.pid),
                "bench (producer)": peak_rss_mib(os.getpid()),
            }
        shutil.rmtree(self.folder, ignore_errors=True)  # kept on failure: the logs are there
        return result

    def _cpu_seconds(self) -> dict[str, float]:
        """Per process; a worker's figure includes its coder processes, which are also given
        on their own (``worker-0 coders``): what the encoder got and what the rest took."""
        seconds = {}
        for name, pid in self.pids.items():
            is_worker = name.startswith("worker")
            seconds[name] = cpu_seconds(pid, with_children=is_worker)
            if is_worker:
                seconds[f"{name} coders"] = sum(cpu_seconds(c) for c in coder_pids(pid))
        return seconds

    def _start_worker(self, settings: Settings, index: int, metrics_port: int) -> ManagedProcess:
        """One worker process, with its share of the passes and threads (``worker_share``)."""
        concurrency, threads = worker_share(get_settings(), self.workers)
        env = {
            "NEWSMON_WORKER_CONCURRENCY": str(concurrency),
            "NEWSMON_TORCH_THREADS": str(threads),
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "REDIS_URL": settings.redis_url,
            "NEWSMON_BROKER_PROFILE": "local",
            "NEWSMON_APP_ID": settings.app_id,
            "NEWSMON_DATA_DIR": str(self.folder / "data"),  # removed with the run's folder
            "NEWSMON_WORKER_METRICS_PORT": str(metrics_port),
        }
        return self.group.start(
            f"worker-{index}", [sys.executable, "-m", "newsmon", "worker"], env=env
        )

    async def _subscribe(self, settings: Settings) -> None:
        redis = Redis.from_url(settings.redis_url)
        try:
            await AlertStore(redis, Keys(settings.redis_key_prefix)).save_subscription(
                Subscription(
                    id="sub_bench",
                    owner=OWNER,
                    name="every article",
                    filters=Filters(kinds=["article"]),
                    max_alerts_per_hour=10_000,
                    created_at=time.time(),
                    updated_at=time.time(),
                )
            )
        finally:
            await redis.aclose()

    def _next_articles(self, count: int) -> list[ArticleIn]:
        out = []
        while len(out) < count:
            self.loop_counter += 1
            for article in self.stories:
                out.append(
                    article.model_copy(update={"title": f"{article.title} #{self.loop_counter}"})
                )
        return out[:count]

    def _step(
        self,
        settings: Settings,
        publisher: ArticlePublisher,
        rate: float,
        seconds: float,
        drain_s: float = DRAIN_GRACE_S,
    ) -> StepResult:
        articles = self._next_articles(max(1, int(rate * seconds)))
        started = time.time()
        cpu_before = self._cpu_seconds()
        batches_before = self._batch_counts()
        sent: list[str] = []
        thread = threading.Thread(
            target=lambda: sent.extend(replay(articles, publisher, rate=rate).ids)
        )
        thread.start()
        thread.join()
        cpu = cores_used(cpu_before, self._cpu_seconds(), time.time() - started)
        step = asyncio.run(self._measure(settings, sent, rate, started, drain_s))
        step.cpu_cores = cpu
        step.articles_per_batch = {
            name: articles_per_batch(batches_before[name], counts)
            for name, counts in self._batch_counts().items()
            if name in batches_before
        }
        return step

    def _batch_counts(self) -> dict[str, tuple[float, float]]:
        """Each worker's (articles, coder calls) so far."""
        return {name: batch_counts(text) for name, text in self._scrape_workers()}

    def _scrape_workers(self) -> list[tuple[str, str]]:
        """(worker name, its metrics text); a worker that does not answer is left out (a
        figure is missing, not the run)."""
        scraped = []
        for i, port in enumerate(self.metrics_ports):
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            except httpx.HTTPError:
                continue
            scraped.append((f"worker-{i}", text))
        return scraped

    async def _measure(
        self, settings: Settings, ids: list[str], rate: float, started: float, drain_s: float
    ) -> StepResult:
        redis = Redis.from_url(settings.redis_url)
        store = ArticleStore(redis, Keys(settings.redis_key_prefix), 3600)
        deadline = time.time() + drain_s
        try:
            while time.time() < deadline and len(await store.existing(ids)) < len(ids):
                await asyncio.sleep(0.25)
            stored_ids = await store.existing(ids)
            finished = time.time()
            articles = [await store.get_article(i) for i in stored_ids]
            timed = [(a["produced_at"], a["enriched_at"]) for a in articles if a]
            stored_latency = [stored - produced for produced, stored in timed]
            alerts = AlertStore(redis, store.keys)
            entries = await alerts.read_alerts(OWNER, after="0-0", count=1_000_000)
            wanted = set(ids)
            alert_latency = [
                a["created_at"] - a["details"]["produced_at"]
                for _, a in entries
                if a["subject_id"] in wanted and a["details"].get("produced_at")
            ]
        finally:
            await redis.aclose()
        seconds = finished - started
        growth = backlog_growth(timed)
        return StepResult(
            target_rate=rate,
            sent=len(ids),
            stored=len(stored_ids),
            seconds=round(seconds, 2),
            stored_per_second=round(len(stored_ids) / seconds, 2),
            drained=len(stored_ids) == len(ids),
            sustained=len(stored_ids) == len(ids)
            and percentile(stored_latency, 95) <= SUSTAINED_P95_S
            and growth <= BACKLOG_GROWTH_S,
            stored_p50=percentile(stored_latency, 50),
            stored_p95=percentile(stored_latency, 95),
            stored_p99=percentile(stored_latency, 99),
            alert_p50=percentile(alert_latency, 50) if alert_latency else None,
            alert_p95=percentile(alert_latency, 95) if alert_latency else None,
            alert_p99=percentile(alert_latency, 99) if alert_latency else None,
            backlog_growth_s=growth,
        )


def run_pipeline_bench(
    stories_path: Path, rates: list[float], step_seconds: float, workers: int, refine: int = 2
) -> BenchResult:
    from newsmon.bench.nlp import raw_encoder_articles_per_s
    from newsmon.bench.parallel_encoder import parallel_encoder_articles_per_s

    result = PipelineBench(stories_path, workers, step_seconds, refine).run(rates)
    settings = get_settings()
    result.encoder_articles_per_s, result.encoder_backend = raw_encoder_articles_per_s(
        stories_path, settings
    )
    result.parallel_encoder_articles_per_s = parallel_encoder_articles_per_s(
        stories_path, settings, processes=os.cpu_count() or 1
    )
    ceiling = max(result.encoder_articles_per_s, result.parallel_encoder_articles_per_s)
    result.efficiency = round(result.max_sustained_rate / ceiling, 3)
    result.note_half_rate()
    result.check_targets()
    return result


def as_dict(result: BenchResult) -> dict:
    return asdict(result)
