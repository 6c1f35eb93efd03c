"""Dagster resources: the warehouse, the landing folder and the ERP, configured in definitions.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource
from pydantic import Field, field_validator

from pipelines import config
from pipelines import warehouse as wh
from pipelines.erp import masked_url, read_erp_chunks, read_erp_table, source_stamp
from pipelines.vault import unseal
from quality.results import SEVERITIES, Policy


class Warehouse(DuckDBResource):
    """The DuckDB warehouse file, with its layer schemas ensured on every connection."""

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # DuckDBResource leaves the connection open when the body raises; a held write lock
        # would then block the next writer in this process.
        if self.database != ":memory:":
            unseal(Path(self.database))  # encrypted at rest (CRM360_ENCRYPTION_KEY): a run works on it plain
        con = wh.connect(self.database)
        try:
            wh.ensure_schemas(con)
            yield con
        finally:
            con.close()


class Landing(ConfigurableResource):
    """The folder where sources deliver their files."""

    path: str = Field(description="Landing folder; files at its top or in YYYY-MM-DD/ subfolders.")

    @property
    def root(self) -> Path:
        return Path(self.path)


class ErpDatabase(ConfigurableResource):
    """The internal ERP, reached through a SQLAlchemy URL (set CRM360_ERP_URL; it may hold a password)."""

    url: str = Field(description="SQLAlchemy database URL of the ERP.")

    @property
    def label(self) -> str:
        return masked_url(self.url)

    def read_table(self, table: str) -> pl.DataFrame:
        return read_erp_table(self.url, table)

    def read_chunks(self, table: str) -> Iterator[pl.DataFrame]:
        """The table in pieces (pipelines.erp.read_erp_chunks); may raise ArrowReadDeclined part way."""
        return read_erp_chunks(self.url, table)

    def stamp(self) -> str | None:
        """The ERP's fingerprint (None: read it every run); see pipelines.erp.source_stamp."""
        return source_stamp(self.url)


class QualityPolicy(ConfigurableResource):
    """How much a failed data-quality check weighs: ``error`` (not published, downstream skipped, the
    run fails) or ``warn`` (reported, the run goes on), and the thresholds checks draw their line at.
    Defaults: each check's own, then pipelines/config.py (CHECK_SEVERITY, CHECK_THRESHOLDS); a run may
    override both in the launchpad."""

    severities: dict[str, str] = Field(
        default_factory=lambda: dict(config.CHECK_SEVERITY),
        description=f"Check name, or <schema>.<table>.<check>, to one of {', '.join(SEVERITIES)}.")

    thresholds: dict[str, float] = Field(
        default_factory=lambda: dict(config.CHECK_THRESHOLDS),
        description="Check name to its threshold: row_count_change / row_count_drop (share of the last good run's "
                    "rows), quarantine_share (share of a source's records), cluster_size (records).")

    def policy(self) -> Policy:
        return Policy(dict(self.severities), dict(self.thresholds))

    @field_validator("severities")
    @classmethod
    def _known_severities(cls, severities: dict[str, str]) -> dict[str, str]:
        wrong = {k: v for k, v in severities.items() if v not in SEVERITIES}
        if wrong:
            raise ValueError(f"severities must be one of {', '.join(SEVERITIES)}: {wrong}")
        return severities


class Exports(ConfigurableResource):
    """Where export sets for BI and other consumers are written (exports/<date>/<consumer>/), and how
    many days of dated sets are kept. Keys come from the environment: CRM360_HASH_KEY for masked values,
    CRM360_ENCRYPTION_KEY to write the files encrypted."""

    path: str = Field(description="Export folder; default 'exports' beside the warehouse (env CRM360_EXPORTS).")
    keep_days: int = Field(default=config.EXPORT_KEEP_DAYS, description="Dated export sets kept, in days.")

    @property
    def root(self) -> Path:
        return Path(self.path)
