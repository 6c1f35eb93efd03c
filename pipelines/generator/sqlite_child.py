"""Child-process entry point for writing erp.sqlite (see writers.SqliteJob).

Not imported by the package, so `python -m` runs it cleanly. Tables are
inserted in the order given, each as soon as its IPC file appears; the child
gives up if its parent goes away.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import polars as pl

from pipelines.generator.writers import insert_table, open_erp


def _wait_for(path: Path, parent: int) -> None:
    while not path.exists():
        if os.getppid() != parent:
            raise SystemExit("parent process is gone")
        time.sleep(0.02)


def main(ipc_dir: str, path: str, names: list[str]) -> None:
    parent = os.getppid()
    con = open_erp(Path(path))
    try:
        for name in names:
            ipc = Path(ipc_dir) / f"{name}.arrow"
            _wait_for(ipc, parent)
            insert_table(con, name, pl.read_ipc(ipc))
        con.commit()
    finally:
        con.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
