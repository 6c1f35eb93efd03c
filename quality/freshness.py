"""Freshness: how old a source's newest delivery (a landing file, an ERP change) is at the run's
date. Keeping each customer's record current is the seed documents' first concern; a source that
stopped delivering is found here before its customers' records go stale."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from quality.results import CheckOutcome, outcome

MAX_AGE_HOURS = 48.0  # a daily source, plus a day of slack

FRESHNESS_CHECKS: dict[str, tuple[bool, str]] = {
    "source_freshness": (False, "The source's newest file or ERP change is at most the configured age "
                                f"(default {MAX_AGE_HOURS:.0f} hours) at the run's date."),
}


def reference_time(as_of: date | None, now: datetime | None = None) -> datetime:
    """The moment a run judges freshness at: the end of its partition's day, or now if that is earlier
    (a backfill of an old day is judged at that day, today's run at the time it runs)."""
    now = now or datetime.now(timezone.utc)
    if as_of is None:
        return now
    return min(now, datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=timezone.utc))


def source_freshness(source: str, newest: datetime | None, reference: datetime,
                     max_age_hours: float = MAX_AGE_HOURS) -> CheckOutcome:
    if newest is None:
        return outcome(FRESHNESS_CHECKS, "source_freshness", False, 0, message=f"{source}: nothing delivered yet",
                       max_age_hours=max_age_hours)
    age = max((reference - newest).total_seconds() / 3600, 0.0)
    stale = age > max_age_hours
    return outcome(FRESHNESS_CHECKS, "source_freshness", not stale, 0,
                   message=f"{source}: newest delivery {newest:%Y-%m-%d %H:%M} UTC is {age:.0f} hours old "
                           f"(limit {max_age_hours:.0f})" if stale else None,
                   newest_delivery=newest.isoformat(), age_hours=round(age, 2), max_age_hours=max_age_hours)
