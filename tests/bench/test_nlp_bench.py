"""`newsmon bench nlp` on three stories: the figures are consistent with each other (a code
path check; the speeds themselves are for the benchmark to print, not for a test to time)."""

import json
from pathlib import Path

from newsmon.bench.nlp import run_nlp_bench

from tests.conftest import REPO


def test_the_nlp_bench_reports_batched_and_one_per_call_figures(tmp_path: Path) -> None:
    lines = (REPO / "seeds" / "voa_stories.jsonl").read_text().splitlines()[:3]
    stories = tmp_path / "stories.jsonl"
    stories.write_text("\n".join(lines) + "\n")
    result = run_nlp_bench(stories, rounds=1, articles_per_batch=2)
    assert result.articles == 3 and result.sentences > 3 and result.events > 0
    for speed in (
        result.encoder_sentences_per_s,
        result.coder_articles_per_s,
        result.one_per_call_articles_per_s,
    ):
        assert speed > 0
    assert result.batch_size in (8, 32) and result.bf16 in (True, False)
    encoder_seconds = result.articles / result.encoder_articles_per_s
    single_seconds = result.articles / result.one_per_call_articles_per_s
    assert abs(result.one_per_call_ratio - encoder_seconds / single_seconds) < 0.1
    assert (
        json.loads(json.dumps(result.__dict__))["one_per_call_ratio"] == result.one_per_call_ratio
    )


def test_the_parallel_raw_encoder_runs_every_process_and_counts_them_all(
    tmp_path: Path,
) -> None:
    from newsmon.bench.parallel_encoder import (
        parallel_encoder_articles_per_s,
        stories_per_second,
    )
    from newsmon.core.settings import Settings

    lines = (REPO / "seeds" / "voa_stories.jsonl").read_text().splitlines()[:3]
    stories = tmp_path / "stories.jsonl"
    stories.write_text("\n".join(lines) + "\n")
    assert parallel_encoder_articles_per_s(stories, Settings(), processes=2, rounds=1) > 0
    # two processes of 6 stories each, the slower done in 2 s: 12 stories in 2 s
    assert stories_per_second(6, [1.5, 2.0]) == 6.0
