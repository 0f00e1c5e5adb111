"""Benchmarks for `python -m bench`: each one times a subject against a baseline and a ratio target.

Never collected by pytest (the test paths are `tests/`); no test asserts a duration.
"""

import statistics
import timeit
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Comparison:
    """The median time of a subject and of its baseline, and the ratio we aim to stay under."""

    name: str
    subject: str
    subject_seconds: float
    baseline: str
    baseline_seconds: float
    target_ratio: float
    detail: str = ""

    @property
    def ratio(self) -> float:
        return self.subject_seconds / self.baseline_seconds

    @property
    def met(self) -> bool:
        return self.ratio <= self.target_ratio


@dataclass(frozen=True, slots=True)
class Skipped:
    """A benchmark that could not run here, and what to do about it (it misses no target)."""

    name: str
    reason: str
    met: bool = True


def median_seconds(func: Callable[[], object], *, repeat: int) -> float:
    """Median seconds per call over `repeat` timeit runs of about 0.2 s each."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return statistics.median(timer.repeat(repeat=repeat, number=number)) / number
