"""How a worker codes a batch of articles: in coder processes (the default) or in its own threads.

The coder is CPU work: sentence splitting and actor look-up, the encoder's forward pass, the
heads. The worker's event loop meanwhile serves Kafka, Redis, the alliance and alert agents.
In one process they share one GIL. The traced forward pass releases it, but everything around
the pass (padding, pooling, token vectors, the heads, pre- and post-processing) takes it, and
so does every Kafka record and Redis reply the event loop handles. With two passes as threads
of the worker, each pass thread got 0.63-0.66 of a core at saturation while the event loop took
0.35 (per-thread CPU from /proc, AMX CPU, offered 12/s).

``ProcessCoding`` runs one coder process per pass, each with its own model and GIL, which is
how the raw encoder's best figure is measured (one single-threaded process per core). A batch
crosses as its articles' text and comes back coded (a few KiB), so the IPC is small. One
worker, offered 12/s for 60 s on the 2-core AMX CPU: 11.2/s stored with two agent instances
(backlog still growing, 1.9 s), 11.5/s with three sharing the two processes (backlog flat,
0.9 s), against 9.95-11.0/s for the threads (three runs); offered 14/s it stored 12.0/s against
10.3. Three instances keep a process busy while the batch it finished is stored and sent:
``agent_instances``. The worker's own process then uses about 0.27 of a core.

The coder processes load their models in the background while the worker joins its group.
Loading them first (about 15 s) made a replacement worker join late, and in the SIGKILL fault
test on the local broker late joiners tripped the skip guard (``newsmon.worker.skip_guard``:
Faust handing a record past ones it skipped after the rebalance) on nearly every start: two
of five runs used up the test's four restarts, and once a replacement sat idle for five
minutes. Threads delayed by 12 s did the same (3, 1, 2 restarts against 0, 1, 1); coder
processes loading in the background restarted 0, 0, 0 times.

``ThreadedCoding`` (``NEWSMON_CODER_PROCESSES=false``) keeps one model in the worker process:
less memory, about 0.8 GiB in all against 0.47 GiB for the worker plus about 0.7 GiB per coder
process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from newsmon.core.lifetime import die_with_parent
from newsmon.core.metrics import WorkerMetrics
from newsmon.core.settings import Settings
from newsmon.nlp.coder import ArticleInput, CodedArticle, EventCoder, build_coder

log = logging.getLogger(__name__)


def agent_instances(passes: int, processes: bool) -> int:
    """Instances of the enrichment agent: one per pass, one more with coder processes."""
    return passes + 1 if processes else passes


class ThreadedCoding:
    """The coder in the worker process: pre- and post-processing on the event loop, the forward
    pass in an executor thread per pass."""

    def __init__(self, coder: EventCoder, passes: int) -> None:
        self.coder = coder
        self.label = coder.label
        self.instances = agent_instances(passes, processes=False)
        self.passes = passes
        self.executor = ThreadPoolExecutor(max_workers=passes, thread_name_prefix="model")
        self._in_flight = 0

    @property
    def busy(self) -> bool:
        """Every pass has a batch (``newsmon.worker.batching``)."""
        return self._in_flight >= self.passes

    async def code(
        self, inputs: Sequence[ArticleInput], metrics: WorkerMetrics
    ) -> list[CodedArticle]:
        prepared = self.coder.preprocess(inputs)
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        self._in_flight += 1
        try:
            prepared = await loop.run_in_executor(self.executor, self.coder.forward, prepared)
        finally:
            self._in_flight -= 1
        metrics.model_batch_duration.observe(time.perf_counter() - started)
        metrics.model_batch_sentences.observe(sum(len(s) for s in prepared.sentences))
        return self.coder.postprocess(prepared)


_served: EventCoder | None = None  # the coder of a coder process


def _serve_coder(settings: Settings, parent_pid: int) -> None:
    """A coder process's start: die with the worker (also when it is SIGKILLed), leave Ctrl-C
    to the worker, load the coder once."""
    global _served
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _served = build_coder(settings)


def _code_batch(inputs: list[ArticleInput]) -> tuple[list[CodedArticle], str]:
    assert _served is not None, "not a coder process"
    prepared = _served.forward(_served.preprocess(inputs))
    return _served.postprocess(prepared), _served.label


class ProcessCoding:
    """One coder process per pass (``passes``). They load their models in the background while
    the worker joins its consumer group (the first batches wait for them): a replacement worker
    that joined 12 s after its start instead of at once, as loading first made it, tripped the
    skip guard more often (threads: 3, 1, 2 restarts in three fault-test runs against 0, 1, 1).

    A coder process that dies (the kernel's OOM killer, an operator's kill, a crash in native
    code) breaks the whole pool: every batch in it fails, and so would every later one. The
    pool is then started again and the batch coded again; a batch that breaks the new pool too
    is coded one article at a time with nothing else in the pool, so the article that kills
    its coder is known for certain and comes back as ``None`` (a dead letter), and no other
    article is lost with it. ``code_batch`` is what a coder process runs (tests give one that
    crashes on purpose)."""

    def __init__(
        self,
        settings: Settings,
        passes: int,
        code_batch: Callable[[list[ArticleInput]], tuple[list[CodedArticle], str]] | None = None,
    ) -> None:
        self.settings, self.passes = settings, passes
        self.code_batch = code_batch or _code_batch
        self.instances = agent_instances(passes, processes=True)
        self.label = ""  # the coder's, from its first batch
        self.pool = self._start_pool()
        self._in_flight = 0
        self._settled = asyncio.Condition()  # notified when a call leaves the pool
        self._isolating = asyncio.Lock()  # held while one article at a time has the pool

    @property
    def busy(self) -> bool:
        """Every coder process has a batch (``newsmon.worker.batching``)."""
        return self._in_flight >= self.passes

    def _start_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self.passes,
            mp_context=multiprocessing.get_context("spawn"),  # no forked torch or event loop
            initializer=_serve_coder,
            initargs=(self.settings, os.getpid()),
        )
        for _ in range(self.passes):  # start every process now, not at the first batches
            pool.submit(self.code_batch, [])
        return pool

    def _replace_broken(self, broken: ProcessPoolExecutor, metrics: WorkerMetrics) -> None:
        """Start the pool again, once: every call that was in the broken pool comes here."""
        if self.pool is not broken:
            return
        log.error("a coder process died: starting the coder processes again")
        broken.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start_pool()
        metrics.coder_restarts.inc()

    async def _in_pool(
        self, inputs: list[ArticleInput], metrics: WorkerMetrics
    ) -> list[CodedArticle]:
        pool = self.pool
        self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            coded, self.label = await loop.run_in_executor(pool, self.code_batch, inputs)
            return coded
        except BrokenProcessPool:
            self._replace_broken(pool, metrics)
            raise
        finally:
            self._in_flight -= 1
            async with self._settled:
                self._settled.notify_all()

    async def _one_at_a_time(
        self, inputs: list[ArticleInput], metrics: WorkerMetrics
    ) -> list[CodedArticle | None]:
        """Each article alone in the pool, once the calls already in it have left."""
        async with self._isolating:
            async with self._settled:
                await self._settled.wait_for(lambda: self._in_flight == 0)
            coded: list[CodedArticle | None] = []
            for item in inputs:
                try:
                    coded.extend(await self._in_pool([item], metrics))
                except BrokenProcessPool:
                    log.error("article %s killed its coder process: dead-lettered", item.id)
                    coded.append(None)
            return coded

    async def code(
        self, inputs: Sequence[ArticleInput], metrics: WorkerMetrics
    ) -> list[CodedArticle | None]:
        """The whole coder, in a coder process: ``model_batch_duration`` is the call's time,
        including any wait for a free process. ``None`` for an article that killed its coder."""
        started = time.perf_counter()
        coded: list[CodedArticle | None]
        for _ in range(2):  # the batch may have met another batch's crash, or an outside kill
            async with self._isolating:  # wait while another batch has the pool to itself
                pass
            try:
                coded = list(await self._in_pool(list(inputs), metrics))
                break
            except BrokenProcessPool:
                continue
        else:
            coded = await self._one_at_a_time(list(inputs), metrics)
        metrics.model_batch_duration.observe(time.perf_counter() - started)
        metrics.model_batch_sentences.observe(sum(len(c.sentences) for c in coded if c))
        return coded


def start_coding(settings: Settings, passes: int) -> ThreadedCoding | ProcessCoding:
    if settings.coder_processes:
        return ProcessCoding(settings, passes)
    return ThreadedCoding(build_coder(settings), passes)
