"""Load sources into the raw layer: as they are, with lineage, checked, published atomically.

Pure functions over a DuckDB connection; the Dagster assets and the tests call the same ones.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from assets.ingest.errors import IngestError
from assets.ingest.readers import PIECE_ROWS, parquet_rows, read_parquet_pieces, read_source_file
from assets.ingest.spec import LINEAGE_COLUMNS, ErpTable, FileSource, id_columns
from assets.privacy.suppression import Suppression, load_suppression, suppressed_rows
from pipelines import warehouse as wh
from quality.raw_checks import (BLANK_RECORD_ID, WHERE, column_drift, raw_check_outcomes, record_id_present,
                                record_id_present_outcome, record_id_unique, record_id_unique_outcome)
from quality.freshness import MAX_AGE_HOURS, reference_time, source_freshness
from quality.volume import MAX_CHANGE, row_count_change
from quality.results import SAMPLE_ROWS, CheckOutcome, Policy, sample_rows

DATED_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Delivery:
    """What the new files (or ERP snapshot) showed before they were staged."""

    drift: list[dict] = field(default_factory=list)  # column changes, see quality.raw_checks.column_drift
    unreadable: list[dict] = field(default_factory=list)  # files that could not be read, with the reason
    rows: dict[str, int] = field(default_factory=dict)  # per file or snapshot
    last_good_rows: dict[str, int] = field(default_factory=dict)  # per file: the delivery's before it
    newest: datetime | None = None  # the source's newest file (modified) or ERP change (captured)
    reference: datetime | None = None  # when freshness is judged: the run's date

    def checks(self, asset: str, source: str, policy: Policy) -> list[CheckOutcome]:
        return [row_count_change(self.rows, self.last_good_rows, policy.threshold("row_count_change", MAX_CHANGE, asset)),
                source_freshness(source, self.newest, self.reference or reference_time(None),
                                 policy.threshold("source_freshness", MAX_AGE_HOURS, asset))]


@dataclass
class IngestOutcome:
    source: str
    table: str
    new_files: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    rows_added: int = 0
    total_rows: int = 0
    checks: list[CheckOutcome] = field(default_factory=list)
    published: bool = False
    newest_delivery: datetime | None = None  # the source's newest file or ERP change

    @property
    def blocked_by(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.stops_run]


def landing_files(root: Path, pattern: str, as_of: date | None = None) -> list[Path]:
    """Files of a source in the landing folder: at the top, or in ``YYYY-MM-DD/`` folders up to ``as_of``.

    Dated folders let a daily delivery sit beside older ones; a run for an earlier date does
    not see files delivered after it.
    """
    found = sorted(p for p in root.glob(pattern) if p.is_file())
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and DATED_FOLDER.match(p.name)) if root.is_dir() else []:
        if as_of is None or date.fromisoformat(folder.name) <= as_of:
            found.extend(sorted(p for p in folder.glob(pattern) if p.is_file()))
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def with_lineage(frame: pl.DataFrame, source: str, record_id: str | tuple[str, ...], source_file: str,
                 file_hash: str, loaded_at: datetime, first_row: int = 1) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source).alias("_source"),
        pl.concat_str([pl.col(c).cast(pl.String) for c in id_columns(record_id)], separator=":").alias("_record_id"),
        pl.lit(source_file).alias("_source_file"),
        pl.lit(file_hash).alias("_file_hash"),
        pl.int_range(first_row, first_row + pl.len(), dtype=pl.Int64).alias("_row_number"),
        pl.lit(loaded_at, dtype=pl.Datetime("us", "UTC")).alias("_loaded_at"),
    )


def _known_hashes(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    return {row[0] for row in wh.fetch_rows(con, wh.load_sql("ingested_file_hashes"), {"source": source})}


def _source_columns(names: list[str]) -> list[str]:
    return [name for name in names if name not in LINEAGE_COLUMNS and name != "_row_hash"]


def _published_columns(con: duckdb.DuckDBPyConnection, ref: wh.TableRef) -> list[str] | None:
    if not wh.table_exists(con, ref):
        return None
    return _source_columns([name for name, _ in wh.table_columns(con, ref)])


def _expected_columns(con: duckdb.DuckDBPyConnection, ref: wh.TableRef, required: tuple[str, ...],
                      typed: bool) -> tuple[list[str], dict[str, pl.DataType] | None]:
    """The columns a new delivery must have: the source's required ones and every column it delivered
    before; with ``typed`` (a format that carries types), the types they were published with."""
    if not wh.table_exists(con, ref):
        return list(dict.fromkeys(required)), None
    published = wh.fetch_frame(con, wh.load_sql("select_none").format(target=ref.sql))
    columns = _source_columns(published.columns)
    return list(dict.fromkeys([*required, *columns])), ({c: published.schema[c] for c in columns} if typed else None)


def _count(con: duckdb.DuckDBPyConnection, ref: wh.TableRef) -> int:
    if not wh.table_exists(con, ref):
        return 0
    return wh.fetch_value(con, wh.load_sql("count_rows").format(target=ref.sql))


def _stage_check_publish(
    con: duckdb.DuckDBPyConnection,
    outcome: IngestOutcome,
    ref: wh.TableRef,
    batch: pl.DataFrame,
    rows_read: int,
    ledger: list[dict],
    comments: tuple[str, dict[str, str]],
    policy: Policy,
    delivery: Delivery,
    also: tuple[tuple[str, dict], ...] = (),
) -> IngestOutcome:
    published_columns = _published_columns(con, ref)
    scratch = wh.stage(con, ref, batch)
    return check_publish_staged(con, outcome, ref, scratch, (record_id_present(batch), record_id_unique(batch)),
                                published_columns, rows_read, ledger, comments, policy, delivery, also)


def check_publish_staged(
    con: duckdb.DuckDBPyConnection,
    outcome: IngestOutcome,
    ref: wh.TableRef,
    scratch: wh.TableRef,
    id_checks: tuple[CheckOutcome, CheckOutcome],
    published_columns: list[str] | None,
    rows_read: int,
    ledger: list[dict],
    comments: tuple[str, dict[str, str]],
    policy: Policy,
    delivery: Delivery,
    also: tuple[tuple[str, dict], ...] = (),
) -> IngestOutcome:
    """Check the batch staged in ``scratch`` (its record-id checks given) and publish it by appending,
    with its ledger rows and ``also``; a failed error check discards it and leaves raw as it was."""
    rows_staged = _count(con, scratch)
    staged_columns = [name for name, _ in wh.table_columns(con, scratch)]
    outcome.checks = policy.apply(outcome.table, [
        *raw_check_outcomes(*id_checks, rows_read, rows_staged, _source_columns(staged_columns), published_columns,
                            delivery.drift, delivery.unreadable),
        *delivery.checks(outcome.table, outcome.source, policy)])
    outcome.newest_delivery = delivery.newest
    if outcome.blocked_by:
        wh.discard(con, ref)
        outcome.total_rows = _count(con, ref)
        return outcome
    wh.publish(con, [ref], mode="append", also=[*(("record_ingested_file", p) for p in ledger), *also],
               comments={ref: comments})
    outcome.published = True
    outcome.rows_added = rows_staged
    outcome.total_rows = _count(con, ref)
    return outcome


def verify_published(con: duckdb.DuckDBPyConnection, outcome: IngestOutcome, ref: wh.TableRef,
                     policy: Policy | None = None, delivery: Delivery | None = None) -> IngestOutcome:
    """Nothing new (or nothing usable) arrived: run the same checks over the published table,
    reconciled with the ledger, plus what was found wrong with the files that could not be used.

    The table is checked in DuckDB (it can hold millions of rows): only counts and samples come back."""
    policy, delivery = policy or Policy(), delivery or Delivery()
    rows_loaded = wh.fetch_value(con, wh.load_sql("ledger_rows"), {"source": outcome.source})
    total_rows, present, unique = published_record_id_checks(con, ref)
    columns = _published_columns(con, ref) or []
    outcome.checks = policy.apply(outcome.table, [
        *raw_check_outcomes(present, unique, rows_loaded, total_rows, columns, columns, delivery.drift,
                            delivery.unreadable),
        *delivery.checks(outcome.table, outcome.source, policy)])
    outcome.newest_delivery = delivery.newest
    outcome.total_rows = total_rows
    return outcome


def published_record_id_checks(con: duckdb.DuckDBPyConnection,
                                ref: wh.TableRef) -> tuple[int, CheckOutcome, CheckOutcome]:
    """The published table's row count and its record-id checks, counted in SQL as the batch checks
    count them in Polars; only the sample rows are fetched."""
    if not wh.table_exists(con, ref):
        return 0, record_id_present_outcome(0, []), record_id_unique_outcome(0, [])
    memo = wh.fetch_rows(con, wh.load_sql("raw_recheck_memo"), {"table_name": str(ref)})
    if memo:  # counted at this version already: a table only appended to by publishes cannot have changed
        total_rows, missing_rows, repeated_rows, missing_json, repeated_json = memo[0]
        missing, repeated = json.loads(missing_json), json.loads(repeated_json)
    else:
        blank = {"blank": BLANK_RECORD_ID}
        total_rows, missing_rows, repeated_rows = wh.fetch_rows(
            con, wh.load_sql("raw_recheck_counts").format(target=ref.sql), blank)[0]
        missing = _published_sample(con, ref, "raw_recheck_missing_ids", blank) if missing_rows else []
        repeated = _published_sample(con, ref, "raw_recheck_repeated_ids", {}) if repeated_rows else []
        wh.run_sql(con, "record_raw_recheck", {
            "table_name": str(ref), "total_rows": total_rows, "missing_rows": missing_rows,
            "repeated_rows": repeated_rows, "missing_sample": json.dumps(missing, default=str),
            "repeated_sample": json.dumps(repeated, default=str)})
    return total_rows, record_id_present_outcome(missing_rows, missing), record_id_unique_outcome(repeated_rows, repeated)


def _published_sample(con: duckdb.DuckDBPyConnection, ref: wh.TableRef, sql_name: str, params: dict) -> list[dict]:
    """A check's few failing rows of the published table, limited in SQL."""
    rows = wh.fetch_frame(con, wh.load_sql(sql_name).format(target=ref.sql), {**params, "limit": SAMPLE_ROWS})
    return sample_rows(rows, WHERE)


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    source: FileSource,
    landing: Path,
    *,
    as_of: date | None = None,
    run_id: str | None = None,
    loaded_at: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    policy: Policy | None = None,
    trust_file_stats: bool = True,
) -> IngestOutcome:
    """Append the source's new landing files to ``raw.<source>``; files already loaded (by hash) are skipped.

    A file at the path, size and modification time of one already loaded is skipped without hashing
    it (``trust_file_stats``), so a daily run reads what arrived, not every file ever delivered."""
    wh.ensure_schemas(con)
    loaded_at = loaded_at or datetime.now(timezone.utc)
    ref = wh.TableRef("raw", source.name)
    outcome = IngestOutcome(source.name, str(ref))
    policy = policy or Policy()
    known = _known_hashes(con, source.name)
    seen = ({(name, size, mtime): digest for name, size, mtime, digest in
             wh.fetch_rows(con, wh.load_sql("ingested_file_stats"), {"source": source.name})}
            if trust_file_stats else {})
    suppression = load_suppression(con)
    files = landing_files(landing, source.pattern, as_of)
    frames, ledger = [], []
    delivery = Delivery(reference=reference_time(as_of), newest=max(
        (datetime.fromtimestamp(p.stat().st_mtime, timezone.utc) for p in files), default=None))
    last_rows = wh.fetch_rows(con, wh.load_sql("last_delivery_rows"), {"source": source.name})
    previous = last_rows[0][0] if last_rows else None
    expected, known_types = _expected_columns(con, ref, (source.record_id, *source.required),
                                              typed=source.format == "parquet")
    new = []  # the files not loaded before, in delivery order
    for path in files:
        label, stat = path.relative_to(landing).as_posix(), path.stat()
        digest = seen.get((label, stat.st_size, stat.st_mtime_ns))
        if digest is None:
            digest = file_sha256(path)
            if digest in known:
                wh.run_sql(con, "record_file_stat", {"source": source.name, "file_hash": digest, "source_file": label,
                                                     "file_size": stat.st_size, "file_mtime_ns": stat.st_mtime_ns})
        if digest in known:
            outcome.skipped_files.append(label)
            continue
        known.add(digest)
        new.append((path, label, digest, stat))
    comments = (source.description, {**source.columns, **LINEAGE_COLUMNS})
    if len(new) == 1 and source.format == "parquet" and parquet_rows(new[0][0]) > PIECE_ROWS:
        path, label, digest, stat = new[0]
        if progress:
            progress(f"{source.name}: reading {label} in pieces of {PIECE_ROWS:,} rows")
        ledger_row = {"source": source.name, "source_file": label, "file_hash": digest, "partition_date": as_of,
                      "run_id": run_id, "loaded_at": loaded_at, "file_size": stat.st_size,
                      "file_mtime_ns": stat.st_mtime_ns}
        return _ingest_in_pieces(con, outcome, source, ref, path, ledger_row, (expected, known_types), previous,
                                 suppression, comments, policy, delivery)
    for path, label, digest, stat in new:
        if progress:
            progress(f"{source.name}: reading {label}")
        try:
            frame = read_source_file(path, source.format, source.encoding, name=label)
        except IngestError as exc:
            delivery.unreadable.append(_unreadable(label, exc))
            continue
        delivery.drift.extend(column_drift(label, frame.schema, expected, known_types))
        delivery.rows[label] = frame.height
        if previous is not None:  # each file against the delivery before it
            delivery.last_good_rows[label] = previous
        previous = frame.height
        if source.record_id not in frame.columns:  # no lineage without it; the drift check stops the batch
            continue
        frame, suppressed = _without_erased(with_lineage(frame, source.name, source.record_id, label, digest, loaded_at),
                                            source.name, suppression, source)
        frames.append(frame)
        ledger.append({"source": source.name, "source_file": label, "file_hash": digest, "rows": frame.height,
                       "partition_date": as_of, "run_id": run_id, "loaded_at": loaded_at,
                       "suppressed_rows": suppressed, "file_size": stat.st_size, "file_mtime_ns": stat.st_mtime_ns})
        outcome.new_files.append(label)
    if not frames:
        return verify_published(con, outcome, ref, policy, delivery)
    batch = pl.concat(frames, how="diagonal_relaxed")
    rows_read = sum(entry["rows"] for entry in ledger)
    return _stage_check_publish(con, outcome, ref, batch, rows_read, ledger, comments, policy, delivery)


def _unreadable(label: str, exc: IngestError) -> dict:
    return {"source_file": label, "row_number": exc.row, "column": exc.column, "error": str(exc)}


def _ingest_in_pieces(con: duckdb.DuckDBPyConnection, outcome: IngestOutcome, source: FileSource, ref: wh.TableRef,
                      path: Path, ledger_row: dict, expected: tuple[list[str], dict | None], previous: int | None,
                      suppression: Suppression, comments: tuple[str, dict[str, str]], policy: Policy,
                      delivery: Delivery) -> IngestOutcome:
    """The one new file of a source, a large Parquet file, staged a piece at a time and checked in SQL:
    the same rows, lineage, ledger and checks as reading it whole, in the memory of a piece."""
    label, digest, loaded_at = ledger_row["source_file"], ledger_row["file_hash"], ledger_row["loaded_at"]
    pieces = read_parquet_pieces(path, label, PIECE_ROWS)
    try:
        first = next(pieces)
    except IngestError as exc:
        delivery.unreadable.append(_unreadable(label, exc))
        return verify_published(con, outcome, ref, policy, delivery)
    delivery.drift.extend(column_drift(label, first.schema, *expected))
    delivery.rows[label] = parquet_rows(path)
    if previous is not None:
        delivery.last_good_rows[label] = previous
    if source.record_id not in first.columns:  # no lineage without it; the drift check stops the batch
        return verify_published(con, outcome, ref, policy, delivery)
    suppressed, row, kept_rows = 0, 1, 0

    def lined() -> Iterator[pl.DataFrame]:
        nonlocal suppressed, row, kept_rows
        for piece in itertools.chain([first], pieces):
            numbered = with_lineage(piece, source.name, source.record_id, label, digest, loaded_at, first_row=row)
            row += piece.height
            kept, dropped = _without_erased(numbered, source.name, suppression, source)
            suppressed, kept_rows = suppressed + dropped, kept_rows + kept.height
            yield kept

    published_columns = _published_columns(con, ref)
    try:
        scratch = wh.stage_batches(con, ref, lined())
    except IngestError as exc:  # a piece further on is unreadable: nothing of the file is kept
        wh.discard(con, ref)
        delivery.unreadable.append(_unreadable(label, exc))
        return verify_published(con, outcome, ref, policy, delivery)
    _, present, unique = published_record_id_checks(con, scratch)
    outcome.new_files.append(label)
    ledger = [{**ledger_row, "rows": kept_rows, "suppressed_rows": suppressed}]
    return check_publish_staged(con, outcome, ref, scratch, (present, unique), published_columns, kept_rows, ledger,
                                comments, policy, delivery)


def _without_erased(batch: pl.DataFrame, source: str, suppression: Suppression,
                    spec: FileSource | ErpTable) -> tuple[pl.DataFrame, int]:
    """``batch`` less the rows of erased customers (quality.suppression), and how many were left out."""
    if not suppression:
        return batch, 0
    hit = suppressed_rows(batch, source, suppression, spec.personal, spec.references)
    return batch.filter(~hit), int(hit.sum())
