"""Children are stopped by PID with their whole process group: nothing is left behind."""

import contextlib
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
    """Running, not a zombie: an orphan is dead once killed, whenever init reaps it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


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


def parent_with_sleepers(tmp_path: Path, count: int) -> tuple[subprocess.Popen, list[int]]:
    """A parent process whose ``ProcessGroup`` started ``count`` sleeping children, and their
    PIDs, which it prints once they are started."""
    parent_code = (
        "import time; from pathlib import Path;"
        "from newsmon.local.processes import ProcessGroup;"
        f"group = ProcessGroup(Path({str(tmp_path)!r}));"
        f"children = [group.start(f'sleeper-{{i}}', ['sleep', '600']) for i in range({count})];"
        "print(*(c.pid for c in children), flush=True); time.sleep(600)"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True
    )
    return parent, [int(pid) for pid in parent.stdout.readline().split()]


def test_sigterm_to_the_parent_stops_its_children_too(tmp_path: Path) -> None:
    """``timeout newsmon bench`` or a CI job cancelling pytest sends SIGTERM, whose default
    action ends the parent on the spot: its children, in sessions of their own, used to live on."""
    parent, (child_pid,) = parent_with_sleepers(tmp_path, 1)
    try:
        assert alive(child_pid)
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=30)
        assert wait_until(lambda: not alive(child_pid), timeout=20), "the child was left running"
    finally:
        parent.kill()
        parent.wait()


def test_a_sigkilled_parent_takes_its_children_with_it(tmp_path: Path) -> None:
    """SIGKILL runs no handler in the parent: its children, in sessions of their own, lived on
    (a ``newsmon demo`` killed so left its worker, API, broker and valkey). Each child now asks
    the kernel to kill it when its parent dies, through a launcher, so a program that knows
    nothing of this (the broker, valkey) dies too."""
    parent, child_pids = parent_with_sleepers(tmp_path, 2)
    try:
        # the launcher execs the program itself: same PID, the program's own command line
        assert wait_until(
            lambda: all(
                Path(f"/proc/{pid}/cmdline").read_bytes() == b"sleep\x00600\x00"
                for pid in child_pids
            )
        )
        parent.kill()
        parent.wait(timeout=10)
        assert wait_until(lambda: not any(alive(pid) for pid in child_pids)), (
            "a child outlived its SIGKILLed parent"
        )
    finally:
        parent.kill()
        parent.wait()
        for pid in child_pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
