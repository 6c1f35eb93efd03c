"""Merge the shards of one large generation into one landing folder, file by file.

Each shard is a complete landing folder of its own customers, numbered on from the shard before it
(run.IdStarts), so merging is appending: SQLite tables through ATTACH, text files by bytes (one
header), Parquet by row group, the registry's JSON array by its items. Nothing holds more than a
row group, so memory stays that of one shard whatever the total.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq

ERP_TABLES = ("customers", "orders", "order_items")  # products: one catalogue, the same in every shard
CSV_FILES = ("crm_contacts.csv", "surveys.csv")
JSONL_FILES = ("service_tickets.jsonl",)
PARQUET_FILES = ("campaign_events.parquet", "truth/entities.parquet", "truth/records.parquet",
                 "truth/noise.parquet")
JSON_ARRAY_FILES = ("company_registry.json",)


def merge(parts: list[Path], out: Path, shards: dict) -> dict[str, int]:
    """Write the merged files of ``parts`` (shard folders, in order) into ``out``; rows per file.
    ``shards`` is recorded in the merged manifest."""
    (out / "truth").mkdir(parents=True, exist_ok=True)
    _merge_sqlite(parts, out / "erp.sqlite")
    for name in CSV_FILES:
        _concat_text(parts, out / name, name, skip_header=True)
    for name in JSONL_FILES:
        _concat_text(parts, out / name, name, skip_header=False)
    for name in PARQUET_FILES:
        _concat_parquet(parts, out / name, name)
    for name in JSON_ARRAY_FILES:
        _concat_json_array(parts, out / name, name)
    manifests = [json.loads((part / "truth" / "manifest.json").read_text(encoding="utf-8")) for part in parts]
    manifest = merged_manifest(manifests, shards)
    (out / "truth" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True),
                                                 encoding="utf-8")
    return manifest["rows_per_file"]


def merged_manifest(manifests: list[dict], shards: dict) -> dict:
    """The first shard's manifest with counts summed over all of them."""
    merged = dict(manifests[0])
    merged.update(shards)
    merged["rows_per_file"] = {name: (rows if name == "erp.sqlite:products" else
                                      sum(m["rows_per_file"][name] for m in manifests))
                               for name, rows in manifests[0]["rows_per_file"].items()}
    merged["noise_counts"] = {kind: {key: sum(m["noise_counts"].get(kind, {}).get(key, 0) for m in manifests)
                                     for key in ("eligible", "applied")}
                              for kind in sorted({k for m in manifests for k in m["noise_counts"]})}
    return merged


def _merge_sqlite(parts: list[Path], target: Path) -> None:
    shutil.copyfile(parts[0] / "erp.sqlite", target)
    con = sqlite3.connect(target)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        for part in parts[1:]:
            con.execute("ATTACH DATABASE ? AS shard", (str(part / "erp.sqlite"),))
            for table in ERP_TABLES:
                con.execute(f"INSERT INTO main.{table} SELECT * FROM shard.{table}")
            con.commit()
            con.execute("DETACH DATABASE shard")
    finally:
        con.close()


def _concat_text(parts: list[Path], target: Path, name: str, *, skip_header: bool) -> None:
    with target.open("wb") as out:
        for k, part in enumerate(parts):
            with (part / name).open("rb") as source:
                if skip_header and k:
                    source.readline()
                shutil.copyfileobj(source, out, 16 << 20)


def _concat_parquet(parts: list[Path], target: Path, name: str) -> None:
    writer = None
    try:
        for part in parts:
            source = pq.ParquetFile(part / name)
            if writer is None:
                writer = pq.ParquetWriter(target, source.schema_arrow, compression="zstd")
            for group in range(source.num_row_groups):
                writer.write_table(source.read_row_group(group))
    finally:
        if writer is not None:
            writer.close()


def _concat_json_array(parts: list[Path], target: Path, name: str) -> None:
    """``[a, b][c]`` -> ``[a, b, c]``: the items of each shard's array, in order."""
    with target.open("wb") as out:
        out.write(b"[")
        first = True
        for part in parts:
            text = (part / name).read_bytes().strip()
            items = text[1:-1].strip()
            if items:
                if not first:
                    out.write(b",")
                out.write(items)
                first = False
        out.write(b"]")
