"""Audit: who ran what (quality.run_log in the warehouse) and who read which export set (an append-only
``access_log.jsonl`` in the export folder, written by `crm360 export-url`; a reader can log itself the
same way through ``log_access``). Neither holds customer data."""

from __future__ import annotations

import getpass
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from pipelines import warehouse as wh
from pipelines.version import code_version

ACCESS_LOG = "access_log.jsonl"
ENV_USER = "CRM360_USER"  # who is recorded, when the login name is not the person (a shared service account)


def who() -> str:
    try:
        return os.environ.get(ENV_USER) or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record_run(con: duckdb.DuckDBPyConnection, *, run_id: str, partition: str, started_at: datetime,
               success: bool, row_counts: dict[str, int | None], checks_passed: int, checks_failed: list,
               errors: list, snapshot: str | None) -> None:
    wh.execute(con, wh.load_sql("record_run"), {
        "run_id": run_id, "partition_date": partition, "started_at": started_at,
        "finished_at": datetime.now(timezone.utc), "run_by": who(), "host": socket.gethostname(),
        "code_version": code_version(), "success": success, "assets_built": sorted(row_counts),
        "row_counts": json.dumps(row_counts), "checks_passed": checks_passed,
        "checks_failed": json.dumps(checks_failed, ensure_ascii=False), "errors": json.dumps(errors, ensure_ascii=False),
        "snapshot": snapshot})


def run_log(con: duckdb.DuckDBPyConnection, limit: int = 30) -> pl.DataFrame:
    if not wh.table_exists(con, wh.TableRef("quality", "run_log")):
        return pl.DataFrame()
    return wh.fetch_frame(con, wh.load_sql("run_log"), {"limit": limit})


def log_access(exports_root: Path, consumer: str, files: list[str], how: str) -> dict:
    entry = {"at": datetime.now(timezone.utc).isoformat(), "who": who(), "host": socket.gethostname(),
             "consumer": consumer, "files": files, "how": how}
    path = Path(exports_root) / ACCESS_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def access_log(exports_root: Path, limit: int = 30) -> list[dict]:
    path = Path(exports_root) / ACCESS_LOG
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[-limit:] if line.strip()][::-1]
