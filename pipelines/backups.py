"""Snapshots of the warehouse after each successful run, kept for BACKUP_KEEP runs, and restore.

A snapshot is a copy of the closed file (no run holds it, so it is consistent), encrypted when
CRM360_ENCRYPTION_KEY is set, named ``<stem>-<date>-<run>.duckdb`` under ``<warehouse dir>/backups/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from pipelines import config
from pipelines.vault import copy_sealed

NAME = re.compile(r"^(?P<stem>.+)-(?P<date>\d{4}-\d{2}-\d{2})-(?P<run>[0-9a-f]{8})\.duckdb$")


@dataclass(frozen=True)
class Snapshot:
    path: Path
    partition: date
    run_id: str
    taken_at: datetime
    bytes: int


def backup_dir(warehouse: Path) -> Path:
    return Path(warehouse).resolve().parent / "backups"


def snapshots(warehouse: Path) -> list[Snapshot]:
    """The kept snapshots of this warehouse, oldest first."""
    folder, stem = backup_dir(warehouse), Path(warehouse).stem
    found = []
    for path in folder.glob(f"{stem}-*.duckdb") if folder.is_dir() else []:
        match = NAME.match(path.name)
        if match and match["stem"] == stem:
            stat = path.stat()
            found.append(Snapshot(path, date.fromisoformat(match["date"]), match["run"],
                                  datetime.fromtimestamp(stat.st_mtime, timezone.utc), stat.st_size))
    return sorted(found, key=lambda s: (s.taken_at, s.path.name))


def take_snapshot(warehouse: Path, partition: date, run_id: str, keep: int = config.BACKUP_KEEP) -> Snapshot:
    """Copy the closed warehouse; then drop the oldest snapshots past ``keep``."""
    warehouse = Path(warehouse)
    target = backup_dir(warehouse) / f"{warehouse.stem}-{partition.isoformat()}-{run_id[:8]}.duckdb"
    copy_sealed(warehouse, target)
    kept = snapshots(warehouse)
    for old in kept[:-keep] if keep > 0 else []:
        old.path.unlink(missing_ok=True)
    return next(s for s in snapshots(warehouse) if s.path == target)


def snapshot_for(warehouse: Path, partition: date) -> Snapshot:
    """The newest snapshot of a run for ``partition``."""
    matching = [s for s in snapshots(warehouse) if s.partition == partition]
    if not matching:
        have = ", ".join(sorted({s.partition.isoformat() for s in snapshots(warehouse)})) or "none"
        raise LookupError(f"no snapshot of {Path(warehouse).name} for {partition}; kept: {have}")
    return matching[-1]


def restore(warehouse: Path, snapshot: Snapshot) -> Path | None:
    """Put ``snapshot`` in place of the warehouse; the file it replaces is kept as ``<name>.before-restore``
    (returned). The warehouse must not be held by a run."""
    warehouse = Path(warehouse)
    previous = None
    if warehouse.exists():
        previous = warehouse.with_name(warehouse.name + ".before-restore")
        warehouse.replace(previous)
    try:
        copy_sealed(snapshot.path, warehouse)
    except BaseException:
        if previous is not None:
            previous.replace(warehouse)
        raise
    return previous
