"""``newsmon bench nlp``: the NLP stage against the raw encoder, on the same sentences.

The raw encoder figure is MiniLM alone on the stories' sentences in length-sorted batches: the
ceiling. The coder figure is everything the worker does per article besides Kafka and Redis:
sentence splitting, actor resolution, the encoder pass (with token vectors), the three heads,
topics and role assignment. Their ratio is the stage's efficiency. Both run in this process, in
the same run, after a warm-up, so they are comparable.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from newsmon.core.cpu_threads import single_threaded_blas
from newsmon.core.encoder import (
    SentenceEncoder,
    model_adapter,
    model_cache_dir,
    resolve_batch_size,
    resolve_bf16,
    serving_precision,
)
from newsmon.core.sentences import split_sentences
from newsmon.core.settings import Settings
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.coder import ArticleInput, CoderHeads, EventCoder
from newsmon.producer.sources import read_articles


@dataclass
class NlpBenchResult:
    articles: int
    sentences: int
    encoder_sentences_per_s: float
    encoder_articles_per_s: float
    coder_sentences_per_s: float
    coder_articles_per_s: float
    ratio: float
    events: int
    peak_rss_mib: float
    rounds: int
    bf16: bool
    backend: str
    articles_per_batch: int
    batch_size: int
    batch_tokens: int
    one_per_call_articles_per_s: float
    one_per_call_ratio: float
    """The coder given one article per call (what a worker sees at low rates, when a ``take``
    batch holds a single article), once over the stories, against the same encoder rounds."""


def _stories(path: Path) -> list[ArticleInput]:
    items = [i.article for i in read_articles(path, 1 << 20) if i.article is not None]
    return [ArticleInput(str(n), a.title, a.text, a.published) for n, a in enumerate(items)]


def _sentences(stories: list[ArticleInput]) -> list[str]:
    return [s for a in stories for s in ([a.title] if a.title else []) + split_sentences(a.text)]


def _timed_rounds(encoder: SentenceEncoder, sentences: list[str], rounds: int) -> float:
    """Seconds for ``rounds`` passes of the encoder over all the sentences at once."""
    started = time.perf_counter()
    for _ in range(rounds):
        encoder.encode(sentences)
    return time.perf_counter() - started


def run_nlp_bench(
    seeds: Path,
    rounds: int = 3,
    batch_size: int = 0,
    bf16: bool | None = None,
    articles_per_batch: int = 16,
    batch_tokens: int = 0,
    backend: str = "auto",
    cache_dir: Path | None = None,
) -> NlpBenchResult:
    """``articles_per_batch`` mirrors the worker's ``take`` batch: the coder sorts sentences by
    length within it, so bigger batches pad less (the raw encoder sorts all sentences at once,
    an upper bound no stream reaches). ``bf16`` None decides as ``NEWSMON_MODEL_BF16=auto``
    does, so the figures match what a worker on this CPU runs. ``batch_tokens`` (the padded-token
    budget of a forward pass) applies to both, so the raw figure is the same passes over all
    sentences at once. ``backend`` (torch, onnx, or auto as ``NEWSMON_ENCODER_BACKEND``) runs
    both too, so the ratio compares the stage with its own forward pass."""
    single_threaded_blas()  # as build_coder does for a worker
    bf16 = resolve_bf16("auto") if bf16 is None else bf16
    batch_size = resolve_batch_size(batch_size, bf16)
    stories = _stories(seeds)
    sentences = _sentences(stories)
    encoder = SentenceEncoder(
        batch_size=batch_size,
        batch_tokens=batch_tokens,
        bf16=bf16,
        backend=backend,
        cache_dir=cache_dir,
        adapter=model_adapter(Settings()),  # the served encoder, whose weights the heads fit
    )
    coder = EventCoder(encoder, CoderHeads.load(), ActorResolver.default())
    encoder.encode(sentences[:64])
    coder(stories[:2])

    encoder_s = coder_s = 0.0
    events = 0
    for _ in range(rounds):
        encoder_s += _timed_rounds(encoder, sentences, 1)
        started = time.perf_counter()
        for i in range(0, len(stories), articles_per_batch):
            batch = stories[i : i + articles_per_batch]
            events += sum(len(c.events) for c in coder(batch))
        coder_s += time.perf_counter() - started
    started = time.perf_counter()
    for story in stories:
        coder([story])
    single_s = time.perf_counter() - started
    n_sent, n_art = len(sentences) * rounds, len(stories) * rounds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return NlpBenchResult(
        articles=len(stories),
        sentences=len(sentences),
        encoder_sentences_per_s=round(n_sent / encoder_s, 1),
        encoder_articles_per_s=round(n_art / encoder_s, 2),
        coder_sentences_per_s=round(n_sent / coder_s, 1),
        coder_articles_per_s=round(n_art / coder_s, 2),
        ratio=round(encoder_s / coder_s, 3),
        events=events // rounds,
        peak_rss_mib=round(peak, 1),
        rounds=rounds,
        bf16=bf16,
        backend=encoder.backend,
        articles_per_batch=articles_per_batch,
        batch_size=batch_size,
        batch_tokens=batch_tokens,
        one_per_call_articles_per_s=round(len(stories) / single_s, 2),
        one_per_call_ratio=round((encoder_s / rounds) / single_s, 3),
    )


def run_nlp_bench_as_served(seeds: Path, settings: Settings, rounds: int) -> NlpBenchResult:
    """The bench with the precision, passes and ``take`` batch a worker on this CPU uses."""
    bf16, batch_size = serving_precision(settings)
    return run_nlp_bench(
        seeds,
        rounds=rounds,
        batch_size=batch_size,
        bf16=bf16,
        articles_per_batch=settings.take_batch,
        batch_tokens=settings.model_batch_tokens,
        backend=settings.encoder_backend,
        cache_dir=model_cache_dir(settings.model_cache_dir),
    )


def raw_encoder_articles_per_s(
    seeds: Path, settings: Settings, rounds: int = 3
) -> tuple[float, str]:
    """The raw encoder alone, as served on this CPU, over the stories' sentences: (stories per
    second over ``rounds`` passes after a warm-up, the backend it ran on). One pass (3-4 s on a
    native-bf16 CPU) moved by a fifth from one run to the next; the pipeline bench divides by
    this figure."""
    single_threaded_blas()
    stories = _stories(seeds)
    sentences = _sentences(stories)
    encoder = SentenceEncoder.from_settings(settings)
    encoder.encode(sentences[:64])
    rate = round(len(stories) * rounds / _timed_rounds(encoder, sentences, rounds), 2)
    return rate, encoder.backend


def write_result(result: NlpBenchResult, path: Path) -> None:
    path.write_text(json.dumps(asdict(result), indent=2))
