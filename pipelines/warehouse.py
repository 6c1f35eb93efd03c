"""The DuckDB warehouse: schemas, SQL loaded by name, and atomic publish.

Every table is built as ``<schema>.<table>__next`` (the scratch place), checked, and only
then swapped in or appended inside one transaction, so a failed or killed run leaves the
last good table readable and unchanged.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl
import pyarrow as pa

from pipelines import config

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LAYERS = ("raw", "staging", "core", "marts", "quality")
SCRATCH_SUFFIX = "__next"


@functools.cache
def load_sql(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file named {name!r} in {SQL_DIR}")
    return path.read_text(encoding="utf-8")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableRef:
    schema: str
    table: str

    def __post_init__(self) -> None:
        if self.schema not in LAYERS:
            raise ValueError(f"unknown warehouse schema {self.schema!r}; expected one of {LAYERS}")

    @property
    def sql(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.table)}"

    @property
    def scratch(self) -> TableRef:
        return TableRef(self.schema, self.table + SCRATCH_SUFFIX)

    def __str__(self) -> str:
        return f"{self.schema}.{self.table}"


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The warehouse, with DuckDB's memory capped (config.duckdb_memory_limit): past the cap it spills."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": config.duckdb_memory_limit()})


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> None:
    """Run statements to completion (DuckDB 2 refuses new work while a result is pending)."""
    con.execute(sql, dict(params) if params else None)
    con.complete()


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
    return con.execute(sql, dict(params) if params else None).fetchall()


def fetch_value(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    return fetch_rows(con, sql, params)[0][0]


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
    return con.sql(sql, params=dict(params) if params else None).pl()


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    execute(con, load_sql("create_schemas"))


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None, **idents: TableRef | str) -> None:
    """Run the statements of ``sql/<name>.sql``; ``{placeholders}`` take quoted identifiers only."""
    text = load_sql(name)
    if idents:
        text = text.format(**{k: v.sql if isinstance(v, TableRef) else quote_ident(v) for k, v in idents.items()})
    execute(con, text, params)


def gx_docs_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Where Great Expectations' Data Docs go: beside the warehouse file (none for an in-memory one, nor
    while CRM360_ENCRYPTION_KEY is set: the pages quote values and are not encrypted)."""
    from pipelines.crypto import encryption_key

    if encryption_key() is not None:
        return None
    path = fetch_value(con, load_sql("warehouse_path"))
    return Path(path).resolve().with_name(f"{Path(path).stem}.gx_docs") if path else None


def table_exists(con: duckdb.DuckDBPyConnection, ref: TableRef) -> bool:
    return bool(fetch_value(con, load_sql("table_exists"), {"schema": ref.schema, "table": ref.table}))


def table_columns(con: duckdb.DuckDBPyConnection, ref: TableRef) -> list[tuple[str, str]]:
    return fetch_rows(con, load_sql("table_columns"), {"schema": ref.schema, "table": ref.table})


def stage(con: duckdb.DuckDBPyConnection, ref: TableRef, data: pl.DataFrame | pa.Table) -> TableRef:
    """Write ``data`` to the scratch table of ``ref`` (replacing any leftover) and return it.

    A column with no value at all (an empty or sparse frame) becomes text, so DuckDB gets a real type."""
    if isinstance(data, pl.DataFrame):
        data = data.with_columns(pl.col(c).cast(pl.String) for c, t in data.schema.items() if t == pl.Null)
    arrow = data.to_arrow() if isinstance(data, pl.DataFrame) else data
    scratch = ref.scratch
    con.register("_crm360_stage", arrow)
    try:
        execute(con, f"CREATE OR REPLACE TABLE {scratch.sql} AS FROM _crm360_stage")
    finally:
        con.unregister("_crm360_stage")
    return scratch


# DuckDB's type for a column whose type a later batch settles (see BatchWriter)
DUCKDB_TYPES = {pl.Int64: "BIGINT", pl.Float64: "DOUBLE", pl.String: "VARCHAR", pl.Boolean: "BOOLEAN",
                pl.Date: "DATE", pl.Datetime: "TIMESTAMP", pl.Binary: "BLOB"}


class BatchWriter:
    """A table written a batch at a time, typed as if the batches had been one frame: a column with
    no value in the batches so far (Polars' Null type) takes the type of its first values, an Int64
    column meeting Float64 values becomes DOUBLE, and a column first seen in a later batch is added.
    So a table larger than memory is written from a stream with the types a whole write gives."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table_sql: str, *, temporary: bool = False):
        self.con, self.table_sql, self.temporary = con, table_sql, temporary
        self.types: dict[str, pl.DataType] | None = None
        self.rows = 0

    def add(self, batch: pl.DataFrame) -> None:
        if self.types is None:
            self.types = dict(batch.schema)
            first = batch.with_columns(pl.col(c).cast(pl.String) for c, t in batch.schema.items() if t == pl.Null)
            self._with(first, f"CREATE OR REPLACE {'TEMP ' if self.temporary else ''}TABLE {self.table_sql} AS "
                              "FROM _crm360_batch")
        else:
            for column, dtype in batch.schema.items():
                was = self.types.get(column)
                if was is None:
                    kind = DUCKDB_TYPES.get(dtype.base_type(), "VARCHAR") if dtype != pl.Null else "VARCHAR"
                    execute(self.con, f"ALTER TABLE {self.table_sql} ADD COLUMN {quote_ident(column)} {kind}")
                    self.types[column] = dtype
                    continue
                widened = (dtype if was == pl.Null and dtype != pl.Null else
                           pl.Float64 if was == pl.Int64 and dtype == pl.Float64 else None)
                if widened is not None and widened.base_type() in DUCKDB_TYPES:
                    execute(self.con, f"ALTER TABLE {self.table_sql} ALTER {quote_ident(column)} TYPE "
                                      f"{DUCKDB_TYPES[widened.base_type()]}")
                    self.types[column] = widened
            self._with(batch, f"INSERT INTO {self.table_sql} BY NAME FROM _crm360_batch")
        self.rows += batch.height

    def _with(self, batch: pl.DataFrame, sql: str) -> None:
        self.con.register("_crm360_batch", batch.to_arrow())
        try:
            execute(self.con, sql)
        finally:
            self.con.unregister("_crm360_batch")


def stage_batches(con: duckdb.DuckDBPyConnection, ref: TableRef, batches: Iterable[pl.DataFrame]) -> TableRef:
    """``stage`` a batch at a time (a BatchWriter on the scratch table): a table larger than memory is
    staged from a stream with the types one frame would give. No batch at all stages nothing."""
    writer = BatchWriter(con, ref.scratch.sql)
    for batch in batches:
        writer.add(batch)
    return ref.scratch


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pl.DataFrame) -> Iterator[None]:
    """``frames`` visible to SQL under their names for the duration of the block."""
    for name, frame in frames.items():
        con.register(name, frame.to_arrow())
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def discard(con: duckdb.DuckDBPyConnection, ref: TableRef) -> None:
    """Drop the scratch table of ``ref``; the published table is untouched."""
    execute(con, f"DROP TABLE IF EXISTS {ref.scratch.sql}")


def drop_leftover_scratch(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Remove scratch tables an interrupted run left behind; returns their names."""
    leftovers = fetch_rows(con, load_sql("scratch_tables"))
    for schema, table in leftovers:
        execute(con, f"DROP TABLE IF EXISTS {quote_ident(schema)}.{quote_ident(table)}")
    return [f"{s}.{t}" for s, t in leftovers]


def _add_new_columns(con: duckdb.DuckDBPyConnection, ref: TableRef) -> None:
    """Raw keeps what arrives: columns a new batch brings are added to the target."""
    if not table_exists(con, ref):
        return
    have = {name for name, _ in table_columns(con, ref)}
    for name, dtype in table_columns(con, ref.scratch):
        if name not in have:
            execute(con, f"ALTER TABLE {ref.sql} ADD COLUMN {quote_ident(name)} {dtype}")


def publish(
    con: duckdb.DuckDBPyConnection,
    refs: Sequence[TableRef],
    mode: Literal["replace", "append"] = "replace",
    also: Iterable[tuple[str, Mapping[str, Any]]] = (),
    comments: Mapping[TableRef, tuple[str, Mapping[str, str]]] | None = None,
    appends: Sequence[TableRef] = (),
) -> None:
    """Swap (or append) the staged scratch tables of ``refs`` in, in one transaction.

    ``appends`` are further staged tables appended in the same transaction (history tables
    such as the quarantine). ``also`` holds (sql name, params) statements committed with the
    data, such as the ingested-file ledger, so the ledger and the rows it describes never
    disagree. ``comments`` maps a table to (table comment, {column: comment}).
    """
    plan = [(ref, mode) for ref in refs] + [(ref, "append") for ref in appends]
    execute(con, "BEGIN TRANSACTION")
    try:
        for ref, how in plan:
            if not table_exists(con, ref.scratch):
                raise RuntimeError(f"nothing staged for {ref}")
            if how == "replace":
                run_sql(con, "publish_replace", target=ref, scratch=ref.scratch, target_name=ref.table)
            else:
                _add_new_columns(con, ref)
                run_sql(con, "publish_append", target=ref, scratch=ref.scratch)
        for name, params in also:
            run_sql(con, name, params)
        _bump_versions(con, [ref for ref, _ in plan])
        for ref, (table_comment, column_comments) in (comments or {}).items():
            execute(con, f"COMMENT ON TABLE {ref.sql} IS {quote_literal(table_comment)}")
            have = {name for name, _ in table_columns(con, ref)}
            for column, text in column_comments.items():
                if column in have:
                    execute(con, f"COMMENT ON COLUMN {ref.sql}.{quote_ident(column)} IS {quote_literal(text)}")
        execute(con, "COMMIT")
    except BaseException:
        con.rollback()
        raise


def _bump_versions(con: duckdb.DuckDBPyConnection, refs: Sequence[TableRef]) -> None:
    """A new version for each published table (quality.table_versions): what tells a downstream asset
    that its input changed since it was built (pipelines.builds)."""
    if not table_exists(con, TableRef("quality", "table_versions")):
        return
    version = uuid.uuid4().hex
    for ref in dict.fromkeys(refs):
        run_sql(con, "bump_table_version", {"table_name": str(ref), "version": version})


def quote_literal(text: str) -> str:
    """A SQL string literal, for the DDL that takes no parameters (COMMENT ON, a view over a file)."""
    return "'" + text.replace("'", "''") + "'"


def record_check_result(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str | None,
    asset: str,
    check_name: str,
    passed: bool,
    blocking: bool,
    failing_rows: int | None,
    description: str,
    sample: list[dict[str, Any]] | None = None,
    severity: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    run_sql(
        con,
        "record_check_result",
        {
            "run_id": run_id,
            "asset": asset,
            "check_name": check_name,
            "passed": passed,
            "blocking": blocking,
            "failing_rows": failing_rows,
            "description": description,
            "sample": json.dumps(sample or [], ensure_ascii=False, default=str),
            "severity": severity or ("error" if blocking else "warn"),
            "metadata": json.dumps(metadata or {}, ensure_ascii=False, default=str),
        },
    )


def compact(path: str | Path) -> None:
    """Rewrite a closed DuckDB file with only its live data. A DELETE frees the blocks of the rows it removes
    but leaves their bytes in the file until reused; after an erasure they must be gone from the disk too."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.compact")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        execute(con, load_sql("copy_database").format(src=quote_literal(str(path)), dst=quote_literal(str(tmp))))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    tmp.replace(path)
