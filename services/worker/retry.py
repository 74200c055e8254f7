"""Retrying infrastructure calls (Redis) with exponential backoff, forever.

A Redis outage must stall the stream, not skip records: the agent does not move on (and so
Faust does not commit the offsets) until the write has succeeded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from newsmon.core.metrics import WorkerMetrics
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_DELAY_S = 0.2
MAX_DELAY_S = 5.0


async def retry_forever(call: Callable[[], Awaitable[T]], metrics: WorkerMetrics, what: str) -> T:
    delay = FIRST_DELAY_S
    while True:
        try:
            result = await call()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            metrics.store_retries.inc()
            metrics.store_stalled.set(1)
            log.warning("%s failed (%s); retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_S)
            continue
        metrics.store_stalled.set(0)
        return result
