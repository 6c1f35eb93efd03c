"""Write one consumer's export set: read, filter by consent, mask, write, check, then move into place.

The set is written to a scratch folder, read back and checked (row counts, checksums, no personal data
where the consumer gets it masked, no customer without consent where consent is required); only then is
it renamed to ``<root>/<date>/<consumer>/`` and ``<root>/latest/<consumer>`` moved to it. A failed check
leaves the last good set and the pointer where they were.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from assets.exports.consumers import Consumer
from assets.exports.files import TableWriter, file_rows, read_manifest, sha256, write_manifest
from assets.exports.masking import mask
from pipelines import warehouse as wh
from pipelines.crypto import key_id
from quality.export_checks import consent_only, files_verified, no_personal_data, personal_found
from quality.results import CheckOutcome, Policy

LATEST = "latest"
BATCH_ROWS = 200_000  # rows masked and written at a time: bounds the memory an export takes


@dataclass
class ExportSet:
    consumer: str
    folder: Path  # where the set lives once published
    tables: dict[str, dict] = field(default_factory=dict)  # table -> manifest entry
    checks: list[CheckOutcome] = field(default_factory=list)
    published: bool = False
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.tables.values())

    @property
    def bytes(self) -> int:
        return sum(f["bytes"] for t in self.tables.values() for f in t["files"])


def relation_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(wh.fetch_value(con, wh.load_sql("relation_exists"), {"schema": schema, "table": table}))


def consenting_ids(con: duckdb.DuckDBPyConnection) -> pl.Series:
    """Golden ids whose latest marketing-consent statement, in any source, is yes."""
    consent = wh.fetch_frame(con, wh.load_sql("customer_consent"))
    return consent.filter(pl.col("marketing_consent"))["golden_id"]


def personal_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every golden customer's emails, phones and id numbers: what a masked file must not contain."""
    return wh.fetch_frame(con, wh.load_sql("personal_values"))


def pointer(root: Path, consumer: str) -> Path:
    return Path(root) / LATEST / consumer


def latest_run(root: Path, consumer: str) -> str | None:
    """The run that wrote the consumer's latest set (None: no set, or its manifest unreadable): a run
    carries an export over only when the set on disk is the one its build left."""
    try:
        return read_manifest(pointer(root, consumer).resolve()).get("run_id")
    except (OSError, ValueError):
        return None


def export_consumer(con: duckdb.DuckDBPyConnection, consumer: Consumer, root: Path, as_of: date, *,
                    run_id: str | None, hash_key: bytes, encryption_key: bytes | None,
                    code_version: str, policy: Policy | None = None) -> ExportSet:
    started = time.perf_counter()
    root = Path(root)
    final = root / as_of.isoformat() / consumer.name
    scratch = root / f".{as_of.isoformat()}-{consumer.name}-{(run_id or 'manual')[:8]}.tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    result = ExportSet(consumer.name, final)
    try:
        allowed = consenting_ids(con) if consumer.consent_only else None
        hidden = personal_values(con) if consumer.masked else None
        written: dict[str, list[pl.DataFrame]] = {"personal": [], "outside": []}
        for schema, table in consumer.tables:
            if relation_exists(con, schema, table):
                result.tables[table] = _export_table(con, wh.TableRef(schema, table), consumer, scratch, allowed,
                                                     hash_key, encryption_key, hidden, written)
        result.checks = [files_verified(result.tables, scratch, lambda path: file_rows(path, encryption_key), sha256)]
        if hidden is not None:
            result.checks.append(no_personal_data(written["personal"]))
        if allowed is not None:
            result.checks.append(consent_only(written["outside"]))
        result.checks = (policy or Policy()).apply(f"exports.{consumer.name}", result.checks)
        if any(c.stops_run for c in result.checks):
            return result
        write_manifest(scratch, {
            "consumer": consumer.name, "description": consumer.description, "as_of": as_of.isoformat(),
            "run_id": run_id, "code_version": code_version, "created_at": datetime.now(timezone.utc).isoformat(),
            "masking": consumer.masking, "consent_only": consumer.consent_only,
            "encrypted": encryption_key is not None,
            "key_id": key_id(encryption_key) if encryption_key else None,
            "reader": f"crm360 export-url --consumer {consumer.name}  (logs the access; decrypts when encrypted)",
            "tables": result.tables})
        _replace_folder(scratch, final)
        move_pointer(root, consumer.name, final)
        result.published = True
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        result.seconds = time.perf_counter() - started
    return result


def _export_table(con: duckdb.DuckDBPyConnection, ref: wh.TableRef, consumer: Consumer, folder: Path,
                  allowed: pl.Series | None, hash_key: bytes, encryption_key: bytes | None,
                  hidden: pl.DataFrame | None, written: dict[str, list[pl.DataFrame]]) -> dict:
    """Stream one table into the set a batch at a time (consent filter in SQL, masking in Polars), noting
    what the checks need of each batch as written; returns its manifest entry."""
    columns = wh.fetch_frame(con, wh.load_sql("select_none").format(target=ref.sql)).columns
    consent = allowed is not None and "golden_id" in columns
    if consent:
        con.register("_crm360_consenting", pl.DataFrame({"golden_id": allowed}).to_arrow())
    try:
        sql = wh.load_sql("select_consenting" if consent else "select_all").format(target=ref.sql)
        reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
        empty = mask(pl.from_arrow(reader.schema.empty_table()), consumer.masking, hash_key)
        writers = [TableWriter(folder, ref.table, fmt, encryption_key) for fmt in consumer.formats]
        for batch in reader:
            frame = mask(pl.from_arrow(batch), consumer.masking, hash_key)
            for writer in writers:
                writer.write(frame)
            if hidden is not None:
                written["personal"].append(personal_found(ref.table, frame, hidden, consumer.masking))
            if allowed is not None and "golden_id" in frame.columns:
                outside = frame.filter(~pl.col("golden_id").is_in(allowed.implode()))
                written["outside"].append(outside.select(pl.lit(ref.table).alias("table"), "golden_id"))
    finally:
        if consent:
            con.unregister("_crm360_consenting")
    files = []
    for writer in writers:
        path = writer.close(empty)
        files.append({"file": path.name, "format": writer.fmt, "bytes": path.stat().st_size, "sha256": sha256(path)})
    return {"schema": ref.schema, "rows": writers[0].rows, "files": files,
            "columns": [{"name": c, "type": str(t)} for c, t in empty.schema.items()]}


def _replace_folder(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``; a set already there for the same date (a rerun) is replaced."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    old = dst.with_name(f".{dst.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if dst.exists():
        dst.rename(old)
    src.rename(dst)
    shutil.rmtree(old, ignore_errors=True)


def move_pointer(root: Path, consumer: str, target: Path) -> None:
    """Point ``<root>/latest/<consumer>`` at ``target`` in one rename (a relative symlink, so the export
    folder can be moved or mounted elsewhere whole)."""
    link = pointer(root, consumer)
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{consumer}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent))
    if link.is_dir() and not link.is_symlink():  # a copy that followed the links: not ours to keep
        shutil.rmtree(link)
    os.replace(tmp, link)


def remove_old_sets(root: Path, as_of: date, keep_days: int) -> list[Path]:
    """Dated folders older than ``keep_days`` before ``as_of`` that no pointer uses."""
    root = Path(root)
    latest = {p.resolve() for p in (root / LATEST).iterdir()} if (root / LATEST).is_dir() else set()
    removed = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and folder_date(p.name)):
        if (as_of - folder_date(folder.name)).days > keep_days and not any(p.parent == folder.resolve() for p in latest):
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


def folder_date(name: str) -> date | None:
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None
