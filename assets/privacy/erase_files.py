"""Erase a customer from the files a warehouse leaves beside it: every kept export set and snapshot."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from assets.exports.files import MANIFEST, read_manifest, read_table, sha256, write_manifest, write_table
from assets.privacy.erasure import Erasure, erase_in_warehouse
from pipelines import warehouse as wh
from pipelines.crypto import decrypt_file, encrypt_file, is_encrypted


def erase_exports(root: Path, golden_ids: list[str], key: bytes | None) -> list[Path]:
    """Rewrite every exported file that holds one of ``golden_ids`` without those rows, and its manifest's
    rows, sizes and checksums; returns the files rewritten. Sets are found by their manifest."""
    rewritten: list[Path] = []
    root = Path(root)
    if not golden_ids or not root.is_dir():
        return rewritten
    ids = pl.Series(golden_ids, dtype=pl.String).implode()
    for manifest_path in sorted(root.glob(f"*/*/{MANIFEST}")):
        folder = manifest_path.parent
        if folder.is_symlink() or folder.parent.name.startswith("."):
            continue
        manifest = read_manifest(folder)
        changed = False
        for entry in manifest["tables"].values():
            for file in entry["files"]:
                path = folder / file["file"]
                frame = read_table(path, key)
                if "golden_id" not in frame.columns:
                    continue
                kept = frame.filter(~pl.col("golden_id").cast(pl.String).is_in(ids))
                if kept.height == frame.height:
                    continue
                name = file["file"].removesuffix(".enc").rsplit(".", 1)[0]
                written = write_table(kept, folder, name, file["format"], key if is_encrypted(path) else None)
                file.update(bytes=written.stat().st_size, sha256=sha256(written))
                entry["rows"] = kept.height
                rewritten.append(written)
                changed = True
        if changed:
            write_manifest(folder, manifest)
    return rewritten


def erase_snapshot(path: Path, erasure: Erasure, value: str, hash_key: bytes, key: bytes | None) -> bool:
    """Erase the customer from one snapshot (decrypted privately, encrypted again), recording the same
    erasure and suppression keys so that restoring the snapshot cannot bring the customer back."""
    sealed = is_encrypted(path)
    with tempfile.TemporaryDirectory(prefix="crm360-erase-") as folder:
        plain = Path(folder) / "snapshot.duckdb"
        if sealed:
            decrypt_file(path, plain, key)
        else:
            shutil.copyfile(path, plain)
        con = duckdb.connect(str(plain))
        try:
            wh.ensure_schemas(con)
            result = erase_in_warehouse(con, erasure.key_kind, value, hash_key, erasure_id=erasure.erasure_id,
                                        also_suppress=erasure.suppression)
        finally:
            con.close()
        wh.compact(plain)
        if sealed:
            encrypt_file(plain, path, key)
        else:
            tmp = path.with_name(f".{path.name}.tmp")
            shutil.copyfile(plain, tmp)
            tmp.replace(path)
    return result.total_rows > 0
