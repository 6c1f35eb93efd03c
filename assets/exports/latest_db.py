"""``<exports>/latest.duckdb``: one schema per consumer, one view per exported table, over the files the
``latest`` pointers lead to. SQL clients open it instead of the live warehouse, which a run may be writing:
it is rebuilt beside and renamed into place, so a reader never sees it half made."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from assets.exports.build import LATEST
from assets.exports.files import read_manifest
from pipelines import warehouse as wh

LATEST_DB = "latest.duckdb"


def build_latest_db(root: Path) -> tuple[Path, dict[str, list[str]]]:
    """Views for every consumer whose latest set is readable Parquet (an encrypted set has no views:
    read it through ``crm360 export-url``); returns the file and {consumer: [views]}."""
    root = Path(root).resolve()
    target = root / LATEST_DB
    tmp = root / f".{LATEST_DB}.tmp"
    tmp.unlink(missing_ok=True)
    views: dict[str, list[str]] = {}
    con = duckdb.connect(str(tmp))
    try:
        for link in sorted((root / LATEST).iterdir()) if (root / LATEST).is_dir() else []:
            if not (link / "manifest.json").is_file():
                continue
            manifest = read_manifest(link)
            if manifest.get("encrypted"):
                continue
            wh.execute(con, wh.load_sql("create_export_schema").format(schema=wh.quote_ident(link.name)))
            for table, entry in manifest["tables"].items():
                parquet = [f["file"] for f in entry["files"] if f["format"] == "parquet"]
                if not parquet:
                    continue
                view = f"{wh.quote_ident(link.name)}.{wh.quote_ident(table)}"
                # through the pointer, not the dated folder: the views follow the pointer when it moves
                wh.execute(con, wh.load_sql("export_view").format(view=view, path=wh.quote_literal(str(link / parquet[0]))))
                views.setdefault(link.name, []).append(table)
    finally:
        con.close()
    os.replace(tmp, target)
    return target, views
