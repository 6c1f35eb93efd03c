"""ERP tables read through ADBC (Arrow) come out exactly as SQLAlchemy reads them: same columns, dtypes
and values, on generated ERPs and on SQLite's dynamically typed oddities; what ADBC cannot read the
same way goes through SQLAlchemy, with the reason logged."""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from assets.ingest.errors import IngestError
from pipelines import erp
from pipelines.erp import adbc_uri, quote_identifier, read_erp_table, read_erp_table_sqlalchemy
from pipelines.generator.run import generate

ERP_TABLES = ("customers", "products", "orders", "order_items")
FALLBACK = "read through SQLAlchemy, not ADBC"


@pytest.fixture(scope="module")
def generated_erp(tmp_path_factory) -> Path:
    """`crm360 generate`'s ERP, big enough that every table but products spans several ADBC batches."""
    landing = tmp_path_factory.mktemp("generated")
    generate(landing, customers=1500, seed=7)
    return landing / "erp.sqlite"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def assert_same_frame(new: pl.DataFrame, old: pl.DataFrame) -> None:
    assert new.columns == old.columns
    assert new.schema == old.schema
    assert new.equals(old, null_equal=True)


def fallbacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pipelines.erp" and FALLBACK in r.getMessage()]


def build_sqlite(path: Path, ddl: str, rows: list[tuple]) -> None:
    con = sqlite3.connect(path)
    con.execute(ddl)
    table = ddl.split("(")[0].split()[-1]
    con.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
    con.commit()
    con.close()


# -- generated ERP -------------------------------------------------------------------------------

@pytest.mark.parametrize("table", ERP_TABLES)
def test_generated_erp_table_reads_the_same_through_adbc_as_through_sqlalchemy(generated_erp, table, caplog):
    url = sqlite_url(generated_erp)
    new = read_erp_table(url, table)
    assert not fallbacks(caplog)  # ADBC read it
    assert_same_frame(new, read_erp_table_sqlalchemy(url, table))
    assert new.height > (1024 if table != "products" else 0)


@pytest.fixture
def parallel_reads(monkeypatch):
    """Split tables of a few hundred rows into rowid ranges, as a large table is on a machine of 3+ cores."""
    monkeypatch.setattr(erp, "SQLITE_SPLIT_ROWS", 100)
    monkeypatch.setattr(erp, "SQLITE_READERS", 3)
    monkeypatch.setattr(erp.os, "cpu_count", lambda: 4)
    ranges = []
    split = erp._rowid_ranges
    monkeypatch.setattr(erp, "_rowid_ranges", lambda *a: ranges.append(split(*a)) or ranges[-1])
    return ranges


@pytest.mark.parametrize("table", ERP_TABLES)
def test_generated_erp_table_read_in_parallel_rowid_ranges_is_the_same(generated_erp, table, parallel_reads, caplog):
    url = sqlite_url(generated_erp)
    new = read_erp_table(url, table)
    assert not fallbacks(caplog)
    assert len(parallel_reads[0][1]) == 3
    assert_same_frame(new, read_erp_table_sqlalchemy(url, table))


def test_parallel_ranges_cover_every_rowid_and_respect_a_column_named_rowid(tmp_path, parallel_reads, caplog):
    path = tmp_path / "erp.sqlite"
    rows = [(rowid, str(rowid) if rowid % 7 else None, 1.5 if rowid == 2**62 else rowid % 5)
            for rowid in (-(2**63), -5, *range(1, 400), 2**62, 2**63 - 1)]
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, rowid TEXT, qty INTEGER)")  # REAL in one range only
    con.executemany("INSERT INTO t VALUES (?,?,?)", rows)
    con.commit()
    con.close()
    new = read_erp_table(sqlite_url(path), "t")
    assert not fallbacks(caplog)
    assert parallel_reads[0][0] == "_rowid_"
    assert_same_frame(new, read_erp_table_sqlalchemy(sqlite_url(path), "t"))
    assert new.height == len(rows) and new["qty"].dtype == pl.Float64


def test_views_and_tables_without_rowid_are_read_whole(tmp_path, parallel_reads, caplog):
    path = tmp_path / "erp.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE w(k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID")
    con.executemany("INSERT INTO w VALUES (?,?)", [(f"k{i:04}", i) for i in range(500)])
    con.execute("CREATE VIEW v AS SELECT k, v * 2 AS twice FROM w")
    con.commit()
    con.close()
    for table in ("w", "v"):
        assert_same_frame(read_erp_table(sqlite_url(path), table), read_erp_table_sqlalchemy(sqlite_url(path), table))
    assert parallel_reads == [None, None] and not fallbacks(caplog)


def test_reading_leaves_the_erp_file_untouched(generated_erp):
    before = hashlib.sha256(generated_erp.read_bytes()).hexdigest(), sorted(os.listdir(generated_erp.parent))
    read_erp_table(sqlite_url(generated_erp), "customers")
    assert (hashlib.sha256(generated_erp.read_bytes()).hexdigest(), sorted(os.listdir(generated_erp.parent))) == before


# -- SQLite's dynamic typing -----------------------------------------------------------------------

@pytest.fixture
def small_batches(monkeypatch):
    """ADBC batches of 1000 rows (the driver's default is 1024), so odd values arrive past the first batch."""
    monkeypatch.setattr(erp, "SQLITE_BATCH_ROWS", 1000)


def test_columns_null_for_thousands_of_rows_are_read_through_adbc_with_their_declared_type(tmp_path, caplog,
                                                                                         small_batches):
    # ADBC's driver types a column by its first batch: NULL there would mean int64, then a failed read.
    path = tmp_path / "erp.sqlite"
    rows = [(i, None, None, None, None, i) for i in range(1, 3001)]
    rows += [(3001, "late text", 7, 1.5, None, 3), (3002, "更晚", None, 2.0, None, None)]
    build_sqlite(path, "CREATE TABLE late(id INTEGER PRIMARY KEY, note TEXT, qty INTEGER, price REAL, "
                       "never TEXT, untyped)", rows)
    new = read_erp_table(sqlite_url(path), "late")
    assert not fallbacks(caplog)
    old = read_erp_table_sqlalchemy(sqlite_url(path), "late")
    assert_same_frame(new, old)
    assert dict(new.schema) == {"id": pl.Int64, "note": pl.String, "qty": pl.Int64, "price": pl.Float64,
                                "never": pl.Null, "untyped": pl.Int64}
    assert new.tail(2)["note"].to_list() == ["late text", "更晚"]


@pytest.mark.parametrize(("ddl", "odd_row", "at"), [
    ("CREATE TABLE t(id INTEGER PRIMARY KEY, qty INTEGER)", (None, "n/a"), 2000),       # text in INTEGER, late
    ("CREATE TABLE t(id INTEGER PRIMARY KEY, qty INTEGER)", (None, "n/a"), 5),          # ... in the first batch
    ("CREATE TABLE t(id INTEGER PRIMARY KEY, price REAL)", (None, "unknown"), 1500),    # text in REAL
    ("CREATE TABLE t(id INTEGER PRIMARY KEY, qty INTEGER)", (None, 2.5), 1500),         # REAL in INTEGER, late
    ("CREATE TABLE t(id INTEGER PRIMARY KEY, untyped)", (None, "x"), 10),               # no declared type
    ("CREATE TABLE t(id INTEGER PRIMARY KEY, note TEXT)", (None, b"\x00\xff"), 3),      # BLOB in TEXT
])
def test_column_mixing_storage_classes_is_read_through_sqlalchemy_with_the_reason(tmp_path, caplog, small_batches,
                                                                                  ddl, odd_row, at):
    path = tmp_path / "erp.sqlite"
    value = "a" if "TEXT" in ddl else 1
    rows = [(i, value) for i in range(1, 2501)]
    rows[at] = (at + 1, odd_row[1])
    build_sqlite(path, ddl, rows)
    old = read_erp_table_sqlalchemy(sqlite_url(path), "t")
    new = read_erp_table(sqlite_url(path), "t")
    assert_same_frame(new, old)
    (message,) = fallbacks(caplog)
    assert "#t: read through SQLAlchemy, not ADBC" in message


def test_real_values_in_an_integer_column_within_the_first_batch_read_through_adbc_as_float(tmp_path, caplog):
    path = tmp_path / "erp.sqlite"
    build_sqlite(path, "CREATE TABLE t(id INTEGER PRIMARY KEY, qty INTEGER)", [(1, 1), (2, 2.5), (3, None)])
    new = read_erp_table(sqlite_url(path), "t")
    assert not fallbacks(caplog)
    assert_same_frame(new, read_erp_table_sqlalchemy(sqlite_url(path), "t"))
    assert new["qty"].dtype == pl.Float64


def test_declared_types_sqlalchemy_converts_are_read_through_sqlalchemy(tmp_path, caplog):
    path = tmp_path / "erp.sqlite"
    build_sqlite(path, "CREATE TABLE t(id INTEGER PRIMARY KEY, at DATETIME, amount NUMERIC(10,2), paid BOOLEAN)",
                 [(1, "2024-01-02 03:04:05", 12.5, 1)])
    new = read_erp_table(sqlite_url(path), "t")
    assert_same_frame(new, read_erp_table_sqlalchemy(sqlite_url(path), "t"))
    assert new.schema["at"] == pl.Datetime("us")
    assert "column 'at' is DATETIME, which SQLAlchemy converts" in fallbacks(caplog)[0]


def test_empty_table_has_null_columns_as_through_sqlalchemy(tmp_path, caplog):
    path = tmp_path / "erp.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, price REAL)")
    con.close()
    new = read_erp_table(sqlite_url(path), "t")
    assert not fallbacks(caplog)
    assert_same_frame(new, read_erp_table_sqlalchemy(sqlite_url(path), "t"))
    assert new.shape == (0, 3) and set(new.schema.values()) == {pl.Null}


def test_text_that_is_not_utf8_fails_as_through_sqlalchemy(tmp_path):
    path = tmp_path / "erp.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO t VALUES (1, CAST(x'41ff42' AS TEXT))")
    con.commit()
    con.close()
    with pytest.raises(IngestError, match=r"#t: cannot read: Could not decode to UTF-8"):
        read_erp_table(sqlite_url(path), "t")


def test_table_and_column_names_are_quoted_identifiers(tmp_path, caplog):
    path = tmp_path / "erp.sqlite"
    table = 'order "lines"; DROP TABLE keep; --'
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE keep(x INTEGER)")
    con.execute(f'CREATE TABLE {quote_identifier(table)}("line ""no""" INTEGER, "select" TEXT)')
    con.execute(f"INSERT INTO {quote_identifier(table)} VALUES (1, 'a')")
    con.commit()
    con.close()
    new = read_erp_table(sqlite_url(path), table)
    assert not fallbacks(caplog)
    assert new.to_dicts() == [{'line "no"': 1, "select": "a"}]
    assert_same_frame(new, read_erp_table_sqlalchemy(sqlite_url(path), table))
    assert sqlite3.connect(path).execute("SELECT count(*) FROM keep").fetchone() == (0,)


def test_quote_identifier_doubles_embedded_quotes():
    assert quote_identifier("customers") == '"customers"'
    assert quote_identifier('a"b') == '"a""b"'
    with pytest.raises(ValueError):
        quote_identifier("a\x00b")


# -- which path, and the URL contract --------------------------------------------------------------

def test_missing_adbc_driver_falls_back_to_sqlalchemy(generated_erp, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "adbc_driver_sqlite", None)
    monkeypatch.setitem(sys.modules, "adbc_driver_sqlite.dbapi", None)
    new = read_erp_table(sqlite_url(generated_erp), "products")
    assert "the ADBC SQLite driver is not installed" in fallbacks(caplog)[0]
    assert_same_frame(new, read_erp_table_sqlalchemy(sqlite_url(generated_erp), "products"))


@pytest.mark.parametrize("url", [
    "mysql+pymysql://crm:s3cret@db.internal/erp",
    "mssql+pyodbc://crm:s3cret@db.internal/erp",
    "postgresql+nosuchdriver://crm:s3cret@db.internal/erp",   # SQLAlchemy's to refuse, as before
])
def test_backends_without_an_adbc_reader_go_through_sqlalchemy(monkeypatch, url):
    calls = []
    monkeypatch.setattr(erp, "read_erp_table_sqlalchemy", lambda u, t: calls.append((u, t)) or pl.DataFrame())
    read_erp_table(url, "customers")
    assert calls == [(url, "customers")]


def test_postgresql_url_with_parameters_libpq_does_not_take_goes_through_sqlalchemy(monkeypatch, caplog):
    monkeypatch.setattr(erp, "read_erp_table_sqlalchemy", lambda u, t: pl.DataFrame())
    read_erp_table("postgresql+asyncpg://crm:s3cret@db.internal/erp?prepared_statement_cache_size=0", "customers")
    assert "libpq does not take: ['prepared_statement_cache_size']" in fallbacks(caplog)[0]
    assert "s3cret" not in caplog.text


def test_adbc_uris_from_sqlalchemy_urls(tmp_path):
    odd = tmp_path / "dir with space" / "erp.sqlite"
    odd.parent.mkdir()
    sqlite3.connect(odd).close()
    uri = adbc_uri(sqlite_url(odd))
    assert uri.startswith("file:///") and uri.endswith("/dir%20with%20space/erp.sqlite?mode=ro")
    assert adbc_uri("postgresql+psycopg://crm:p%40ss@db.internal:5433/erp?sslmode=require") == \
        "postgresql://crm:p%40ss@db.internal:5433/erp?sslmode=require"
    assert adbc_uri("postgresql://crm@/erp?host=/run/postgresql") == "postgresql://crm@/erp?host=%2Frun%2Fpostgresql"
    assert adbc_uri("mysql+pymysql://crm@db/erp") is None
    with pytest.raises(IngestError, match="ERP database file not found"):
        adbc_uri(sqlite_url(tmp_path / "missing.sqlite"))


def test_unreachable_postgresql_says_cannot_read_without_the_password():
    with pytest.raises(IngestError) as info:
        read_erp_table(f"postgresql://crm:s3cret@127.0.0.1:{free_port()}/erp?connect_timeout=5", "customers")
    assert "#customers: cannot read:" in str(info.value)
    assert "s3cret" not in str(info.value) and "***" in str(info.value)


# -- PostgreSQL: a throwaway server, when its binaries are on this machine -------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    candidates = [found] if found else sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL server of its own (initdb into a temporary folder, a free port), stopped afterwards."""
    bindir = postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    run_as = {}
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres OS user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' OS user to run a PostgreSQL server as")
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    # not under pytest's tmp_path: that folder is private to root, and the server may run as postgres
    root = Path(tempfile.mkdtemp(prefix="crm360-pg-"))
    if run_as:
        os.chown(root, run_as["user"], run_as["group"])
    data, port = root / "data", free_port()
    try:
        subprocess.run([bindir / "initdb", "-D", data, "-U", "crm", "--auth=trust", "-E", "UTF8", "--no-locale"],
                       check=True, capture_output=True, **run_as)
        subprocess.run([bindir / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "60", "-o",
                        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True, **run_as)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server: {exc.stderr.decode(errors='replace').strip()[:300]}")
    try:
        yield f"postgresql://crm@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True, **run_as)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_erp(postgres_url, generated_erp) -> str:
    """The generated ERP copied into PostgreSQL with the column types a PostgreSQL ERP would declare."""
    import adbc_driver_postgresql.dbapi as adbc_postgresql

    pg_types = {"INTEGER": ("integer", pa.int32()), "REAL": ("double precision", pa.float64()),
                "TEXT": ("text", pa.string())}
    source = sqlite3.connect(generated_erp)
    with adbc_postgresql.connect(postgres_url) as connection, connection.cursor() as cursor:
        for table in ERP_TABLES:
            declared = [(name, kind.upper()) for _, name, kind, *_ in source.execute(f"PRAGMA table_info({table})")]
            columns = ", ".join(f"{quote_identifier(name)} {pg_types[kind][0]}" for name, kind in declared)
            cursor.execute(f"CREATE TABLE {quote_identifier(table)} ({columns})")
            frame = read_erp_table_sqlalchemy(sqlite_url(generated_erp), table)
            arrow = pa.table({name: pa.array(frame[name].to_list(), type=pg_types[kind][1]) for name, kind in declared})
            cursor.adbc_ingest(table, arrow, mode="append")
        cursor.execute("CREATE TABLE odd_types (id integer, amount numeric(10, 2), at timestamptz)")
        cursor.execute("INSERT INTO odd_types VALUES (1, 12.50, '2024-01-02 03:04:05+08')")
        connection.commit()
    source.close()
    return postgres_url


@pytest.mark.parametrize("table", ERP_TABLES)
def test_postgresql_table_reads_through_adbc_as_sqlalchemy_reads_the_same_table_in_sqlite(
        postgres_erp, generated_erp, table, caplog):
    new = read_erp_table(postgres_erp, table)
    assert not fallbacks(caplog)
    assert_same_frame(new, read_erp_table_sqlalchemy(sqlite_url(generated_erp), table))


def test_postgresql_missing_table_is_reported_as_before(postgres_erp):
    with pytest.raises(IngestError, match=r"#vendors: table not found in the ERP database"):
        read_erp_table(postgres_erp, "vendors")


def test_postgresql_types_adbc_would_type_differently_go_through_sqlalchemy(postgres_erp, monkeypatch, caplog):
    monkeypatch.setattr(erp, "read_erp_table_sqlalchemy", lambda u, t: pl.DataFrame())
    read_erp_table(postgres_erp, "odd_types")
    assert "amount (numeric), at (timestamptz)" in fallbacks(caplog)[0]


def sqlalchemy_postgresql_driver() -> str | None:
    return next((name for name in ("psycopg", "psycopg2") if importlib.util.find_spec(name)), None)


@pytest.mark.parametrize("table", [*ERP_TABLES, "odd_types"])
def test_postgresql_table_reads_the_same_through_adbc_and_sqlalchemy(postgres_erp, table):
    driver = sqlalchemy_postgresql_driver()
    if driver is None:
        pytest.skip("no SQLAlchemy PostgreSQL driver (psycopg or psycopg2) installed to compare with")
    url = postgres_erp.replace("postgresql://", f"postgresql+{driver}://")
    assert_same_frame(read_erp_table(url, table), read_erp_table_sqlalchemy(url, table))
