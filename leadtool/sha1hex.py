"""SHA-1 of many short texts at once, for the ids leadtool derives from hashes.

Generated lead ids (``h`` + 12 hex digits of SHA-1 of ``file:row``) and duplicate group
labels (``g`` + 12 hex digits of SHA-1 of the earliest lead id) must never change: nightly
histories hold them. hashlib computes them one Python call per value (0.63 s a million on
the benchmark host, all of it holding the interpreter lock); here the same SHA-1 (FIPS 180-4)
runs as numpy operations over blocks of 16,384 messages (0.38–0.44 s a million in the same
hour, mostly outside the lock; 16,384 rows keep a block's working arrays in cache).
tests/test_sha1hex.py checks every digest against hashlib.
"""

from __future__ import annotations

import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leadtool.arrowtext import TEXT, cell_offsets, data_bytes

CHUNK = 16_384
_INIT = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
_K = (0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# Byte i of a big-endian word is byte i ^ 3 of the same word in little-endian memory.
_SWAP = 3 if sys.byteorder == "little" else 0


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
    """The messages as SHA-1 blocks — (rows, 16 × blocks) words holding the message bytes,
    0x80, zeros and the bit length in the last word of each message's own last block — and
    each message's block count. The bytes are scattered straight to where the big-endian
    words put them in native order, so no byte-swapping copy is made."""
    messages = pc.fill_null(messages, b"")
    offsets = cell_offsets(messages)
    lengths = np.diff(offsets)
    blocks = (lengths + 8) // 64 + 1
    n, width = len(messages), 64 * int(blocks.max())
    raw = np.zeros(n * width, dtype=np.uint8)
    starts = np.arange(0, n * width, width, dtype=np.int64)
    if offsets[-1] > offsets[0]:
        place = np.repeat(starts - offsets[:-1], lengths)
        place += np.arange(offsets[0], offsets[-1], dtype=np.int64)
        place ^= _SWAP
        raw[place] = data_bytes(messages)[offsets[0] : offsets[-1]]
    raw[(starts + lengths) ^ _SWAP] = 0x80
    words = raw.view(np.uint32).reshape(n, width // 4)
    # The bit length is a 64-bit big-endian number; messages here are far shorter than
    # 2**29 bytes, so its high word stays zero and its low word is the message's last.
    words[np.arange(n), 16 * blocks - 1] = lengths * 8
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


def _rotate_into(out: np.ndarray, x: np.ndarray, n: int, scratch: np.ndarray) -> None:
    """``out`` = x rotated left by n bits (``out`` may be ``x``)."""
    np.left_shift(x, np.uint32(n), out=scratch)
    np.right_shift(x, np.uint32(32 - n), out=out)
    np.bitwise_or(out, scratch, out=out)


def _compress(state: list[np.ndarray], block: np.ndarray) -> list[np.ndarray]:
    """One SHA-1 compression of a 16-word block per row (uint32 arithmetic wraps mod 2³²).

    Every step writes into arrays made once per block — a 16-word rolling message schedule
    and two scratch arrays — so that the 80 rounds allocate nothing."""
    w = np.ascontiguousarray(block.T)
    a, b, c, d, e = (word.copy() for word in state)
    f, scratch = np.empty_like(a), np.empty_like(a)
    for t in range(80):
        wt = w[t % 16]
        if t >= 16:  # w[t] = rotl(w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16], 1), in w[t-16]'s place
            for back in (3, 8, 14):
                np.bitwise_xor(wt, w[(t - back) % 16], out=wt)
            _rotate_into(wt, wt, 1, scratch)
        if t < 20:  # (b & c) | (~b & d), as d ^ (b & (c ^ d))
            np.bitwise_xor(c, d, out=f)
            np.bitwise_and(f, b, out=f)
            np.bitwise_xor(f, d, out=f)
        elif t < 40 or t >= 60:
            np.bitwise_xor(b, c, out=f)
            np.bitwise_xor(f, d, out=f)
        else:  # majority: (b & c) | (d & (b | c))
            np.bitwise_or(b, c, out=f)
            np.bitwise_and(f, d, out=f)
            np.bitwise_and(b, c, out=scratch)
            np.bitwise_or(f, scratch, out=f)
        # e becomes the new a: rotl(a, 5) + f + e + K + w[t]
        np.add(e, f, out=e)
        np.add(e, wt, out=e)
        np.add(e, np.uint32(_K[t // 20]), out=e)
        _rotate_into(f, a, 5, scratch)
        np.add(e, f, out=e)
        _rotate_into(b, b, 30, scratch)
        a, b, c, d, e = e, a, b, c, d
    return [x + y for x, y in zip(state, (a, b, c, d, e), strict=True)]
