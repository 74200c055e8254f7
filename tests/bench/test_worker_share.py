"""The bench gives each worker its share of one machine's passes and cores."""

from unittest import mock

from newsmon.bench.pipeline import worker_share
from newsmon.core.settings import Settings


def test_workers_share_the_default_passes_and_the_cores() -> None:
    with mock.patch("os.cpu_count", return_value=2):
        assert worker_share(Settings(), workers=1) == (2, 1)  # two single-threaded passes
        assert worker_share(Settings(), workers=2) == (1, 1)  # one each, not four on two cores
    with mock.patch("os.cpu_count", return_value=16):
        assert worker_share(Settings(), workers=1) == (2, 8)
        assert worker_share(Settings(), workers=2) == (1, 8)


def test_a_configured_concurrency_is_kept() -> None:
    with mock.patch("os.cpu_count", return_value=2):
        assert worker_share(Settings(worker_concurrency=3), workers=2) == (3, 1)
