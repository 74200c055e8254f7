"""Batches that grow while every forward pass is busy: bigger batches exactly when the load is.

Faust's ``take_events(max, within)`` cuts a batch when it holds ``max`` records or ``within``
seconds after it started waiting. A batch cut while both forward passes are busy gains
nothing by being cut: it waits for a pass anyway, and the records that arrive meanwhile go to
the next batch. Small batches are what made the stream slower than the raw encoder: offline,
one coder ran 0.945 of the raw encoder in batches of 16 stories, 0.89 in 8, 0.79 in 4, and at
10 articles/s offered the stream's batches held 6 to 8.

So the batch stays open while every pass is busy (``busy``), and is cut when one is free or
when it is full. At a low rate a pass is always free and nothing changes (the latency of a lone
article is still ``within``); under load a batch takes in what arrives while it waits, as a
server's dynamic batching does. Nothing is acknowledged earlier: Faust still acknowledges a
batch's records when the agent asks for the next one.

Off by default (``Settings.grow_batches``): measured on two cores, the gain stayed within the
bench's run-to-run spread (see the README's configuration table).
"""

from __future__ import annotations

from collections.abc import Callable

import faust

POLL_SECONDS = 0.02  # how often an open batch looks for a free pass


def grow_batches_while_busy(stream: faust.StreamT, busy: Callable[[], bool]) -> None:
    """Make ``stream.take_events`` keep a batch open while ``busy()``.

    ``take_events`` waits for its batch with ``stream.wait_for_stopped(buffer_full,
    timeout=within)`` (faust-streaming 0.15, like ``take`` and ``noack_take``), and that wait
    is all this replaces, on this stream only: after ``within`` it goes on waiting, in short
    steps, for the buffer to fill or a pass to come free."""
    wait_for_stopped = stream.wait_for_stopped

    async def wait_for_batch(buffer_full, *, timeout=None) -> bool:  # noqa: ANN001
        await wait_for_stopped(buffer_full, timeout=timeout)
        # Not the wait's own answer: mode's ``wait_first`` reports a timeout as "stopped".
        while not stream.should_stop and not buffer_full.is_set() and busy():
            await wait_for_stopped(buffer_full, timeout=POLL_SECONDS)
        return stream.should_stop

    stream.wait_for_stopped = wait_for_batch  # type: ignore[method-assign]
