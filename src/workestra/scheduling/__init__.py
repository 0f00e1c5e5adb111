"""The availability engine: weekly hours, busy time and policy in; bookable UTC slots out.

Pure: standard library only, no I/O, no clock, no settings; `now` is always passed in.
"""

from workestra.scheduling.intervals import Interval, as_utc, merge, subtract
from workestra.scheduling.round_robin import Candidate, calibrated_count, rank, why_first
from workestra.scheduling.slots import MAX_BUFFER_MINUTES, SlotPolicy, available_slots, is_available
from workestra.scheduling.weekly_hours import (
    WeeklyRule,
    format_hhmm,
    local_days,
    local_to_utc,
    parse_hhmm,
    windows_for,
)

__all__ = [
    "MAX_BUFFER_MINUTES",
    "Candidate",
    "Interval",
    "SlotPolicy",
    "WeeklyRule",
    "as_utc",
    "available_slots",
    "calibrated_count",
    "format_hhmm",
    "is_available",
    "local_days",
    "local_to_utc",
    "merge",
    "parse_hhmm",
    "rank",
    "subtract",
    "why_first",
    "windows_for",
]
