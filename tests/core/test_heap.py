"""Freed heap pages go back to the system after each encoder call (newsmon.core.heap)."""

import ctypes.util
import platform

import pytest
from newsmon.core.heap import release_free_heap


@pytest.mark.skipif(
    platform.system() != "Linux"
    or platform.libc_ver()[0] != "glibc"
    or not ctypes.util.find_library("c"),
    reason="malloc_trim is glibc's",
)
def test_glibc_trims_the_heap() -> None:
    blocks = [bytearray(1 << 20) for _ in range(64)]  # 64 MiB in heap-sized pieces
    del blocks
    assert release_free_heap() is True
