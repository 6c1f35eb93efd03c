"""Read ERP tables through a connection URL (SQLite by default; PostgreSQL or MySQL when configured).

DuckDB's own scanners are downloaded at first use, which locked-down hosts cannot do, so the
ERP is read with SQLAlchemy and handed over as a Polars frame (Arrow underneath).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

from assets.ingest.errors import IngestError


def masked_url(url: str) -> str:
    """The URL with its password hidden, fit for lineage and messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable ERP URL>"


def _engine(url: str) -> sa.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise IngestError(masked_url(url), f"not a database URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        # SQLAlchemy would quietly create an empty database for a missing file.
        if database in ("", ":memory:") or not Path(database).is_file():
            raise IngestError(masked_url(url), f"ERP database file not found: {database or '(none)'}")
    try:
        return sa.create_engine(parsed)
    except Exception as exc:  # a missing driver surfaces here (ModuleNotFoundError, NoSuchModuleError)
        raise IngestError(masked_url(url), f"cannot use this database: {exc}") from exc


def read_erp_table(url: str, table: str) -> pl.DataFrame:
    """One ERP table, whole, as the database holds it."""
    engine = _engine(url)
    label = f"{masked_url(url)}#{table}"
    try:
        with engine.connect() as connection:
            reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
            return pl.read_database(sa.select(reflected), connection, infer_schema_length=None)
    except sa.exc.NoSuchTableError as exc:
        raise IngestError(label, "table not found in the ERP database") from exc
    except sa.exc.OperationalError as exc:
        raise IngestError(label, f"cannot read: {str(exc.orig).splitlines()[0]}") from exc
    finally:
        engine.dispose()
