"""Every agent of the worker guarded against records its stream skips.

After a rebalance Faust can hand an agent a record beyond ones it never hands over, and then
commit past them (``newsmon.worker.stall`` tells how). The enrichment agent was guarded first,
and a replacement worker there trips it about every other time a worker is killed; but the
same consumer feeds the other agents, whose losses are quieter: a skipped
``articles.enriched`` record is an alert never matched, a skipped ``events.by_pair`` record an
article missing from a pair's index. So every agent's stream is noted (``watch``) and the worker
exits with ``EX_TEMPFAIL`` (75) before acknowledging a record beyond a gap, for its supervisor
to start one that reads the skipped records again from the committed offsets.
"""

from __future__ import annotations

import asyncio
import logging
import os

import faust
from faust.types import TP
from newsmon.worker.stall import EX_TEMPFAIL, StallWatch

log = logging.getLogger(__name__)

START_LOOKUP_TIMEOUT_S = 10.0  # the broker answers in milliseconds; a rebalance can stall it

Handed = list[tuple[str, int, int]]  # (topic, partition, offset) of each record


class SkipGuard:
    """``enabled=False`` (``NEWSMON_SKIP_GUARD``) notes nothing and never exits: for input
    topics whose offsets have gaps by design (transaction markers, compaction), which the
    guard would read as skips. newsmon's own producers write neither."""

    def __init__(self, app: faust.App, watch: StallWatch, enabled: bool = True) -> None:
        self.app = app
        self.watch = watch
        self.enabled = enabled
        # offsets pulled whose noting waits on the partition's start (first records only)
        self.being_noted: dict[tuple[str, int], set[int]] = {}
        self._start_lookups: dict[tuple[str, int], asyncio.Future] = {}
        # what each start lookup found, (committed, earliest): said when the guard trips
        self.looked_up: dict[tuple[str, int], tuple[int | None, int | None]] = {}

    def committed_offset(self, topic: str, partition: int) -> int | None:
        """Faust's own record of the partition's committed offset (read only)."""
        committed = getattr(self.app.consumer, "_committed_offset", {})
        return committed.get(TP(topic, partition))

    async def group_committed_offset(self, tp: TP) -> int | None:
        """The consumer group's committed offset of ``tp`` as the broker has it (None: none).

        Asked of the group coordinator through Faust's aiokafka consumer, on the consumer's
        own thread, as Faust's ``earliest_offsets`` is."""
        thread = self.app.consumer._thread
        consumer = thread._ensure_consumer()
        return await thread.call_thread(consumer.committed, tp)

    async def start_offset(self, topic: str, partition: int) -> int | None:
        """Where the stream must start reading a partition it has not handed out yet.

        The group's committed offset as the broker has it, or the partition's earliest offset
        where there is none or the records it points at were deleted (the consumer's
        ``auto_offset_reset`` is ``earliest``). Faust's own record of commits can't say: it
        keeps a commit at offset 0 as none (taking the first record pulled as the start then
        let a replacement, handed offset 3 of a partition committed at 0, commit past 0-2
        unseen), and a replacement's first records arrive before Faust has read the commits
        at all (the guard then took committed offsets for skips, and a SIGKILL run restarted
        its replacement four times).
        """
        key = (topic, partition)
        if key in self.watch.next_offsets:
            return self.committed_offset(topic, partition)
        lookup = self._start_lookups.get(key)
        if lookup is None:  # one lookup per partition, however many instances pull from it
            lookup = self._start_lookups[key] = asyncio.ensure_future(self._look_up_start(key))
        try:
            return await asyncio.wait_for(asyncio.shield(lookup), START_LOOKUP_TIMEOUT_S)
        except TimeoutError:  # the guard must never hold the stream: this record goes unguarded
            log.warning(
                "no start offset for %s[%d] within %.0f s: not guarded",
                *key,
                START_LOOKUP_TIMEOUT_S,
            )
            return None

    async def _look_up_start(self, key: tuple[str, int]) -> int | None:
        tp = TP(*key)
        try:
            committed = await self.group_committed_offset(tp)
            earliest = (await self.app.consumer.earliest_offsets(tp)).get(tp)
        except Exception:  # a broker that does not answer now: the first record is the start
            log.warning("no committed or earliest offset for %s[%d]: not guarded", *tp)
            return None
        self.looked_up[key] = (committed, earliest)
        known = [o for o in (committed, earliest) if o is not None]
        return max(known) if known else None

    def watch_stream(self, stream: faust.StreamT, one_at_a_time: bool) -> None:
        """Note every record ``stream`` pulls, in the order it pulls them.

        ``one_at_a_time``: the agent has one instance and handles each record before pulling
        the next, so a gap at the moment a record is pulled is a skip already, and the worker
        exits before the record is handled. An agent with several instances, which split the
        records between them, checks its batches itself (``exit_on_skip``)."""
        if not self.enabled:
            return

        async def note_pulled(value: object) -> object:
            message = stream.current_event.message
            key = (message.topic, message.partition)
            being_noted = self.being_noted.setdefault(key, set())
            being_noted.add(message.offset)
            try:
                start = await self.start_offset(*key)
                self.watch.pulled(message.topic, message.partition, message.offset, start)
            finally:
                being_noted.discard(message.offset)
            if one_at_a_time:
                self.exit_on_skip([(message.topic, message.partition, message.offset)])
            return value

        stream.add_processor(note_pulled)

    def exit_on_skip(self, handed: Handed) -> None:
        """Exit before acknowledging ``handed`` if the stream skipped records before them."""
        for key in sorted({(topic, partition) for topic, partition, _ in handed}):
            skipped = self.watch.first_skip([(*key, o) for t, p, o in handed if (t, p) == key])
            if skipped is None:
                continue
            _, _, expected, offset = skipped
            if set(range(expected, offset)) <= self.being_noted.get(key, set()):
                continue  # pulled by another instance, whose note waits on the start lookup
            self._exit(*key, expected, offset)

    def _exit(self, topic: str, partition: int, expected: int, offset: int) -> None:
        key = (topic, partition)
        committed, earliest = self.looked_up.get(key, (None, None))
        log.error(
            "the stream skipped %s[%d] offsets %d-%d and handed %d; exiting with code "
            "%d before acknowledging anything, so that a restart reads them again (start "
            "looked up: committed %s, earliest %s; pulled beyond the gap: %s)",
            topic,
            partition,
            expected,
            offset - 1,
            offset,
            EX_TEMPFAIL,
            committed,
            earliest,
            sorted(self.watch.beyond_gap.get(key, ())),
        )
        logging.shutdown()
        os._exit(EX_TEMPFAIL)
