"""Compact storage of rendered clients: raw DEFLATE with a preset dictionary.

A rendered client is about 800 bytes of JSON, half of it field names that every
client repeats. Compressed against a dictionary of sample clients it takes
about 110 bytes, which keeps a 100,000-client fleet well inside its memory
budget; unpacking a page of 99 costs a fraction of a millisecond.
"""

from __future__ import annotations

import random
import zlib

from hbr_emulator.fleet import random_client
from hbr_emulator.wire import render_fragment

_WBITS = -15  # raw DEFLATE: no zlib header or checksum per client


def _dictionary() -> bytes:
    # Built from a fixed seed, so every process derives the same dictionary.
    rng = random.Random(20170908)  # noqa: S311  # not cryptographic
    samples = [
        render_fragment(random_client(rng, client_type=client_type, now=1_700_000_000)[0])
        for _ in range(20)
        for client_type in ("CONTAINER_CLIENT", "ECS_CLIENT")
    ]
    return b"".join(samples)[-32_768:]


DICTIONARY = _dictionary()
"""The preset dictionary: rendered sample clients (at most the 32 KiB DEFLATE window)."""


def pack(fragment: bytes) -> bytes:
    """Compress one rendered client."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, _WBITS, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY)
    return compressor.compress(fragment) + compressor.flush()


def unpack(packed: bytes) -> bytes:
    """Decompress one rendered client."""
    decompressor = zlib.decompressobj(_WBITS, DICTIONARY)
    return decompressor.decompress(packed) + decompressor.flush()
