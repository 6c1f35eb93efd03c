"""Volume: how many rows a delivery or a table holds against the last good run. A source that
sends a third fewer rows is worth a look (warn); golden customers or a mart losing a third of
their rows means something upstream broke (error), and the last good table should stay."""

from __future__ import annotations

from collections.abc import Mapping

from quality.results import CheckOutcome, outcome

MAX_CHANGE = 0.25  # default share a row count may move against the last good run

VOLUME_CHECKS: dict[str, tuple[bool, str]] = {
    "row_count_change": (False, "The rows of each source move by at most the configured share (default 25 %) "
                                "against the last good run."),
}
DROP_CHECKS: dict[str, tuple[bool, str]] = {
    "row_count_drop": (True, "The table keeps at least 1 - the configured share (default 25 %) of the rows of the "
                             "last good run."),
}


def _changes(counts: Mapping[str, int], previous: Mapping[str, int]) -> list[dict]:
    return [{"part": part, "rows": counts.get(part, 0), "last_good_rows": before,
             "change": round((counts.get(part, 0) - before) / before, 4)}
            for part, before in sorted(previous.items()) if before]


def _text(row: dict) -> str:
    direction = "fewer" if row["change"] < 0 else "more"
    return f"{row['part']}: {row['rows']:,} rows, {abs(row['change']):.0%} {direction} than the last good run's " \
           f"{row['last_good_rows']:,}"


def row_count_change(counts: Mapping[str, int], previous: Mapping[str, int] | None,
                     max_share: float = MAX_CHANGE) -> CheckOutcome:
    """Per part (a source, a file): rows now against the last good run's; passes on a first run."""
    if not previous:
        return outcome(VOLUME_CHECKS, "row_count_change", True, first_run=True)
    rows = _changes(counts, previous)
    moved = [r for r in rows if abs(r["change"]) > max_share]
    return outcome(VOLUME_CHECKS, "row_count_change", not moved, sum(abs(r["rows"] - r["last_good_rows"]) for r in moved),
                   moved, message="; ".join(_text(r) for r in moved[:3]) or None, max_share=max_share, per_part=rows)


def row_count_drop(table: str, rows: int, previous: int | None, max_share: float = MAX_CHANGE) -> CheckOutcome:
    """``table`` now against the last good run's rows; only a drop past ``max_share`` fails."""
    if not previous:
        return outcome(DROP_CHECKS, "row_count_drop", True, first_run=previous is None, rows=rows)
    (row,) = _changes({table: rows}, {table: previous})
    dropped = row["change"] < -max_share
    return outcome(DROP_CHECKS, "row_count_drop", not dropped, previous - rows if dropped else 0,
                   [row] if dropped else [], message=_text(row) if dropped else None, max_share=max_share,
                   rows=rows, last_good_rows=previous)
