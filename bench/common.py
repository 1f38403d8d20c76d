"""Shared pieces for benchmarks: Django set-up, timing helpers and the result row.

A benchmark module is ``bench/bench_<topic>.py`` with ``run() -> list[Result]``. Every figure is
reported against a baseline measured in the same run, never as an absolute pass/fail time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()


@dataclass(frozen=True)
class Result:
    benchmark: str
    measure: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value


def timed(fn: Callable[[], object], *, repeat: int) -> list[float]:
    """Wall times in seconds of ``repeat`` calls of fn."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


class bench_database:
    """A fresh, migrated database for one benchmark, destroyed afterwards.

    Uses Django's test-database machinery on whatever ``DATABASE_URL`` names (``make bench``
    points it at PostgreSQL), so benchmarks never touch real data.
    """

    def __enter__(self) -> str:
        from django.db import connection

        self._connection = connection
        self._old_name = connection.settings_dict["NAME"]
        return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)

    def __exit__(self, *exc: object) -> None:
        self._connection.creation.destroy_test_db(self._old_name, verbosity=0)
