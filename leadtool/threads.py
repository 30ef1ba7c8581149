"""Two threads for a large frame, none for a small one.

The stages run independent whole-column kernels side by side on two threads (Arrow's and
numpy's release the interpreter lock). On a small frame the kernels are short and the
Python around them is most of the work: a thread started per call and the interpreter lock
passed back and forth between two threads running Python cost more than the overlap gives
(200 files of 50 leads imported: 12.7 s with threads, 10.3 s without). Below
``SMALL_ROWS`` the same calls run one after another (``Inline``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

SMALL_ROWS = 10_000  # rows: below, a stage's calls run inline


class Inline:
    """An executor that runs each call at once, in the calling thread."""

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # raised where the result is asked for, as a thread's
            future.set_exception(exc)
        return future

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        return iter([fn(*args) for args in zip(*iterables, strict=False)])


def pool_for(rows: int, workers: int, name: str) -> ThreadPoolExecutor | Inline:
    """``workers`` threads named ``name`` for a frame of ``SMALL_ROWS`` rows or more, else
    ``Inline``."""
    if rows < SMALL_ROWS:
        return Inline()
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
