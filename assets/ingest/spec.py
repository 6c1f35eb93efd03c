"""What a source is: where its data comes from and which columns it must have."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FileFormat = Literal["csv", "jsonl", "json", "parquet"]

LINEAGE_COLUMNS: dict[str, str] = {
    "_source": "Source name, as in the mapping file.",
    "_record_id": "The record's id within its source, as text.",
    "_source_file": "File (relative to the landing folder) or masked ERP URL and table the row came from.",
    "_file_hash": "SHA-256 of the file, or MD5 of the ERP snapshot, the row was loaded from.",
    "_row_number": "1-based data-row number within the file (ERP: within the snapshot).",
    "_loaded_at": "When the row was first loaded (UTC).",
}


@dataclass(frozen=True)
class FileSource:
    """A source delivered as files into the landing folder; raw table ``raw.<name>``."""

    name: str
    pattern: str
    format: FileFormat
    record_id: str
    required: tuple[str, ...]
    description: str
    encoding: str = "utf-8"  # a Python codec name, or "auto" (UTF-8, else GB18030)
    columns: dict[str, str] = field(default_factory=dict)
    personal: dict[str, str] = field(default_factory=dict)  # column -> email, phone or id_number (erasure)
    references: dict[str, str] = field(default_factory=dict)  # column -> source whose record id it holds


@dataclass(frozen=True)
class ErpTable:
    """A table read from the ERP database; raw table ``raw.<name>``, change-captured by row hash."""

    name: str
    table: str
    record_id: str | tuple[str, ...]  # several columns make a composite id, joined by ':'
    required: tuple[str, ...]
    description: str
    columns: dict[str, str] = field(default_factory=dict)
    personal: dict[str, str] = field(default_factory=dict)  # column -> email, phone or id_number (erasure)
    references: dict[str, str] = field(default_factory=dict)  # column -> source whose record id it holds


def id_columns(record_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return (record_id,) if isinstance(record_id, str) else tuple(record_id)
