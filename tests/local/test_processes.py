"""Children are stopped by PID with their whole process group: nothing is left behind."""

import os
import sys
import time
from pathlib import Path

import pytest
from newsmon.local.processes import ProcessFailed, ProcessGroup, free_port

SPAWNER = (
    "import subprocess, sys, time;"
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
    "print(p.pid, flush=True); time.sleep(600)"
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(condition, timeout: float = 5.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_group_stops_children_and_their_children(tmp_path: Path) -> None:
    log = tmp_path / "spawner.log"
    with ProcessGroup(tmp_path) as group:
        child = group.start("spawner", [sys.executable, "-c", SPAWNER])
        assert wait_until(lambda: log.exists() and log.read_text().strip())
        grandchild = int(log.read_text().split()[0])
        assert alive(child.pid) and alive(grandchild)
    assert not child.running()
    assert wait_until(lambda: not alive(grandchild)), "the grandchild was left running"


def test_a_child_that_exits_early_is_reported_with_its_log(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path) as group:
        child = group.start(
            "broken", [sys.executable, "-c", "print('bad flag'); raise SystemExit(3)"]
        )
        with pytest.raises(ProcessFailed, match="exited with code 3"):
            child.wait_for_port("127.0.0.1", free_port(), timeout=10)
