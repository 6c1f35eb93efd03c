"""One shape for every check's outcome, whatever layer or library produced it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    blocking: bool
    description: str
    failing_rows: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def stops_run(self) -> bool:
        return self.blocking and not self.passed


def outcome(specs: dict[str, tuple[bool, str]], name: str, passed: bool, failing_rows: int = 0,
            sample: list[dict[str, Any]] | None = None, **metadata: Any) -> CheckOutcome:
    """The outcome of the check ``name`` declared in ``specs`` ({name: (blocking, description)});
    metadata that is None is left out."""
    blocking, description = specs[name]
    return CheckOutcome(name, passed, blocking, description, failing_rows, sample or [],
                        {k: v for k, v in metadata.items() if v is not None})


def sample_rows(frame: pl.DataFrame, columns: list[str] | None = None, n: int = SAMPLE_ROWS) -> list[dict[str, Any]]:
    """A few failing rows for on-call, with lineage first so they can be found in the file."""
    if columns:
        frame = frame.select([c for c in columns if c in frame.columns])
    return frame.head(n).to_dicts()
