"""Children are stopped by PID with their whole process group: nothing is left behind."""

import os
import signal
import subprocess
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


def test_sigterm_to_the_parent_stops_its_children_too(tmp_path: Path) -> None:
    """``timeout newsmon bench`` or a CI job cancelling pytest sends SIGTERM, whose default
    action ends the parent on the spot: its children, in sessions of their own, used to live on."""
    parent_code = (
        "import sys, time; from pathlib import Path;"
        "from newsmon.local.processes import ProcessGroup;"
        f"group = ProcessGroup(Path({str(tmp_path)!r}));"
        "child = group.start('sleeper', [sys.executable, '-c', 'import time; time.sleep(600)']);"
        "print(child.pid, flush=True); time.sleep(600)"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True
    )
    try:
        child_pid = int(parent.stdout.readline())
        assert alive(child_pid)
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=30)
        assert wait_until(lambda: not alive(child_pid), timeout=20), "the child was left running"
    finally:
        parent.kill()
        parent.wait()
