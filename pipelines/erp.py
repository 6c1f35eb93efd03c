"""Read ERP tables through a connection URL (SQLite by default; PostgreSQL or MySQL when configured).

DuckDB's own scanners are downloaded at first use, which locked-down hosts cannot do, so the ERP is
read with Python drivers and handed over as a Polars frame (Arrow underneath). SQLite and PostgreSQL
are read through ADBC, which builds Arrow columns in C (several times faster than SQLAlchemy's rows
of Python objects); every other backend, and any table ADBC would not read exactly as SQLAlchemy
does, goes through SQLAlchemy, with the reason logged. Either way the frame has the same columns,
dtypes and values, since raw tables are appended across runs and the schema-drift check compares types.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import polars as pl
import pyarrow as pa
import sqlalchemy as sa

from assets.ingest.errors import IngestError
from pipelines.warehouse import quote_ident

log = logging.getLogger(__name__)

# The DBAPI drivers a SQLAlchemy PostgreSQL URL may name; an unknown one stays SQLAlchemy's to refuse.
POSTGRESQL_DRIVERS = frozenset({"psycopg", "psycopg2", "psycopg2cffi", "pg8000", "asyncpg"})
# libpq's connection keywords: a URL carrying any other query parameter (meant for a Python driver)
# is read through SQLAlchemy, which knows what to do with it.
LIBPQ_PARAMETERS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslcertmode", "sslrootcert",
    "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version",
    "gssencmode", "krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs", "load_balance_hosts",
})
UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for a missing relation
SQLITE_READERS = 4  # parallel readers of one large SQLite table, at most one per core
SQLITE_SPLIT_ROWS = 200_000  # rowid span below which one reader is about as fast
SQLITE_CHUNK_ROWS = 1_000_000  # rowids per piece of a chunked read (read_erp_chunks)
SQLITE_BATCH_ROWS = 65_536  # rows per Arrow batch (the driver's default, 1024, makes many small chunks)


class ArrowReadDeclined(Exception):
    """ADBC would not give the frame SQLAlchemy gives for this table; the message says why."""


def masked_url(url: str) -> str:
    """The URL with its password hidden, fit for lineage and messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable ERP URL>"


def quote_identifier(name: str) -> str:
    """``name`` as one double-quoted SQL identifier (SQLite and PostgreSQL), embedded quotes doubled."""
    if "\x00" in name:
        raise ValueError("an identifier cannot contain a NUL character")
    return quote_ident(name)


def read_erp_table(url: str, table: str) -> pl.DataFrame:
    """One ERP table, whole, as the database holds it: through ADBC where it reads the table exactly
    as SQLAlchemy would, else through SQLAlchemy."""
    parsed = _parse(url)
    label = f"{masked_url(url)}#{table}"
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_file(parsed, url)
            return _read_sqlite_adbc(parsed, table, label)
        if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in POSTGRESQL_DRIVERS:
            return _read_postgresql_adbc(parsed, table, label)
    except ArrowReadDeclined as reason:
        log.warning("%s: read through SQLAlchemy, not ADBC: %s", label, reason)
    return read_erp_table_sqlalchemy(url, table)


def source_stamp(url: str) -> str | None:
    """A cheap fingerprint of the ERP's data, equal only while nothing in it can have changed, or
    None where there is none to take (a server database: its tables are always read).

    For a SQLite file: the file's identity, size and modification time, the header's change counter
    (bumped by every commit in rollback-journal mode), and the same for its write-ahead log, where
    WAL-mode commits land before a checkpoint. Reading and hashing every row only to learn that
    nothing changed is most of a quiet day's run."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return None
    path = Path(database).resolve()
    parts = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            stat = file.stat()
            with file.open("rb") as handle:
                header = handle.read(100).hex()
        except FileNotFoundError:
            if file == path:
                return None
            parts.append(f"{file.name}:absent")
            continue
        except OSError:
            return None
        if file != path and not stat.st_size:  # an empty log holds no commits (readers leave one behind)
            parts.append(f"{file.name}:absent")
            continue
        parts.append(f"{file.name}:{stat.st_dev}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}:{header}")
    return "sqlite:" + str(path) + "|" + "|".join(parts)


def adbc_uri(url: str) -> str | None:
    """The URI the ADBC driver takes for a SQLAlchemy URL; None where no ADBC driver applies."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_file(parsed, url)
    return _adbc_uri(parsed)


def _adbc_uri(parsed: sa.URL) -> str | None:
    if parsed.get_backend_name() == "sqlite":
        # read-only: a file that vanished is never created, and the ERP never written
        return f"{Path(parsed.database).resolve().as_uri()}?mode=ro"
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in POSTGRESQL_DRIVERS:
        if set(parsed.query) - LIBPQ_PARAMETERS:
            return None
        return parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return None


# -- SQLAlchemy: every backend; the reference the ADBC reads must match --------------------------

def read_erp_table_sqlalchemy(url: str, table: str) -> pl.DataFrame:
    """One ERP table through SQLAlchemy rows (any backend SQLAlchemy has a driver for)."""
    with _reflected(_engine(url), table, f"{masked_url(url)}#{table}") as (connection, reflected):
        return pl.read_database(sa.select(reflected), connection, infer_schema_length=None)


@contextmanager
def _reflected(engine: sa.Engine, table: str, label: str) -> Iterator[tuple[sa.Connection, sa.Table]]:
    """A connection and the reflected table; a missing table or a failed read is one IngestError line."""
    try:
        with engine.connect() as connection:
            yield connection, sa.Table(table, sa.MetaData(), autoload_with=connection)
    except sa.exc.NoSuchTableError as exc:
        raise IngestError(label, "table not found in the ERP database") from exc
    except sa.exc.OperationalError as exc:
        raise IngestError(label, f"cannot read: {str(exc.orig).splitlines()[0]}") from exc
    finally:
        engine.dispose()


def _parse(url: str) -> sa.URL:
    try:
        return sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise IngestError(masked_url(url), f"not a database URL: {exc}") from exc


def _sqlite_file(parsed: sa.URL, url: str) -> None:
    database = parsed.database or ""
    # SQLAlchemy (and SQLite) would quietly create an empty database for a missing file.
    if database in ("", ":memory:") or not Path(database).is_file():
        raise IngestError(masked_url(url), f"ERP database file not found: {database or '(none)'}")


def _engine(url: str) -> sa.Engine:
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_file(parsed, url)
    try:
        return sa.create_engine(parsed)
    except Exception as exc:  # a missing driver surfaces here (ModuleNotFoundError, NoSuchModuleError)
        raise IngestError(masked_url(url), f"cannot use this database: {exc}") from exc


# -- SQLite through ADBC ---------------------------------------------------------------------------
# SQLite is dynamically typed, and ADBC's driver types each column by the values of its first batch:
# a column NULL there becomes int64 and the read fails at its first text, and a column mixing
# numbers and text there becomes text with the numbers printed by the driver ("2.5" as
# "2.500000e+00"). So each read starts with one row of the declared type's storage class ('' for
# TEXT, 0 for INTEGER, 0.0 for REAL), dropped afterwards; a column that still arrives in another
# type mixes storage classes, and its table is read through SQLAlchemy. A large table is read in
# rowid ranges by parallel connections (the driver lets go of the GIL while it steps SQLite).

# SQLAlchemy type class -> (literal of that storage class, Arrow types accepted from the driver).
# An INTEGER column holding some REAL values comes out Float64 through SQLAlchemy too.
_SQLITE_PRIMES: tuple[tuple[type, str, frozenset[pa.DataType]], ...] = (
    (sa.Integer, "0", frozenset({pa.int64(), pa.float64()})),
    (sa.Float, "0.0", frozenset({pa.float64()})),
    (sa.String, "''", frozenset({pa.string()})),
    (sa.types.NullType, "NULL", frozenset({pa.int64(), pa.float64()})),  # no declared type
)


def _read_sqlite_adbc(parsed: sa.URL, table: str, label: str) -> pl.DataFrame:
    parts, plan = [], None
    for part, plan in _sqlite_parts(parsed, table, label, None):
        parts.append(part)
    types = []
    for index, (name, (_, accepted)) in enumerate(zip(parts[0].column_names, plan)):
        arrived = {part.schema.field(index).type for part in parts}
        # an INTEGER column with REAL values in one range only: Float64 through SQLAlchemy as well
        types.append(pa.float64() if pa.float64() in arrived else arrived.pop())
    schema = pa.schema([pa.field(name, kind) for name, kind in zip(parts[0].column_names, types)])
    return _like_sqlalchemy(pa.concat_tables(part.cast(schema) for part in parts))


def read_erp_chunks(url: str, table: str, chunk_rows: int | None = None) -> Iterator[pl.DataFrame]:
    """One ERP table in pieces of about ``chunk_rows`` rows (SQLITE_CHUNK_ROWS), in the order a
    whole read gives them, so a table of tens of millions of rows never sits in memory at once.

    Each piece is typed as a whole read types the table, except that an INTEGER column holding
    some REAL values is Float64 only in the pieces that hold them (a whole read makes it Float64
    throughout), and a column with no value in a piece has Polars' Null type there. A SQLite table
    ADBC would read differently raises ArrowReadDeclined, possibly after some pieces: read it
    whole with ``read_erp_table`` then. Other databases come as one piece."""
    parsed = _parse(url)
    label = f"{masked_url(url)}#{table}"
    if parsed.get_backend_name() != "sqlite":
        yield read_erp_table(url, table)
        return
    _sqlite_file(parsed, url)
    for part, _ in _sqlite_parts(parsed, table, label, chunk_rows or SQLITE_CHUNK_ROWS):
        yield _like_sqlalchemy(part)


def _sqlite_parts(parsed: sa.URL, table: str, label: str,
                  chunk_rows: int | None) -> Iterator[tuple[pa.Table, list[tuple[str, frozenset[pa.DataType]]]]]:
    """The table in rowid ranges read by parallel connections (at most SQLITE_READERS ahead of the
    consumer), in rowid order, each checked against the columns' storage classes; with the column
    plan. ``chunk_rows`` None: as few ranges as there are readers."""
    try:
        import adbc_driver_sqlite
        import adbc_driver_sqlite.dbapi as adbc_sqlite
    except ImportError as exc:
        raise ArrowReadDeclined(f"the ADBC SQLite driver is not installed ({exc})") from exc
    columns = _reflect_sqlite(parsed, table, label)
    plan = [_sqlite_column_plan(column) for column in columns]
    names = [column.name for column in columns]
    query = (f"SELECT {', '.join(f'{prime} AS {quote_identifier(name)}' for (prime, _), name in zip(plan, names))}"
             f" UNION ALL SELECT {', '.join(map(quote_identifier, names))} FROM {quote_identifier(table)}")

    def fetch(sql: str, parameters: tuple[int, int] | None = None) -> pa.Table:
        with adbc_sqlite.connect(_adbc_uri(parsed)) as connection, connection.cursor() as cursor:
            batch_rows = adbc_driver_sqlite.StatementOptions.BATCH_ROWS.value
            cursor.adbc_statement.set_options(**{batch_rows: str(SQLITE_BATCH_ROWS)})
            cursor.execute(sql, parameters)
            return cursor.fetch_arrow_table()

    def checked(part: pa.Table) -> pa.Table:
        for index, (name, (_, accepted)) in enumerate(zip(names, plan)):
            if part.schema.field(index).type not in accepted:
                raise ArrowReadDeclined(f"column {name!r} mixes storage classes "
                                        f"(read as {part.schema.field(index).type})")
        return part.slice(1)  # without the row that set the storage classes

    try:
        split = _rowid_ranges(fetch, table, names, chunk_rows)
        if split is None:
            yield checked(fetch(query)), plan
            return
        rowid, ranges = split
        readers = min(SQLITE_READERS, os.cpu_count() or 1, len(ranges))
        with ThreadPoolExecutor(readers) as pool:
            read = partial(fetch, f"{query} WHERE {rowid} BETWEEN ? AND ?")
            pending = deque(pool.submit(read, span) for span in ranges[:readers])
            for span in ranges[readers:] + [None] * readers:
                part = pending.popleft().result()
                if span is not None:
                    pending.append(pool.submit(read, span))
                yield checked(part), plan
    except (_adbc_error(), OSError, pa.ArrowException) as exc:
        raise ArrowReadDeclined(f"ADBC could not read it: {_first_line(exc)}") from exc


def _rowid_ranges(fetch: Callable[[str], pa.Table], table: str, names: list[str],
                  chunk_rows: int | None = None) -> tuple[str, list[tuple[int, int]]] | None:
    """Rowid ranges splitting a large rowid table (rowid order is the order a whole-table read
    returns): one per parallel reader, or of ``chunk_rows`` rowids each; None for a small table, a
    view or a table WITHOUT ROWID."""
    readers = min(SQLITE_READERS, os.cpu_count() or 1)
    taken = {name.lower() for name in names}
    rowid = next((alias for alias in ("rowid", "_rowid_", "oid") if alias not in taken), None)
    if (readers < 2 and chunk_rows is None) or rowid is None:
        return None
    try:
        # one aggregate per subquery: SQLite answers each from the b-tree's edge, not by a scan
        low, high = fetch(f"SELECT (SELECT min({rowid}) FROM {quote_identifier(table)}),"
                          f" (SELECT max({rowid}) FROM {quote_identifier(table)})").to_pylist()[0].values()
    except _adbc_error():
        return None  # no rowid here
    if low is None or high - low < (chunk_rows or SQLITE_SPLIT_ROWS):
        return None
    pieces = readers if chunk_rows is None else -(-(high - low + 1) // chunk_rows)
    cuts = [low + (high - low) * part // pieces for part in range(1, pieces)]
    # open-ended outer ranges: every rowid falls in one range
    return rowid, list(zip([-(2**63), *cuts], [cut - 1 for cut in cuts] + [2**63 - 1]))


def _reflect_sqlite(parsed: sa.URL, table: str, label: str) -> list[sa.Column]:
    """The table's columns as SQLAlchemy reflects them (the same names, order and types it reads)."""
    with _reflected(sa.create_engine(parsed), table, label) as (_, reflected):
        return list(reflected.columns)


def _sqlite_column_plan(column: sa.Column) -> tuple[str, frozenset[pa.DataType]]:
    dialect = sa.dialects.sqlite.dialect()
    if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
        # DATE/DATETIME/NUMERIC/BOOLEAN/JSON...: SQLAlchemy converts the stored values
        raise ArrowReadDeclined(f"column {column.name!r} is {column.type}, which SQLAlchemy converts")
    for kind, prime, accepted in _SQLITE_PRIMES:
        if isinstance(column.type, kind):
            return prime, accepted
    raise ArrowReadDeclined(f"column {column.name!r} is {column.type}, not read through ADBC")


# -- PostgreSQL through ADBC -----------------------------------------------------------------------
# psycopg hands SQLAlchemy Python objects, which Polars types by value; ADBC's Arrow types map onto
# those for the types below. Others (numeric -> Decimal with the values' scale, real -> float from
# the text form, timestamptz -> the session's zone, json, uuid, arrays...) go through SQLAlchemy.

_POSTGRESQL_TYPES = {
    pa.int16(): pl.Int64, pa.int32(): pl.Int64, pa.int64(): pl.Int64, pa.float64(): pl.Float64,
    pa.string(): pl.String, pa.large_string(): pl.String, pa.bool_(): pl.Boolean, pa.date32(): pl.Date,
    pa.timestamp("us"): pl.Datetime("us"), pa.binary(): pl.Binary, pa.large_binary(): pl.Binary,
}


def _read_postgresql_adbc(parsed: sa.URL, table: str, label: str) -> pl.DataFrame:
    try:
        import adbc_driver_postgresql.dbapi as adbc_postgresql
    except ImportError as exc:
        raise ArrowReadDeclined(f"the ADBC PostgreSQL driver is not installed ({exc})") from exc
    uri = _adbc_uri(parsed)
    if uri is None:
        unknown = sorted(set(parsed.query) - LIBPQ_PARAMETERS)
        raise ArrowReadDeclined(f"the URL has parameters libpq does not take: {unknown}")
    try:
        with adbc_postgresql.connect(uri) as connection, connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quote_identifier(table)}")
            batches = cursor.fetch_record_batch()
            unsupported = [f"{field.name} ({(field.metadata or {}).get(b'POSTGRESQL:type', b'?').decode()})"
                           for field in batches.schema if field.type not in _POSTGRESQL_TYPES]
            if unsupported:
                raise ArrowReadDeclined(f"column types ADBC would type differently: {', '.join(unsupported)}")
            arrow = batches.read_all()
    except _adbc_error() as exc:
        if getattr(exc, "sqlstate", None) == UNDEFINED_TABLE:
            raise IngestError(label, "table not found in the ERP database") from exc
        message = _first_line(exc)
        if parsed.password:
            message = message.replace(parsed.password, "***")
        raise IngestError(label, f"cannot read: {message}") from exc
    return _like_sqlalchemy(arrow, [_POSTGRESQL_TYPES[field.type] for field in arrow.schema])


# -- shared ----------------------------------------------------------------------------------------

def _adbc_error() -> type[Exception]:
    """The base class of ADBC's DBAPI errors (the driver manager comes with either driver)."""
    import adbc_driver_manager

    return adbc_driver_manager.Error


def _like_sqlalchemy(arrow: pa.Table, dtypes: list[pl.DataType] | None = None) -> pl.DataFrame:
    """The Arrow table as Polars, typed as SQLAlchemy's rows come out (``dtypes`` where the driver's
    differ): a column of only NULLs (every column of an empty table) has Polars' Null type there."""
    for index, column in enumerate(arrow.columns):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            try:
                column.validate(full=True)  # text that is not UTF-8 would crash Polars later
            except pa.ArrowInvalid as exc:
                raise ArrowReadDeclined(f"column {arrow.column_names[index]!r} holds text that is not UTF-8") from exc
    frame = pl.from_arrow(arrow, rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    if dtypes is not None:
        frame = frame.cast(dict(zip(frame.columns, dtypes)), strict=True)
    empty = [name for name in frame.columns if frame[name].null_count() == frame.height]
    return frame.with_columns(pl.lit(None, dtype=pl.Null).alias(name) for name in empty) if empty else frame


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
