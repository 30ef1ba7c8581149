"""once.Once: a value per key computed once, also when threads ask at the same time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from leadtool.once import Once


def test_two_threads_asking_at_once_compute_it_once() -> None:
    calls: list[str] = []
    started = threading.Event()

    def slow() -> int:
        calls.append("slow")
        started.set()
        time.sleep(0.05)
        return 7

    once: Once[int] = Once()
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(once.get, "k", slow)
        started.wait(5)
        second = pool.submit(once.get, "k", slow)
        assert (first.result(), second.result()) == (7, 7)
    assert calls == ["slow"]


def test_known_values_and_values_that_need_others() -> None:
    once: Once[int] = Once({"a": 1})
    assert once.get("a", lambda: 99) == 1
    assert once.get("b", lambda: once.get("a", lambda: 99) + 1) == 2
