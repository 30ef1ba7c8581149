"""Values computed once per key, for caches that threads share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class Once(Generic[V]):
    """Each key's value computed once, also when two threads ask for it at the same time:
    the second waits for the first's result (one lock per key) instead of computing it
    again. Locks are taken in the order values need each other, so they cannot deadlock
    as long as no value needs itself."""

    def __init__(self, known: dict[str, V] | None = None) -> None:
        self._values: dict[str, V] = dict(known or {})
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str, compute: Callable[[], V]) -> V:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = compute()
            return self._values[key]
