"""How the cores are shared out among a worker's forward passes."""

from newsmon.core.cpu_threads import threads_per_pass


def test_the_cores_are_shared_among_the_passes_in_flight() -> None:
    assert threads_per_pass(1, cores=2) == 2
    assert threads_per_pass(2, cores=2) == 1
    assert threads_per_pass(2, cores=16) == 8


def test_every_pass_gets_a_thread_even_with_more_passes_than_cores() -> None:
    assert threads_per_pass(4, cores=2) == 1
    assert threads_per_pass(3, cores=None) >= 1
