"""The bf16 decision: autocast only where the CPU does bfloat16 in hardware."""

from pathlib import Path

import pytest
from newsmon.core.encoder import cpu_has_native_bf16, resolve_bf16

AVX2_ONLY = "processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma\n"
SAPPHIRE_RAPIDS = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n"


@pytest.mark.parametrize(("cpuinfo", "native"), [(AVX2_ONLY, False), (SAPPHIRE_RAPIDS, True)])
def test_native_bf16_is_read_from_the_cpu_flags(tmp_path: Path, cpuinfo: str, native: bool):
    path = tmp_path / "cpuinfo"
    path.write_text(cpuinfo)
    assert cpu_has_native_bf16(path) is native


def test_an_unreadable_cpuinfo_means_float32(tmp_path: Path):
    assert cpu_has_native_bf16(tmp_path / "missing") is False


def test_an_explicit_setting_wins_over_the_cpu():
    assert resolve_bf16(True) is True
    assert resolve_bf16(False) is False
    assert resolve_bf16("auto") is cpu_has_native_bf16()


def test_batch_size_follows_the_precision_unless_set() -> None:
    from newsmon.core.encoder import resolve_batch_size

    assert resolve_batch_size(0, bf16=True) == 32
    assert resolve_batch_size(0, bf16=False) == 8
    assert resolve_batch_size(12, bf16=False) == 12
