"""Load ERP tables into the raw layer: change capture by row hash, and a fingerprint that spares
reading an ERP in which nothing can have changed.

Pure functions over a DuckDB connection; the Dagster assets and the tests call the same ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timezone

import duckdb
import polars as pl

from assets.ingest.load import (Delivery, IngestOutcome, _expected_columns, _known_hashes, _published_columns,
                                _without_erased, check_publish_staged, published_record_id_checks, verify_published,
                                with_lineage)
from assets.ingest.spec import LINEAGE_COLUMNS, ErpTable, id_columns
from assets.privacy.suppression import load_suppression
from pipelines import warehouse as wh
from quality.freshness import reference_time
from quality.raw_checks import column_drift
from quality.results import Policy

STAMPS = wh.TableRef("quality", "erp_stamps")
CHANGED_BATCH_ROWS = 500_000  # changed rows lined and staged at a time


def _stamp_id(stamp: str) -> str:
    return hashlib.sha256(stamp.encode()).hexdigest()


def _stamp_record(table: ErpTable, stamp: str, snapshot_hash: str, rows: int, drift: list[dict],
                  run_id: str | None, at: datetime) -> dict:
    return {"source": table.name, "stamp": _stamp_id(stamp), "snapshot_hash": snapshot_hash, "rows": rows,
            "drift": json.dumps(drift, default=str), "run_id": run_id, "recorded_at": at}


def _delivery(con: duckdb.DuckDBPyConnection, table: ErpTable, ref: wh.TableRef, source_label: str, rows: int,
              drift: list[dict], as_of: date | None) -> Delivery:
    delivery = Delivery(drift=drift, rows={source_label: rows}, reference=reference_time(as_of),
                        newest=wh.fetch_value(con, wh.load_sql("last_change_loaded"), {"source": table.name}))
    if wh.table_exists(con, ref):  # the last snapshot's size: the records raw holds a current version of
        delivery.last_good_rows[source_label] = wh.fetch_value(
            con, wh.load_sql("count_distinct_records").format(target=ref.sql))
    return delivery


def ingest_unchanged_erp(
    con: duckdb.DuckDBPyConnection,
    table: ErpTable,
    source_label: str,
    stamp: str | None,
    *,
    as_of: date | None = None,
    policy: Policy | None = None,
) -> IngestOutcome | None:
    """The outcome of loading ``table`` when the ERP's fingerprint is the one its last good load
    recorded: nothing is read, the published table is checked as after an unchanged snapshot. None
    when the ERP has to be read (no fingerprint, a new one, or no good load at it)."""
    if stamp is None or not wh.table_exists(con, STAMPS):
        return None
    found = wh.fetch_rows(con, wh.load_sql("erp_stamp"), {"source": table.name})
    if not found or found[0][0] != _stamp_id(stamp):
        return None
    _, snapshot_hash, rows, drift = found[0]
    if snapshot_hash not in _known_hashes(con, table.name):  # the ledger moved on (an erasure, a restore)
        return None
    ref = wh.TableRef("raw", table.name)
    outcome = IngestOutcome(table.name, str(ref))
    outcome.skipped_files.append(source_label)
    delivery = _delivery(con, table, ref, source_label, rows, json.loads(drift), as_of)
    return verify_published(con, outcome, ref, policy or Policy(), delivery)


def ingest_erp_snapshot(
    con: duckdb.DuckDBPyConnection,
    table: ErpTable,
    snapshot: pl.DataFrame | Iterable[pl.DataFrame],
    source_label: str,
    *,
    as_of: date | None = None,
    run_id: str | None = None,
    loaded_at: datetime | None = None,
    policy: Policy | None = None,
    stamp: str | None = None,
) -> IngestOutcome:
    """Append the ERP rows that are new or changed since the last load (change capture by row hash).

    An unchanged snapshot adds nothing, so reruns are idempotent; ``raw.<table>`` keeps every
    version of every row, first-seen time in ``_loaded_at``. ``snapshot`` is the table whole or in
    pieces (pipelines.erp.read_erp_chunks): the pieces go to DuckDB as they come, where the rows are
    hashed, compared and staged, and come back to Polars only a batch of changed rows at a time, so
    a table of tens of millions of rows is loaded in the memory of a piece. ``stamp``, the ERP's
    fingerprint taken before the snapshot was read, is recorded with a good load (see
    ``ingest_unchanged_erp``).
    """
    wh.ensure_schemas(con)
    loaded_at = loaded_at or datetime.now(timezone.utc)
    ref = wh.TableRef("raw", table.name)
    outcome = IngestOutcome(table.name, str(ref))
    policy = policy or Policy()
    expected, _ = _expected_columns(con, ref, (*id_columns(table.record_id), *table.required), typed=False)
    try:
        rows, schema = _load_snapshot(con, [snapshot] if isinstance(snapshot, pl.DataFrame) else snapshot)
        drift = column_drift(source_label, schema, expected)
        delivery = _delivery(con, table, ref, source_label, rows, drift, as_of)
        if any(c not in schema for c in id_columns(table.record_id)):
            return verify_published(con, outcome, ref, policy, delivery)
        wh.run_sql(con, "erp_snapshot_hashed")
        snapshot_hash = wh.fetch_value(con, wh.load_sql("erp_snapshot_hash"))
        stamped = (() if stamp is None else
                   (("record_erp_stamp", _stamp_record(table, stamp, snapshot_hash, rows, drift, run_id, loaded_at)),))
        if snapshot_hash in _known_hashes(con, table.name):
            outcome.skipped_files.append(source_label)
            outcome = verify_published(con, outcome, ref, policy, delivery)
            if not outcome.blocked_by:
                for name, params in stamped:
                    wh.run_sql(con, name, params)
            return outcome
        published = wh.table_exists(con, ref)
        wh.execute(con, wh.load_sql("erp_snapshot_changed" if published else "erp_snapshot_all").format(
            target=ref.sql))
        suppression, suppressed, changed = load_suppression(con), 0, 0

        def batches() -> Iterator[pl.DataFrame]:
            """The changed rows by spans of the snapshot, each fetched whole (DuckDB takes no other
            statement on a connection while a result is open, and the staging needs one)."""
            nonlocal suppressed, changed
            for first in range(1, max(rows, 1) + 1, CHANGED_BATCH_ROWS):
                frame = wh.fetch_frame(con, wh.load_sql("erp_snapshot_changed_rows"),
                                       {"first": first, "last": first + CHANGED_BATCH_ROWS - 1})
                frame = _with_snapshot_lineage(frame, table, source_label, snapshot_hash, loaded_at)
                frame, dropped = _without_erased(frame, table.name, suppression, table)
                suppressed, changed = suppressed + dropped, changed + frame.height
                yield frame

        published_columns = _published_columns(con, ref)
        scratch = wh.stage_batches(con, ref, batches())
        _, present, unique = published_record_id_checks(con, scratch)
    finally:
        wh.run_sql(con, "erp_snapshot_drop")
    if changed:
        delivery.newest = loaded_at
    outcome.new_files.append(source_label)
    ledger = [{"source": table.name, "source_file": source_label, "file_hash": snapshot_hash,
               "rows": changed, "partition_date": as_of, "run_id": run_id, "loaded_at": loaded_at,
               "suppressed_rows": suppressed, "file_size": None, "file_mtime_ns": None}]
    columns = {**table.columns, **LINEAGE_COLUMNS, "_row_hash": "MD5 of the row's source columns (change capture)."}
    return check_publish_staged(con, outcome, ref, scratch, (present, unique), published_columns, changed, ledger,
                                (table.description, columns), policy, delivery, also=stamped)


def _with_snapshot_lineage(frame: pl.DataFrame, table: ErpTable, source_label: str, snapshot_hash: str,
                           loaded_at: datetime) -> pl.DataFrame:
    """A batch of changed rows with the lineage columns; its row numbers are the rows' places in the
    snapshot (``_snapshot_row``), as when the whole snapshot was numbered before the comparison."""
    numbered = with_lineage(frame.drop("_snapshot_row"), table.name, table.record_id, source_label, snapshot_hash,
                            loaded_at)
    return numbered.with_columns(frame["_snapshot_row"].cast(pl.Int64).alias("_row_number"))


def _load_snapshot(con: duckdb.DuckDBPyConnection, pieces: Iterable[pl.DataFrame]) -> tuple[int, pl.Schema]:
    """The snapshot's pieces into the temporary table _erp_snapshot; its rows and columns.

    Typed as a whole read types the table (pipelines.erp.read_erp_chunks; wh.BatchWriter) before
    anything is hashed, since a row's hash depends on how its values print."""
    wh.execute(con, "DROP TABLE IF EXISTS _erp_snapshot")
    writer = wh.BatchWriter(con, "_erp_snapshot", temporary=True)
    for piece in pieces:
        writer.add(piece)
    if writer.types is None:
        raise ValueError("no snapshot: the ERP table came in no pieces")
    return writer.rows, pl.Schema(writer.types)
