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
commit past them: its commit tolerates one missing offset at the head of what was acked. So
the worker also checks each batch before handling it (``first_skip``): a record beyond the
next expected offset means the stream skipped some, and the worker exits at once, before
anything of the batch is acknowledged, so that the restart reads the skipped records again.
When records have waited ``timeout_s`` while the agent sat idle (no batch in progress), the
watch trips: the worker stops and exits with ``EX_TEMPFAIL`` (75), so its supervisor
(Compose's restart policy, systemd, Kubernetes) starts a fresh one, which resumes from the
committed offsets. A batch blocked on a store that is down is in progress, not stalled: it has
its own retries, and a restart would not help it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

EX_TEMPFAIL = 75


@dataclass
class StallWatch:
    timeout_s: float  # 0 turns the watch off
    next_offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    in_batch: bool = False
    idle_waiting_since: float | None = None
    tripped: bool = False

    def batch_started(self) -> None:
        self.in_batch = True
        self.idle_waiting_since = None

    def batch_finished(self, handled: list[tuple[str, int, int]]) -> None:
        """``handled``: (topic, partition, offset) of every record of the batch."""
        for topic, partition, offset in handled:
            key = (topic, partition)
            self.next_offsets[key] = max(self.next_offsets.get(key, 0), offset + 1)
        self.in_batch = False

    def first_skip(
        self, batch: list[tuple[str, int, int]], committed: Callable[[str, int], int | None]
    ) -> tuple[str, int, int, int] | None:
        """The first record of ``batch`` that comes after records the stream never handed over:
        (topic, partition, next expected offset, offset handed). The next expected offset is the
        larger of the next one after those handled here and the committed one (a partition that
        came back in a rebalance starts at its committed offset)."""
        for topic, partition, offset in sorted(batch):
            known = [self.next_offsets.get((topic, partition)), committed(topic, partition)]
            expected = max((o for o in known if o is not None), default=None)
            if expected is not None and offset > expected:
                return topic, partition, expected, offset
            self.next_offsets[(topic, partition)] = max(expected or 0, offset + 1)
        return None

    def waiting(self, topic: str, partition: int, highwater: int, committed: int | None) -> int:
        """Records of the partition not yet committed (or, before the first commit, handled).

        The committed offset, not the handled one: Faust commits only contiguous offsets, so
        records the stream skipped hold the commit back while the agent has handled later ones.
        """
        start = committed if committed is not None else self.next_offsets.get((topic, partition))
        return max(0, highwater - (start or 0))

    def check(self, waiting: int, now: float | None = None) -> bool:
        """True once records have waited for an idle agent for ``timeout_s`` on end."""
        now = time.monotonic() if now is None else now
        if waiting == 0 or self.in_batch:
            self.idle_waiting_since = None
            return self.tripped
        if self.idle_waiting_since is None:
            self.idle_waiting_since = now
        if self.timeout_s > 0 and now - self.idle_waiting_since >= self.timeout_s:
            self.tripped = True
        return self.tripped
