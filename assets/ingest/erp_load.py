"""Load ERP tables into the raw layer: change capture by row hash, and a fingerprint that spares
reading an ERP in which nothing can have changed.

Pure functions over a DuckDB connection; the Dagster assets and the tests call the same ones.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone

import duckdb
import polars as pl

from assets.ingest.load import (Delivery, IngestOutcome, _expected_columns, _known_hashes, _stage_check_publish,
                                _without_erased, verify_published, with_lineage)
from assets.ingest.spec import LINEAGE_COLUMNS, ErpTable, id_columns
from assets.privacy.suppression import load_suppression
from pipelines import warehouse as wh
from quality.freshness import reference_time
from quality.raw_checks import column_drift
from quality.results import Policy

STAMPS = wh.TableRef("quality", "erp_stamps")


def erp_row_hashes(con: duckdb.DuckDBPyConnection, snapshot: pl.DataFrame) -> pl.DataFrame:
    """``snapshot`` plus ``_row_hash``, an MD5 of all its source columns that is stable across versions."""
    con.register("_erp_snapshot", snapshot.to_arrow())
    try:
        return wh.fetch_frame(con, wh.load_sql("erp_row_hashes"))
    finally:
        con.unregister("_erp_snapshot")


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
    snapshot: pl.DataFrame,
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
    version of every row, first-seen time in ``_loaded_at``. ``stamp``, the ERP's fingerprint taken
    before ``snapshot`` was read, is recorded with a good load (see ``ingest_unchanged_erp``).
    """
    wh.ensure_schemas(con)
    loaded_at = loaded_at or datetime.now(timezone.utc)
    ref = wh.TableRef("raw", table.name)
    outcome = IngestOutcome(table.name, str(ref))
    policy = policy or Policy()
    expected, _ = _expected_columns(con, ref, (*id_columns(table.record_id), *table.required), typed=False)
    drift = column_drift(source_label, snapshot.schema, expected)
    delivery = _delivery(con, table, ref, source_label, snapshot.height, drift, as_of)
    if any(c not in snapshot.columns for c in id_columns(table.record_id)):
        return verify_published(con, outcome, ref, policy, delivery)
    hashed = erp_row_hashes(con, snapshot)
    # the sorted row hashes, joined, hashed: sorted in Polars (the same byte order) rather than in Python
    snapshot_hash = hashlib.md5(hashed["_row_hash"].sort().str.join("").item().encode()).hexdigest()
    stamped = (() if stamp is None else
               (("record_erp_stamp", _stamp_record(table, stamp, snapshot_hash, snapshot.height, drift, run_id,
                                                   loaded_at)),))
    if snapshot_hash in _known_hashes(con, table.name):
        outcome.skipped_files.append(source_label)
        outcome = verify_published(con, outcome, ref, policy, delivery)
        if not outcome.blocked_by:
            for name, params in stamped:
                wh.run_sql(con, name, params)
        return outcome
    hashed = with_lineage(hashed, table.name, table.record_id, source_label, snapshot_hash, loaded_at)
    if wh.table_exists(con, ref):
        seen = wh.fetch_frame(con, wh.load_sql("published_row_hashes").format(target=ref.sql))
        changed = hashed.join(seen, on="_row_hash", how="anti")
    else:
        changed = hashed
    changed, suppressed = _without_erased(changed, table.name, load_suppression(con), table)
    if changed.height:
        delivery.newest = loaded_at
    outcome.new_files.append(source_label)
    ledger = [{"source": table.name, "source_file": source_label, "file_hash": snapshot_hash,
               "rows": changed.height, "partition_date": as_of, "run_id": run_id, "loaded_at": loaded_at,
               "suppressed_rows": suppressed, "file_size": None, "file_mtime_ns": None}]
    columns = {**table.columns, **LINEAGE_COLUMNS, "_row_hash": "MD5 of the row's source columns (change capture)."}
    return _stage_check_publish(con, outcome, ref, changed, changed.height, ledger, (table.description, columns),
                                policy, delivery, also=stamped)
