"""Incremental runs: an asset is rebuilt only when what it is built from has changed.

Every publish gives the tables it writes a new version (``quality.table_versions``, see
``warehouse.publish``); assets that write no table (the export sets, the dashboard) bump a version of
their own name. An asset's fingerprint is the versions of its inputs plus the settings it depends on
(the run date, where its result depends on the date). When the fingerprint equals the one recorded at
the asset's last build (``quality.asset_builds``) and its outputs still have their versions, the run
carries the asset over: nothing is recomputed, and the checks of the build that made it are reported
again. Anything changed outside a run (an erasure) forgets every build, so the next run rebuilds all.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb

from pipelines import warehouse as wh
from quality.results import CheckOutcome

VERSIONS = wh.TableRef("quality", "table_versions")
ERP_STAMPS = wh.TableRef("quality", "erp_stamps")


def fingerprint(con: duckdb.DuckDBPyConnection, inputs: Iterable[str],
                settings: Mapping[str, Any] | None = None) -> str | None:
    """A digest of the inputs' current versions and ``settings``; None when an input has no version
    (never published by a run, or forgotten), which means: build."""
    names = sorted(set(inputs))
    if not wh.table_exists(con, VERSIONS):
        return None
    versions = dict(wh.fetch_rows(con, wh.load_sql("table_versions"), {"tables": names}))
    if any(name not in versions for name in names):
        return None
    payload = json.dumps({"inputs": {n: versions[n] for n in names}, "settings": dict(settings or {})},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def carried_run(con: duckdb.DuckDBPyConnection, asset: str, digest: str | None, outputs: Iterable[str]) -> str | None:
    """The run whose build of ``asset`` still stands for ``digest``, if any: same fingerprint, and every
    output still at a version a run published."""
    if digest is None:
        return None
    found = wh.fetch_rows(con, wh.load_sql("asset_build"), {"asset": asset})
    if not found or found[0][0] != digest:
        return None
    names = sorted(set(outputs))
    have = {name for name, _ in wh.fetch_rows(con, wh.load_sql("table_versions"), {"tables": names})}
    return found[0][1] if have >= set(names) else None


def record_build(con: duckdb.DuckDBPyConnection, asset: str, digest: str | None, run_id: str | None) -> None:
    if digest is not None:
        wh.run_sql(con, "record_asset_build", {"asset": asset, "fingerprint": digest, "run_id": run_id})


def bump(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """A new version for outputs that are not published warehouse tables (files, views)."""
    version = uuid.uuid4().hex
    for name in names:
        wh.run_sql(con, "bump_table_version", {"table_name": name, "version": version})


def forget_builds(con: duckdb.DuckDBPyConnection) -> None:
    if wh.table_exists(con, VERSIONS):
        wh.run_sql(con, "forget_builds")
    if wh.table_exists(con, ERP_STAMPS):
        wh.run_sql(con, "forget_erp_stamps")


def carried_checks(con: duckdb.DuckDBPyConnection, table: str, run_id: str) -> list[CheckOutcome]:
    """The checks recorded on ``table`` by ``run_id``, marked as carried over from it."""
    rows = wh.fetch_rows(con, wh.load_sql("carried_checks"), {"run_id": run_id, "asset": table})
    return [CheckOutcome(name, passed, blocking, description or "", failing_rows or 0,
                         json.loads(sample) if sample else [],
                         {**(json.loads(metadata) if metadata else {}), "carried_over_from_run": run_id})
            for name, passed, blocking, failing_rows, description, sample, metadata in rows]
