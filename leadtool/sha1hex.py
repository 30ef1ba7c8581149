"""SHA-1 of many short texts at once, for the ids leadtool derives from hashes.

Generated lead ids (``h`` + 12 hex digits of SHA-1 of ``file:row``) and duplicate group
labels (``g`` + 12 hex digits of SHA-1 of the earliest lead id) must never change: nightly
histories hold them. hashlib computes them one Python call per value (about 0.8 s a million,
all of it holding the interpreter lock); here the same SHA-1 (FIPS 180-4) runs as numpy
operations over blocks of 32,768 messages (about 0.25 s a million, mostly outside the lock).
tests/test_sha1hex.py checks every digest against hashlib.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leadtool.arrowtext import TEXT, cell_offsets, data_bytes

CHUNK = 32_768
_INIT = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
_K = (0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex12(prefix: str, messages: pa.Array) -> pa.Array:
    """``prefix`` + the first 12 hex digits of SHA-1 of each message's UTF-8 bytes, as an
    Arrow text array (what ``prefix + hashlib.sha1(m).hexdigest()[:12]`` gives)."""
    data = messages.cast(pa.large_binary()) if len(messages) else messages
    n = len(data)
    head = np.empty((n, 2), dtype=np.uint32)
    for start in range(0, n, CHUNK):
        h = _digest_words(_padded(data.slice(start, CHUNK)))
        head[start : start + CHUNK, 0], head[start : start + CHUNK, 1] = h[0], h[1]
    # The first 6 digest bytes (h0 and the top half of h1, big-endian), two digits each.
    digest = head.astype(">u4").view(np.uint8).reshape(n, 8)[:, :6]
    width = len(prefix.encode()) + 12
    text = np.empty((n, width), dtype=np.uint8)
    text[:, : width - 12] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    text[:, width - 12 :: 2] = _HEX[digest >> 4]
    text[:, width - 11 :: 2] = _HEX[digest & 15]
    offsets = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int64))
    return pa.Array.from_buffers(TEXT, n, [None, offsets, pa.py_buffer(text)])  # no copies


def _padded(messages: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The messages as SHA-1 blocks — (rows, 16 × blocks) big-endian words, message bytes,
    0x80, zeros, the bit length in the last 8 bytes of each message's own last block — and
    each message's block count."""
    messages = pc.fill_null(messages, b"")
    offsets = cell_offsets(messages)
    lengths = np.diff(offsets)
    blocks = (lengths + 8) // 64 + 1
    width = 64 * int(blocks.max())
    raw = np.zeros((len(messages), width), dtype=np.uint8)
    longest = int(lengths.max())
    if longest:
        data = data_bytes(messages)
        column = np.arange(longest)
        inside = column < lengths[:, None]
        where = np.minimum(offsets[:-1, None] + column, len(data) - 1)
        raw[:, :longest] = np.where(inside, data[where], 0)
    rows = np.arange(len(messages))
    raw[rows, lengths] = 0x80
    ends = 64 * blocks
    bit_length = (lengths * 8).astype(">u8")
    for i, byte in enumerate(bit_length.view(np.uint8).reshape(-1, 8).T):
        raw[rows, ends - 8 + i] = byte
    words = raw.view(">u4").astype(np.uint32)
    return words, blocks


def _digest_words(padded: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """The five state words after each message's last block."""
    words, blocks = padded
    state = [np.full(len(words), v, dtype=np.uint32) for v in _INIT]
    done = [s.copy() for s in state]
    for b in range(int(blocks.max()) if len(words) else 0):
        state = _compress(state, words[:, 16 * b : 16 * b + 16])
        last = blocks == b + 1
        for kept, now in zip(done, state, strict=True):
            kept[last] = now[last]
    return done


def _rotl(x: np.ndarray, n: int) -> np.ndarray:
    return (x << np.uint32(n)) | (x >> np.uint32(32 - n))


def _compress(state: list[np.ndarray], block: np.ndarray) -> list[np.ndarray]:
    """One SHA-1 compression of a 16-word block per row (uint32 arithmetic wraps mod 2³²)."""
    w = np.empty((80, len(block)), dtype=np.uint32)
    w[:16] = block.T
    for t in range(16, 80):
        w[t] = _rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1)
    a, b, c, d, e = state
    for t in range(80):
        if t < 20:
            f = (b & c) | (~b & d)
        elif t < 40 or t >= 60:
            f = b ^ c ^ d
        else:
            f = (b & c) | (b & d) | (c & d)
        temp = _rotl(a, 5)
        temp += f
        temp += e
        temp += np.uint32(_K[t // 20])
        temp += w[t]
        a, b, c, d, e = temp, a, _rotl(b, 30), c, d
    return [x + y for x, y in zip(state, (a, b, c, d, e), strict=True)]
