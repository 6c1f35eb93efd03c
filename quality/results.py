"""One shape for every check's outcome, whatever layer or library produced it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

SAMPLE_ROWS = 5
Severity = Literal["error", "warn"]
SEVERITIES: tuple[Severity, ...] = ("error", "warn")


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
    def severity(self) -> Severity:
        """``error`` stops the asset's publish and everything downstream; ``warn`` is reported only."""
        return "error" if self.blocking else "warn"

    @property
    def stops_run(self) -> bool:
        return self.blocking and not self.passed


def severity_for(asset: str, check: str, overrides: Mapping[str, str]) -> str | None:
    """The configured severity of ``check`` on ``asset`` ("raw.crm_contacts"): an entry for
    "<asset>.<check>" wins over one for the check on every asset; None: as declared."""
    return overrides.get(f"{asset}.{check}") or overrides.get(check)


def with_severities(asset: str, checks: Iterable[CheckOutcome], overrides: Mapping[str, str] | None) -> list[CheckOutcome]:
    """``checks`` with the severities configuration gives them; a changed one says what it was declared."""
    out = []
    for check in checks:
        wanted = severity_for(asset, check.name, overrides or {})
        if wanted is None or wanted == check.severity:
            out.append(check)
            continue
        if wanted not in SEVERITIES:
            raise ValueError(f"severity of {asset}.{check.name} must be one of {', '.join(SEVERITIES)}, not {wanted!r}")
        out.append(dataclasses.replace(check, blocking=wanted == "error",
                                       metadata={**check.metadata, "declared_severity": check.severity}))
    return out


def outcome(specs: dict[str, tuple[bool, str]], name: str, passed: bool, failing_rows: int = 0,
            sample: list[dict[str, Any]] | None = None, **metadata: Any) -> CheckOutcome:
    """The outcome of the check ``name`` declared in ``specs`` ({name: (blocking, description)});
    metadata that is None is left out."""
    blocking, description = specs[name]
    return CheckOutcome(name, passed, blocking, description, failing_rows, sample or [],
                        {k: v for k, v in metadata.items() if v is not None})


@dataclass(frozen=True)
class Policy:
    """How the checks of a run weigh (severities, see ``with_severities``) and where they draw the
    line (thresholds by check name or "<asset>.<check>"; a check not listed keeps its own default)."""

    severities: Mapping[str, str] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=dict)

    def threshold(self, check: str, default: float, asset: str | None = None) -> float:
        """The entry for "<asset>.<check>", else for the check, else ``default``."""
        for key in ([f"{asset}.{check}"] if asset else []) + [check]:
            if key in self.thresholds:
                return float(self.thresholds[key])
        return float(default)

    def apply(self, asset: str, checks: Iterable[CheckOutcome]) -> list[CheckOutcome]:
        return with_severities(asset, checks, self.severities)


def sample_rows(frame: pl.DataFrame, columns: list[str] | None = None, n: int = SAMPLE_ROWS) -> list[dict[str, Any]]:
    """A few failing rows for on-call, with lineage first so they can be found in the file."""
    if columns:
        frame = frame.select([c for c in columns if c in frame.columns])
    return frame.head(n).to_dicts()
