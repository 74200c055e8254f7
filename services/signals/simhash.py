"""Near-duplicate detection with SimHash, to count independent sources.

A syndicated wire story republished by ten outlets is one source, not ten. SimHash maps a text
to 64 bits such that near-identical texts differ in few bits: we hash word 3-shingles, so
copies that differ by a byline, a headline or a trailing paragraph stay within a few bits.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
BITS = 64
NEAR_DUPLICATE_BITS = 6


def simhash(text: str, shingle: int = 3) -> int:
    words = _WORD.findall(text.lower())
    if not words:
        return 0
    grams = [" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))]
    hashes = np.frombuffer(
        b"".join(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in grams), dtype=">u8"
    )
    bits = (hashes[:, None] >> np.arange(BITS, dtype=np.uint64)) & np.uint64(1)
    votes = 2 * bits.sum(axis=0, dtype=np.int64) - len(grams)
    return int(sum(1 << int(bit) for bit in np.flatnonzero(votes > 0)))


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def count_independent(fingerprints: list[int], max_bits: int = NEAR_DUPLICATE_BITS) -> int:
    """Clusters of near-duplicates (greedy: each joins the first cluster within ``max_bits``)."""
    leaders: list[int] = []
    for fingerprint in fingerprints:
        if not any(hamming(fingerprint, leader) <= max_bits for leader in leaders):
            leaders.append(fingerprint)
    return len(leaders)
