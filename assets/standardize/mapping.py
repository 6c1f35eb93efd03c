"""Mapping files (DESIGN.md contract): one YAML per source maps its columns onto the canonical fields.

Extensions beyond the contract's keys (all optional, none renames a contract key):
``kind`` tells persons from companies, ``also`` names further columns holding more phones or
emails, ``attributes`` carries source columns into staging as they are (optional columns: one the
data lacks, as in an older delivery from before the source added it, is null), ``links`` names columns
holding the record id of the same customer in another source, ``identifiers`` lists id columns with
the scheme that checks them (``cn_resident``, ``cn_uscc``, ``opaque`` or a python-stdnum module such
as ``us.ssn``), so a scheme name is checked when the file loads, not when data runs.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assets.standardize.identifiers import RAW_IDENTIFIER, check_scheme

CANONICAL_FIELDS = (
    "given_name", "family_name", "full_name", "company_name", "email", "phone", "address_line1",
    "address_line2", "city", "province", "postcode", "country", "birth_date", "gender", "id_number",
    "industry", "company_size", "job_title", "created_at", "updated_at",
)
MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "ingest" / "mappings"

Columns = str | list[str]


class MappingError(ValueError):
    """A mapping file that cannot be used, said in one line naming the file and the key."""


class KindRule(BaseModel):
    """Which rows are persons and which are companies, by the values of one column."""

    model_config = ConfigDict(extra="forbid")
    column: str
    person: list[str] = Field(default_factory=list)
    company: list[str] = Field(default_factory=list)


class IdentifierColumn(BaseModel):
    """One column holding identifiers of one scheme (see assets/standardize/identifiers.py)."""

    model_config = ConfigDict(extra="forbid")
    column: str
    scheme: str

    @field_validator("scheme")
    @classmethod
    def _known(cls, scheme: str) -> str:
        return check_scheme(scheme)


class SourceMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    id: Columns
    default_country: str = "CN"
    fields: dict[str, Columns]
    kind: Literal["person", "company", "mixed"] | KindRule = "mixed"
    also: dict[Literal["phone", "email"], list[str]] = Field(default_factory=dict)
    attributes: dict[str, str] = Field(default_factory=dict)
    # source column -> the source whose record id it holds (a ticket's customer number): the
    # source's own word that two records are one customer, which resolution weighs as evidence
    links: dict[str, str] = Field(default_factory=dict)
    identifiers: list[IdentifierColumn] = Field(default_factory=list)
    table: str | None = None  # raw table holding the source; default raw.<source>

    @field_validator("fields")
    @classmethod
    def _canonical_only(cls, fields: dict[str, Columns]) -> dict[str, Columns]:
        for name in fields:
            if name not in CANONICAL_FIELDS:
                hint = difflib.get_close_matches(name, CANONICAL_FIELDS, n=1)
                raise ValueError(f"{name!r} is not a canonical field" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        return fields

    @field_validator("default_country")
    @classmethod
    def _alpha2(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError(f"default_country must be an ISO 3166 alpha-2 code, got {value!r}")
        return value.upper()

    @property
    def raw_table(self) -> str:
        return self.table or self.source

    @property
    def id_columns(self) -> list[str]:
        return [self.id] if isinstance(self.id, str) else list(self.id)

    def source_columns(self) -> list[str]:
        """Every source column the mapping reads, in file order of mention."""
        return self._columns(attributes=True)

    def required_columns(self) -> list[str]:
        """The source columns the data must have: all it reads but those only ``attributes`` name."""
        return self._columns(attributes=False)

    def _columns(self, attributes: bool) -> list[str]:
        names = list(self.id_columns)
        for columns in self.fields.values():
            names += [columns] if isinstance(columns, str) else columns
        for columns in self.also.values():
            names += columns
        if attributes:
            names += list(self.attributes.values())
        names += list(self.links)
        names += [identifier.column for identifier in self.identifiers]
        if isinstance(self.kind, KindRule):
            names.append(self.kind.column)
        return list(dict.fromkeys(names))


def load_mapping(path: str | Path) -> SourceMapping:
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(document, dict):
        raise MappingError(f"{path}: expected a mapping with keys source, id, fields")
    try:
        return SourceMapping.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise MappingError(f"{path}: {where}: {message}") from exc


def load_mappings(folder: Path = MAPPINGS_DIR) -> list[SourceMapping]:
    """The mapping files kept with the source definitions, one per customer-bearing source."""
    return [load_mapping(path) for path in sorted(folder.glob("*.yaml"))]


def check_columns(mapping: SourceMapping, columns: list[str], where: str) -> None:
    missing = [c for c in mapping.required_columns() if c not in columns]
    if missing:
        raise MappingError(
            f"{where}: column {missing[0]!r} named by the mapping of {mapping.source!r} is not in the data"
            f" (columns: {', '.join(columns)})"
        )


def _text(columns: Columns) -> pl.Expr:
    """One source column, or several joined by spaces (blank parts skipped)."""
    parts = [columns] if isinstance(columns, str) else columns
    exprs = [pl.col(c).cast(pl.String).str.strip_chars() for c in parts]
    joined = exprs[0] if len(exprs) == 1 else pl.concat_str(exprs, separator=" ", ignore_nulls=True)
    return pl.when(joined.str.len_chars() > 0).then(joined)


def _kind(mapping: SourceMapping) -> pl.Expr:
    if isinstance(mapping.kind, str):
        return pl.lit(None if mapping.kind == "mixed" else mapping.kind, dtype=pl.String)
    value = pl.col(mapping.kind.column).cast(pl.String).str.strip_chars()
    return (pl.when(value.is_in(mapping.kind.person)).then(pl.lit("person"))
            .when(value.is_in(mapping.kind.company)).then(pl.lit("company")))


def to_canonical(frame: pl.DataFrame, mapping: SourceMapping) -> pl.DataFrame:
    """Source rows renamed onto the canonical fields, all text, plus source, record_id and record_kind;
    ``identifiers_raw`` lists the non-blank identifier values as {column, scheme, value}.

    Lineage columns present in ``frame`` (``_source_file``, ``_row_number``, ...) are kept.
    """
    record_id = pl.concat_str([pl.col(c).cast(pl.String) for c in mapping.id_columns], separator=":")
    lineage = [c for c in frame.columns if c.startswith("_") and c not in ("_source", "_record_id")]
    extra = [
        pl.concat_list([_text(c) for c in columns]).list.drop_nulls().alias(f"more_{field}s")
        for field, columns in mapping.also.items()
    ]
    attributes = (
        pl.struct([(pl.col(column).cast(pl.String) if column in frame.columns else pl.lit(None, dtype=pl.String))
                   .alias(name) for name, column in mapping.attributes.items()])
        .struct.json_encode() if mapping.attributes else pl.lit(None, dtype=pl.String)
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    links = pl.concat_list([
        pl.when(_text(column).is_not_null()).then(pl.concat_list(pl.lit(f"{target}:") + _text(column))).otherwise(empty)
        for column, target in mapping.links.items()
    ]) if mapping.links else empty
    identifiers = pl.concat_list([
        pl.struct(pl.lit(i.column).alias("column"), pl.lit(i.scheme).alias("scheme"), _text(i.column).alias("value"))
        for i in mapping.identifiers
    ]).list.eval(pl.element().filter(pl.element().struct.field("value").is_not_null())) if mapping.identifiers \
        else pl.lit([], dtype=pl.List(RAW_IDENTIFIER))
    return frame.select(
        pl.lit(mapping.source).alias("source"),
        record_id.alias("record_id"),
        _kind(mapping).alias("record_kind"),
        *[(_text(mapping.fields[f]) if f in mapping.fields else pl.lit(None, dtype=pl.String)).alias(f)
          for f in CANONICAL_FIELDS],
        *extra,
        attributes.alias("attributes"),
        links.alias("linked_records"),
        identifiers.alias("identifiers_raw"),
        pl.lit(mapping.default_country).alias("default_country"),
        *lineage,
    )
