"""Keep numpy's BLAS threads off the cores the encoder computes on.

The encoder's forward pass (torch's OpenMP pool, or ONNX Runtime's) already uses every core.
The heads after it are small numpy products (sentences x 384 by 384 x labels), and OpenBLAS
runs them on its own pool of threads that keep spinning after each call, waiting for the next:
on two cores they took the cores back from the encoder's next pass. Measured on the native-bf16
CPU, the coder given one VOA story per call (a worker's batch below saturation) ran at 7.0-7.8
stories/s with OpenBLAS's default pool and 12.9-14.0 with one BLAS thread; with ONNX Runtime,
7.5 against 10.1-10.5. Sixteen stories per call moved within run-to-run noise (19.8 against
21.2; ONNX 16.0 against 14.7), since large passes leave fewer gaps to spin in.
"""

from __future__ import annotations

import os

from threadpoolctl import threadpool_limits

_limited = False


def single_threaded_blas() -> None:
    """One BLAS thread for the rest of the process (idempotent).

    Call it where a process starts serving the coder; training keeps the default pool, where
    BLAS does the heavy work.
    """
    global _limited
    if not _limited:
        threadpool_limits(limits=1, user_api="blas")
        _limited = True


def threads_per_pass(passes: int, cores: int | None = None) -> int:
    """Encoder threads for each of ``passes`` forward passes run at once: the cores shared out.

    On two cores two single-threaded passes beat one pass over both threads: two encoder
    processes did 196 + 192 VOA sentences/s where one process with two threads did 288, and
    two passes in one process (threads of one worker) 326-343 (a layer's small products scale
    poorly over two threads, and each barrier waits for a thread that lost its core)."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, passes))
