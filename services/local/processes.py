"""Child processes that are always stopped: by PID, process group first, then SIGKILL.

The demo and the test fixtures start brokers, servers and workers as children. Each child runs
in its own session (process group), so stopping it also stops anything it spawned; a
``ProcessGroup`` stops its children in reverse start order when it exits, on Ctrl-C, on SIGTERM
and at interpreter exit. A parent that is SIGKILLed can do none of that, so each child started
from the main thread also dies with it (``newsmon.core.lifetime``). No orphan processes, ever.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from newsmon.core.lifetime import launcher_argv


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class ProcessFailed(RuntimeError):
    """A child exited or never became ready; the message names its log file."""


@dataclass
class ManagedProcess:
    name: str
    popen: subprocess.Popen
    log_path: Path | None
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_for_port(self, host: str, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise ProcessFailed(
                    f"{self.name} exited with code {self.popen.returncode}; "
                    f"see {self.log_path}:\n{self.log_tail()}"
                )
            if port_open(host, port):
                return
            time.sleep(0.1)
        raise ProcessFailed(f"{self.name} did not listen on {host}:{port} within {timeout:.0f}s")

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM the child's process group, then SIGKILL what is left after ``timeout``."""
        if self.running():
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(timeout=5)
        else:
            self._signal_group(signal.SIGKILL)  # grandchildren of a child that already exited
        if self._log_file:
            self._log_file.close()
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL at once (fault-injection tests)."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=5)

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so ``with`` blocks and ``atexit`` stop the children.

    SIGTERM's default action ends the process on the spot, and the children, in sessions of
    their own, lived on: ``timeout newsmon bench pipeline`` or a CI job cancelling pytest left
    the broker, valkey and a worker running. A handler someone else installed is kept (the
    demo has its own), and only the main thread may install one."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


class ProcessGroup:
    """Starts children and guarantees they are stopped (reverse order) when it closes."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[ManagedProcess] = []
        atexit.register(self.stop_all)
        _stop_on_sigterm()

    def start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> ManagedProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        log_file = open(log_path, "ab")  # noqa: SIM115 - open for the child's lifetime
        if threading.current_thread() is threading.main_thread():  # see lifetime's caveat
            argv = launcher_argv(argv)
        popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        child = ManagedProcess(name=name, popen=popen, log_path=log_path, _log_file=log_file)
        self.children.append(child)
        return child

    def stop_all(self) -> None:
        while self.children:
            self.children.pop().stop()

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()
