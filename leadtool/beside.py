"""Work run beside the main thread, on the other core, in a forked child process.

Threads share one interpreter lock: pandas and Python code between the Arrow kernels holds
it, so two threads of such work run little faster than one. A forked child has its own
interpreter; it starts with the parent's memory (copy-on-write: nothing is pickled to send
the work) and sends back only its result. ``Beside(func, *args).result()`` is
``func(*args)``, whichever way it ran.

Used for self-contained steps whose results are small next to their inputs (a column of
phones, a few boolean masks). Where fork is not to be had (Windows, macOS, one core,
``LEADTOOL_NO_FORK=1``) the work runs on a thread instead; when a child fails or dies, it is
run again in this process, so errors surface exactly as they would without a child.

Fork only while no other thread of ours is at work: a thread that holds a lock at that moment
leaves it held in the child. ``--jobs`` > 1 keeps to its process pool instead.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Whether work may go to a forked child here."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and os.environ.get("LEADTOOL_NO_FORK", "") in ("", "0")
        and (os.cpu_count() or 1) > 1
    )


class Beside(Generic[T]):
    """``func(*args)``, started now in a forked child (else on a thread), collected by
    ``result()``. A context manager: leaving it stops a child whose result was not taken."""

    def __init__(self, func: Callable[..., T], *args: Any) -> None:
        self._func, self._args = func, args
        self._process: Any = None
        self._thread: Future[T] | None = None
        if not can_fork():
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadtool-beside")
            self._thread = pool.submit(func, *args)
            pool.shutdown(wait=False)
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        with warnings.catch_warnings():  # Python 3.12+ warns of fork beside (idle) threads
            warnings.simplefilter("ignore", DeprecationWarning)
            self._process = context.Process(
                target=_child, args=(send, func, args), daemon=True, name="leadtool-beside"
            )
            self._process.start()
        send.close()

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:  # left early (an error): the result is not wanted
            self._process.terminate()
            self._stop()

    def result(self) -> T:
        if self._thread is not None:
            return self._thread.result()
        if self._process is None:
            raise RuntimeError("Beside.result() taken twice")
        try:
            status, value = self._receive.recv()
        except (EOFError, OSError):  # the child died: no result came
            status, value = "lost", None
        finally:
            self._stop()
        if status == "ok":
            return value
        return self._func(*self._args)  # here, where its errors surface as usual

    def _stop(self) -> None:
        self._receive.close()
        self._process.join()
        self._process = None


def _child(send: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[str, Any] = ("ok", func(*args))
    except BaseException:  # reported as failed: the parent runs it again and raises
        outcome = ("failed", None)
    try:
        send.send(outcome)
    finally:
        send.close()
