"""Child processes that die with their parent, even when the parent is SIGKILLed.

A parent that is SIGKILLed runs no handler, ``finally`` or ``atexit``, so it cannot stop its
children; the demo's children run in sessions of their own (``newsmon.local.processes``), so
nothing else stops them either: a ``newsmon demo`` killed that way (as pytest kills a
subprocess it was waiting on when interrupted) left its worker, deliverer, API, broker and
valkey running. Linux can send a child a signal when its parent dies (``PR_SET_PDEATHSIG``);
the child asks for it itself, first thing, and the request survives ``exec``, so a program that
knows nothing of it (the broker, valkey) gets it through the launcher below::

    python -m newsmon.core.lifetime PARENT_PID PROGRAM [ARGS...]

The signal comes when the *thread* that started the child ends, not the process: start such
children from a thread that lives as long as they should (the main thread). Elsewhere than
Linux this does nothing beyond the check that the parent is still there.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h: a signal for this process when its parent dies


def die_with_parent(parent_pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    """Ask for ``sig`` when the parent dies, then exit at once if it already has: a parent
    that died between this process's start and the request would never send it."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig)) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:
        os._exit(0)


def launcher_argv(argv: list[str]) -> list[str]:
    """``argv`` run through this module's launcher, so it dies with the calling process."""
    return [sys.executable, "-m", "newsmon.core.lifetime", str(os.getpid()), *argv]


def main(args: list[str]) -> None:
    if len(args) < 2:
        raise SystemExit("usage: python -m newsmon.core.lifetime PARENT_PID PROGRAM [ARGS...]")
    die_with_parent(int(args[0]))
    os.execvp(args[1], args[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
