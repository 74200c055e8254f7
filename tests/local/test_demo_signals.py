"""Ctrl-C stops the demo even where its parent started it with SIGINT ignored."""

import signal
import subprocess
import sys
import time

STOPPABLE_DEMO = """
import time
from newsmon.local.demo import _stop_on_sigint_and_sigterm
_stop_on_sigint_and_sigterm()
try:
    print("ready", flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    raise SystemExit(130)
"""


def start_with_sigint_ignored() -> subprocess.Popen:
    """As a shell without job control starts a background job (``make demo &``, nohup)."""
    child = subprocess.Popen(
        [sys.executable, "-c", STOPPABLE_DEMO],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # noqa: PLW1509
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def test_sigint_stops_a_demo_that_inherited_it_ignored() -> None:
    child = start_with_sigint_ignored()
    started = time.monotonic()
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=20) == 130
    assert time.monotonic() - started < 20


def test_sigterm_stops_it_the_same_way() -> None:
    child = start_with_sigint_ignored()
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=20) == 130
