"""A watchdog for a stalled stream: records wait for the enrichment agent but never reach it.

Seen with Faust on the local broker after a worker is killed and replaced: the replacement
fetches its partitions up to their high-water marks, but the agent is never handed some of the
records. It sits idle, its commit does not move, and its lag metric (from the fetch position)
reads zero. Alive but useless, and nothing restarts it.

Debug logs show how: after the rebalance the stream hands the agent a later record and skips
some before it; Faust commits only contiguous offsets, so the commit stays at the first
skipped record, and nothing comes after. Nothing is lost (the skipped records are not
committed) but nothing moves. ``StallWatch`` compares, per partition of the input topic, the
committed offset with the high-water mark.

Worse, when the records skipped are the first ones after the committed offset, Faust can
commit past them: its commit tolerates one missing offset at the head of what was acked (any
number before a partition's first commit; ``newsmon.worker.transport`` now refuses both), and
its fetch loop records any jump in a partition's offsets as a "gap" that counts as acked
(``faust.transport.consumer``: meant for compacted topics and transaction markers). Logged in
a replacement worker: after the rebalance Faust seeks a partition to its committed offset (1),
then receives records from a fetch issued before the seek, starting at 4; it books the missing
offsets as such a gap, and then drops the records re-fetched from 1 as already read. So
the worker notes every record as the stream pulls it (``pulled``; every agent's stream, through
``newsmon.worker.skip_guard``) and checks each batch (``first_skip``): a record beyond the
next expected offset, with the gap still open, means the stream skipped some, and the worker
exits at once, before anything of the batch is acknowledged, so that the restart reads the
skipped records again. A worker with one agent instance checks when a batch starts, before
doing anything with it; with several (``NEWSMON_WORKER_CONCURRENCY``), which split the records
between them, it checks when a batch is done, because at its start another instance may still
be pulling a record of the gap.
When records have waited ``timeout_s`` while the agent sat idle (no batch in progress), the
watch trips: the worker stops and exits with ``EX_TEMPFAIL`` (75), so its supervisor
(Compose's restart policy, systemd, Kubernetes) starts a fresh one, which resumes from the
committed offsets. A batch blocked on a store that is down is in progress, not stalled: it has
its own retries, and a restart would not help it. Nor is a rebalance, with the tables'
recovery after it (Faust holds every stream meanwhile): the worker counts nothing as waiting
until it is over.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

EX_TEMPFAIL = 75


@dataclass
class StallWatch:
    timeout_s: float  # 0 turns the watch off
    next_offsets: dict[tuple[str, int], int] = field(default_factory=dict)  # contiguous pulls
    beyond_gap: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    handled_next: dict[tuple[str, int], int] = field(default_factory=dict)
    batches_in_progress: int = 0
    idle_waiting_since: float | None = None
    tripped: bool = False

    def batch_started(self) -> None:
        self.batches_in_progress += 1
        self.idle_waiting_since = None

    def batch_finished(self, handled: list[tuple[str, int, int]]) -> None:
        """``handled``: (topic, partition, offset) of every record of the batch."""
        for topic, partition, offset in handled:
            key = (topic, partition)
            self.handled_next[key] = max(self.handled_next.get(key, 0), offset + 1)
        self.batches_in_progress -= 1

    def pulled(self, topic: str, partition: int, offset: int, committed: int | None) -> None:
        """A record as the stream takes it off the consumer, in the order the stream reads it.

        Every agent instance of a worker reads the same queue, so the offsets a partition hands
        out are contiguous from where it started (its committed offset after a rebalance), even
        when two instances split them between their batches. A record beyond the next expected
        offset stays in ``beyond_gap`` until the gap fills; one that never fills is a skip."""
        key = (topic, partition)
        known = [self.next_offsets.get(key), committed]
        expected = max((o for o in known if o is not None), default=offset)
        waiting = {o for o in self.beyond_gap.get(key, set()) if o >= expected}
        if offset == expected:
            expected += 1
            while expected in waiting:
                waiting.discard(expected)
                expected += 1
        elif offset > expected:
            waiting.add(offset)
        # else: a record re-read after a rebalance, already seen once
        self.next_offsets[key] = expected
        self.beyond_gap[key] = waiting

    def first_skip(self, batch: list[tuple[str, int, int]]) -> tuple[str, int, int, int] | None:
        """For the partitions of ``batch``: a record pulled beyond offsets the stream never
        handed over, as (topic, partition, first missing offset, lowest offset beyond it).
        With several agent instances, checked when a batch is done and before it is
        acknowledged: records the others took meanwhile have long been pulled by then, so a gap
        still open is a skip.
        """
        for topic, partition in sorted({(t, p) for t, p, _ in batch}):
            waiting = self.beyond_gap.get((topic, partition))
            if waiting:
                return topic, partition, self.next_offsets[(topic, partition)], min(waiting)
        return None

    def waiting(self, topic: str, partition: int, highwater: int, committed: int | None) -> int:
        """Records of the partition not yet committed.

        ``committed``: where the partition's next commit must start (the committed offset, or
        before any commit the offset its reading started from: ``SeekingConsumer
        .commit_position``); None only when the broker did not say, and then the records
        handled stand in. The committed offset, not the handled one: commits move only over
        contiguous offsets handled (``newsmon.worker.transport``), so records the stream lost
        hold the commit back while the agent has handled later ones.
        """
        start = committed if committed is not None else self.handled_next.get((topic, partition))
        return max(0, highwater - (start or 0))

    def check(self, waiting: int, now: float | None = None) -> bool:
        """True once records have waited for an idle agent for ``timeout_s`` on end."""
        now = time.monotonic() if now is None else now
        if waiting == 0 or self.batches_in_progress:
            self.idle_waiting_since = None
            return self.tripped
        if self.idle_waiting_since is None:
            self.idle_waiting_since = now
        if self.timeout_s > 0 and now - self.idle_waiting_since >= self.timeout_s:
            self.tripped = True
        return self.tripped
