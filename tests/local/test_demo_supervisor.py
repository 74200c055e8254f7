"""The demo restarts a worker that stops on a stalled stream (exit 75), and only that one."""

import os
import sys
from pathlib import Path

from newsmon.core.settings import Settings
from newsmon.local.demo import Demo
from newsmon.worker.stall import EX_TEMPFAIL
from rich.console import Console


def exited_worker(demo: Demo, code: int) -> None:
    demo._worker = demo.group.start("worker", [sys.executable, "-c", f"raise SystemExit({code})"])
    demo._worker_env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": "", "REDIS_URL": ""}
    demo._worker.popen.wait(timeout=30)


def test_a_worker_that_exits_75_is_restarted_and_counted(tmp_path: Path) -> None:
    demo = Demo(Settings(data_dir=tmp_path), [], Console(file=open(os.devnull, "w")))  # noqa: SIM115
    try:
        exited_worker(demo, EX_TEMPFAIL)
        first = demo._worker
        assert demo._supervise_worker()
        assert demo.report.worker_restarts == 1 and demo._worker is not first
        assert demo._worker.log_path is not None and demo._worker.log_path.name == "worker-2.log"
    finally:
        demo.group.stop_all()


def test_any_other_exit_is_a_failure(tmp_path: Path) -> None:
    demo = Demo(Settings(data_dir=tmp_path), [], Console(file=open(os.devnull, "w")))  # noqa: SIM115
    try:
        exited_worker(demo, 1)
        assert not demo._supervise_worker()
        assert demo.report.worker_restarts == 0
    finally:
        demo.group.stop_all()
