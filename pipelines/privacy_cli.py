"""What `crm360 erase`, `restore`, `audit` and `export-url` do, apart from printing: the CLI and the tests
call these."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from assets.exports.build import LATEST, pointer
from assets.exports.files import ENCRYPTED_SUFFIX, read_manifest
from assets.privacy.erase_files import erase_exports, erase_snapshot
from assets.privacy.erasure import Erasure, erase_in_warehouse
from pipelines import config
from pipelines import warehouse as wh
from pipelines.audit import access_log, log_access, run_log, who
from pipelines.backups import Snapshot, restore, snapshot_for, snapshots
from pipelines.crypto import decrypt_file, encryption_key
from pipelines.hashing import hash_key
from pipelines.quality_report import report_path, write_quality_report
from pipelines.vault import warehouse_open, warehouse_readable


class PrivacyError(Exception):
    """A request these commands cannot carry out; the message is one line."""


def _connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return wh.connect(path, read_only=read_only)
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        raise PrivacyError(f"warehouse {path} is held by a running job; try again when it finishes "
                           f"({str(exc).splitlines()[0]})") from exc


@dataclass
class EraseReport:
    erasure: Erasure
    export_files: list[Path] = field(default_factory=list)
    snapshots: list[Path] = field(default_factory=list)


def erase(warehouse: Path, kind: str, value: str, exports: Path | None = None) -> EraseReport:
    """Erase one customer from the warehouse, then from every kept export set and snapshot, and rewrite the
    quality report (its samples may have quoted the customer). Great Expectations' Data Docs, which can
    quote values, are removed; the next run writes them again."""
    if not warehouse.is_file():
        raise PrivacyError(f"warehouse {warehouse} not found")
    key, sealing = hash_key(warehouse), encryption_key()
    with warehouse_open(warehouse):
        con = _connect(warehouse)
        try:
            wh.ensure_schemas(con)
            erasure = erase_in_warehouse(con, kind, value, key, requested_by=who())
        finally:
            con.close()
        wh.compact(warehouse)
        if report_path(warehouse).exists():
            write_quality_report(warehouse)
    shutil.rmtree(warehouse.with_name(f"{warehouse.stem}.gx_docs"), ignore_errors=True)
    report = EraseReport(erasure)
    report.export_files = erase_exports(exports or config.exports_path(warehouse), erasure.golden_ids, sealing)
    replaced = warehouse.with_name(warehouse.name + ".before-restore")  # what a restore kept aside
    for path in [s.path for s in snapshots(warehouse)] + ([replaced] if replaced.is_file() else []):
        erase_snapshot(path, erasure, value, key, sealing)
        report.snapshots.append(path)
    return report


def find_snapshot(warehouse: Path, day: date) -> Snapshot:
    try:
        return snapshot_for(warehouse, day)
    except LookupError as exc:
        raise PrivacyError(str(exc)) from exc


def restore_snapshot(warehouse: Path, snapshot: Snapshot) -> Path | None:
    """Replace the warehouse by ``snapshot``; it must not be held by a run (checked by opening it)."""
    if warehouse.exists():
        with warehouse_readable(warehouse) as readable:
            _connect(readable).close()
    return restore(warehouse, snapshot)


def audit(warehouse: Path, exports: Path | None = None, limit: int = 30) -> dict:
    """The run log and the export access log, newest first, and the erasures (without their data)."""
    result: dict = {"runs": [], "erasures": [], "access": access_log(exports or config.exports_path(warehouse), limit)}
    if warehouse.is_file():
        with warehouse_readable(warehouse) as readable:
            con = _connect(readable, read_only=True)
            try:
                result["runs"] = run_log(con, limit).to_dicts()
                if wh.table_exists(con, wh.TableRef("quality", "erasure_log")):
                    result["erasures"] = wh.fetch_frame(con, wh.load_sql("erasure_log"), {"limit": limit}).to_dicts()
            finally:
                con.close()
    return result


def export_files(exports: Path, consumer: str, table: str | None, to: Path | None) -> list[Path]:
    """The files of ``consumer``'s latest export set (one table, or all), logged in the access log. An
    encrypted set is decrypted into ``to`` (default a new private temporary folder) for the reader."""
    link = pointer(exports, consumer)
    if not (link / "manifest.json").is_file():
        have = sorted(p.name for p in (Path(exports) / LATEST).iterdir()) if (Path(exports) / LATEST).is_dir() else []
        raise PrivacyError(f"no export set for consumer {consumer!r} under {exports}; have: {', '.join(have) or 'none'}")
    manifest = read_manifest(link)
    tables = manifest["tables"]
    if table is not None and table not in tables:
        raise PrivacyError(f"consumer {consumer} has no table {table!r}; it has: {', '.join(tables)}")
    names = [f["file"] for t, e in tables.items() if table in (None, t) for f in e["files"]]
    files = [link.resolve() / name for name in names]
    if manifest.get("encrypted"):
        folder = Path(to) if to else Path(tempfile.mkdtemp(prefix=f"crm360-{consumer}-"))
        folder.mkdir(parents=True, exist_ok=True)
        key = encryption_key()
        plain = []
        for path in files:
            target = folder / path.name.removesuffix(ENCRYPTED_SUFFIX)
            decrypt_file(path, target, key)
            plain.append(target)
        files = plain
    log_access(exports, consumer, [str(p) for p in files], "crm360 export-url")
    return files
