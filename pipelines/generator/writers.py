"""File writers for the landing folder, each in the format its system exports.

Files are written into a staging folder inside the target and moved into
place at the end, so a reader never sees a half-written landing folder.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl

ERP_SCHEMA = """
CREATE TABLE customers (
    cust_no TEXT PRIMARY KEY, cust_type TEXT, name TEXT, gender TEXT, birthday TEXT, id_number TEXT,
    mobile TEXT, tel TEXT, email TEXT, country TEXT, province TEXT, city TEXT, district TEXT, street TEXT,
    street_number TEXT, zip TEXT, company TEXT, industry TEXT, company_size TEXT, job_title TEXT,
    created_at TEXT, updated_at TEXT, mkt_consent TEXT, mkt_consent_at TEXT);
CREATE TABLE products (product_id INTEGER PRIMARY KEY, sku TEXT, name TEXT, category TEXT, unit_price REAL);
CREATE TABLE orders (order_id INTEGER PRIMARY KEY, cust_no TEXT, order_date TEXT, status TEXT, currency TEXT,
    total_amount REAL, channel TEXT);
CREATE TABLE order_items (order_id INTEGER, line_no INTEGER, product_id INTEGER, quantity INTEGER,
    unit_price REAL, amount REAL, PRIMARY KEY (order_id, line_no));
"""


def open_erp(path: Path) -> sqlite3.Connection:
    """A new ERP database with the contract schema; no journal, since the file only
    becomes visible once complete and moved into place."""
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA page_size=8192")
    con.executescript(ERP_SCHEMA)
    return con


def insert_table(con: sqlite3.Connection, name: str, df: pl.DataFrame) -> None:
    marks = "(" + ",".join("?" * df.width) + ")"
    if all(dt.is_numeric() for dt in df.dtypes) and name != "products":
        # all-numeric: bind float64 rows, 100 per statement; INTEGER affinity stores whole
        # numbers back as integers, so the rows are identical and Python objects are few
        arr = df.to_numpy().astype(np.float64)
        k = 100
        full = arr.shape[0] // k * k
        if full:
            con.executemany(f"INSERT INTO {name} VALUES " + ",".join([marks] * k),
                            arr[:full].reshape(-1, df.width * k).tolist())
        con.executemany(f"INSERT INTO {name} VALUES {marks}", arr[full:].tolist())
        return
    columns = [df[c].to_list() for c in df.columns]
    con.executemany(f"INSERT INTO {name} VALUES {marks}", zip(*columns))


def write_sqlite(path: Path, tables: dict[str, pl.DataFrame]) -> None:
    con = open_erp(path)
    try:
        for name, df in tables.items():
            insert_table(con, name, df)
        con.commit()
    finally:
        con.close()


def write_csv(path: Path, df: pl.DataFrame, encoding: str = "utf-8") -> None:
    if encoding.lower().replace("-", "") == "utf8":
        df.write_csv(path)
    else:
        # strict: a character the target code page lacks is a bug, not something to replace
        path.write_bytes(df.write_csv().encode(encoding, errors="strict"))


def write_jsonl(path: Path, df: pl.DataFrame) -> None:
    df.write_ndjson(path)


def write_json_array(path: Path, df: pl.DataFrame) -> None:
    df.write_json(path)


def write_parquet(path: Path, df: pl.DataFrame) -> None:
    df.write_parquet(path, compression="zstd", statistics=True)


def staging_dir(out: Path) -> Path:
    stage = out / f".generate-{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "truth").mkdir(parents=True)
    return stage


_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DELIVERY_FILES = ("crm_contacts.csv", "service_tickets.jsonl", "surveys.csv", "campaign_events.parquet",
                  "erp_changes/customers.parquet", "erp_changes/products.parquet", "erp_changes/orders.parquet",
                  "erp_changes/order_items.parquet")


def clear_deliveries(out: Path) -> None:
    """Remove the daily deliveries an earlier run wrote into `out` (only the generator's own file
    names in dated folders, and their truth), so a new run's days are all that is left."""
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and _DATED.match(p.name)):
        for name in DELIVERY_FILES:
            (folder / name).unlink(missing_ok=True)
        for sub in (folder / "erp_changes", folder):
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
    (out / "truth" / "deliveries.parquet").unlink(missing_ok=True)


def publish(stage: Path, out: Path) -> None:
    """Move every staged file over its counterpart in `out`; other files in `out` are left alone."""
    for src in sorted(stage.rglob("*")):
        if src.is_dir():
            continue
        dst = out / src.relative_to(stage)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    shutil.rmtree(stage)


class SqliteJob:
    """Write erp.sqlite in a child process while the parent builds the other sources.

    Row-by-row SQLite inserts are the slowest single step and hold the GIL, so
    a thread would stall the parent's Polars work; a process runs on the other
    core. The child starts with the first table and takes each next one as soon
    as the parent hands it over (an Arrow IPC file renamed into place).
    """

    def __init__(self, path: Path, names: list[str]):
        self.path = path
        self.ipc_dir = path.parent / ".erp-ipc"
        self.ipc_dir.mkdir(exist_ok=True)
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen([sys.executable, "-m", "pipelines.generator.sqlite_child", str(self.ipc_dir),
                                      str(path), *names], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def send(self, name: str, df: pl.DataFrame) -> None:
        tmp = self.ipc_dir / f"{name}.arrow.tmp"
        df.write_ipc(tmp, compression="uncompressed")
        os.replace(tmp, self.ipc_dir / f"{name}.arrow")

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()

    def result(self) -> None:
        _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise RuntimeError(f"writing {self.path} failed:\n{err.decode(errors='replace')}")
        shutil.rmtree(self.ipc_dir)
