"""The raw encoder as one single-threaded pass per core, each in its own process.

On two cores, one process whose forward pass spreads over both (torch's intra-op threads, as
``newsmon worker`` runs it alone) is not the encoder's best: a layer's small matrix products
scale poorly over two threads, and any other process taking a slice of a core stalls both
threads at each barrier. Two processes with one thread each did 388 sentences/s together where
one process with two threads did 288 (VOA sentences, 500 at a time, bf16 on a 2-core EPYC).
So the pipeline bench divides by the better of the two figures: an efficiency measured against
the weaker one would flatter the pipeline.

Each process loads the served encoder with one thread, warms up, waits for the others at a
barrier and encodes every sentence ``rounds`` times; the figure is all the stories they got
through over the slowest one's time.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from newsmon.core.settings import Settings


def _encode_rounds(
    settings: Settings, sentences: list[str], rounds: int, start: object, out: object
) -> None:
    from newsmon.bench.nlp import _timed_rounds
    from newsmon.core.cpu_threads import single_threaded_blas
    from newsmon.core.encoder import SentenceEncoder

    single_threaded_blas()
    encoder = SentenceEncoder.from_settings(settings.model_copy(update={"torch_threads": 1}))
    encoder.encode(sentences[:64])
    start.wait(timeout=600)  # type: ignore[attr-defined]
    out.put(_timed_rounds(encoder, sentences, rounds))  # type: ignore[attr-defined]


def parallel_encoder_articles_per_s(
    seeds: Path, settings: Settings, processes: int, rounds: int = 3
) -> float:
    """Stories per second of ``processes`` single-threaded encoders running at once."""
    from newsmon.bench.nlp import _sentences, _stories

    stories = _stories(seeds)
    sentences = _sentences(stories)
    context = multiprocessing.get_context("spawn")  # no forked torch state
    start, out = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_encode_rounds, args=(settings, sentences, rounds, start, out))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        elapsed = [out.get(timeout=900) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
                worker.join()
    return stories_per_second(len(stories) * rounds, elapsed)


def stories_per_second(stories_each: int, elapsed: list[float]) -> float:
    """Every process encoded ``stories_each`` stories; they ran at once, so the work is done
    when the slowest one is."""
    return round(len(elapsed) * stories_each / max(elapsed), 2)
