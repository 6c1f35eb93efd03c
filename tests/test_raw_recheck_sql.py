"""A day with nothing new re-checks the published raw table in DuckDB (verify_published) and gets
exactly the outcomes the Polars batch checks give over the same table read into memory."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from assets.ingest import crm_contacts, erp
from assets.ingest.erp_load import ingest_erp_snapshot
from assets.ingest.load import Delivery, IngestOutcome, ingest_files, verify_published
from assets.ingest.spec import LINEAGE_COLUMNS
from pipelines import warehouse as wh
from pipelines.erp import read_erp_table
from quality.raw_checks import column_drift, raw_batch_checks
from quality.results import Policy

HEADER = "联系人编号,姓名,手机,邮箱"
REF = wh.TableRef("raw", "crm_contacts")
LOADED_AT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def deliver(root: Path, files: dict[str, list[str]]) -> None:
    """Write each landing file (path relative to ``root``) with the header and its rows, in GBK."""
    for name, rows in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes("\n".join([HEADER, *rows, ""]).encode("gbk"))


def load(con, root: Path, as_of: date | None = None) -> IngestOutcome:
    return ingest_files(con, crm_contacts.SOURCE, root, as_of=as_of, loaded_at=LOADED_AT)


def in_memory_recheck(con, outcome: IngestOutcome, ref: wh.TableRef, policy: Policy, delivery: Delivery):
    """What verify_published computed before it ran in SQL: the whole table in Polars, batch checks over it."""
    rows_loaded = wh.fetch_value(con, wh.load_sql("ledger_rows"), {"source": outcome.source})
    if wh.table_exists(con, ref):
        published = wh.fetch_frame(con, wh.load_sql("select_all").format(target=ref.sql))
    else:
        published = pl.DataFrame(schema={name: pl.String for name in LINEAGE_COLUMNS})
    columns = [c for c in published.columns if c not in LINEAGE_COLUMNS and c != "_row_hash"]
    checks = [*raw_batch_checks(published, rows_loaded, published.height, columns, columns, delivery.drift,
                                delivery.unreadable),
              *delivery.checks(outcome.table, outcome.source, policy)]
    return policy.apply(outcome.table, checks), published.height


def assert_same_as_polars(con, ref: wh.TableRef = REF, delivery: Delivery | None = None,
                          policy: Policy | None = None) -> dict:
    """verify_published's outcome equals the in-memory one, check by check (samples and messages too)."""
    policy = policy or Policy()
    delivery = delivery or Delivery(reference=LOADED_AT, newest=LOADED_AT)
    got = verify_published(con, IngestOutcome(ref.table, str(ref)), ref, policy, delivery)
    expected, height = in_memory_recheck(con, IngestOutcome(ref.table, str(ref)), ref, policy, delivery)
    assert got.checks == expected
    assert got.total_rows == height and got.newest_delivery == delivery.newest
    return {c.name: c for c in got.checks}


def test_a_clean_table_passes_alike(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,138,", "C2,李娜,139,", "C3,张伟,137,"]})
    load(con, tmp_path)
    checks = assert_same_as_polars(con)
    assert all(c.passed for c in checks.values())


def test_no_published_table_yet_passes_alike(con):
    checks = assert_same_as_polars(con)
    assert checks["rows_reconcile"].passed and checks["record_id_present"].passed


def test_missing_record_ids_are_counted_and_sampled_alike(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,138,", ",李娜,139,", "C3,张伟,137,"]})
    load(con, tmp_path)
    blanks = ["  ", "\u3000", "\t", " x "]  # whitespace only (the last is an id)
    wh.execute(con, "UPDATE raw.crm_contacts SET _record_id = $id WHERE _record_id = 'C3'", {"id": blanks[0]})
    for n, record_id in enumerate(blanks[1:], start=10):
        wh.execute(con, "INSERT INTO raw.crm_contacts BY NAME SELECT * REPLACE ($id AS _record_id, $n AS _row_number) "
                        "FROM raw.crm_contacts WHERE _record_id = 'C1'", {"id": record_id, "n": n})
    checks = assert_same_as_polars(con)
    present = checks["record_id_present"]
    assert not present.passed and present.failing_rows == 4  # null, two spaces, U+3000, tab
    assert [row["_row_number"] for row in present.sample] == [2, 3, 10, 11]


def test_many_missing_ids_sample_only_the_first_rows(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": [f",客户{n},138," for n in range(12)]})
    load(con, tmp_path)
    present = assert_same_as_polars(con)["record_id_present"]
    assert present.failing_rows == 12 and [row["_row_number"] for row in present.sample] == [1, 2, 3, 4, 5]


def test_a_record_id_repeated_within_one_file_fails_alike(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,138,", "C2,李娜,139,", "C1,王伟,136,", "C3,张伟,137,"]})
    load(con, tmp_path)
    unique = assert_same_as_polars(con)["record_id_unique"]
    assert not unique.passed and unique.failing_rows == 2
    assert unique.sample == [{"_source_file": "crm_contacts.csv", "_row_number": 1, "_record_id": "C1"},
                             {"_source_file": "crm_contacts.csv", "_row_number": 3, "_record_id": "C1"}]


def test_a_record_id_repeated_across_two_files_is_allowed_alike(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,138,", "C2,李娜,139,"],
                       "2026-11-21/crm_contacts.csv": ["C1,王伟,136,", "C4,赵敏,135,"]})
    load(con, tmp_path, date(2026, 11, 20))
    load(con, tmp_path, date(2026, 11, 21))
    checks = assert_same_as_polars(con)
    assert checks["record_id_unique"].passed and checks["rows_reconcile"].passed


def test_repeats_within_several_files_sample_in_one_order(con, tmp_path):
    # The same ids at the same row numbers in two files: ties the sample breaks by file, in both engines.
    rows = ["C2,王伟,138,", "C1,李娜,139,", "C2,王伟,136,", "C1,李娜,135,"]
    deliver(tmp_path, {"a/crm_contacts.csv": rows, "b/crm_contacts.csv": [*rows, "C9,赵敏,134,"]})
    deliver(tmp_path, {"2026-11-21/crm_contacts.csv": rows, "2026-11-22/crm_contacts.csv": [*rows, "C9,赵敏,134,"]})
    load(con, tmp_path, date(2026, 11, 22))
    unique = assert_same_as_polars(con)["record_id_unique"]
    assert unique.failing_rows == 8
    assert [(r["_record_id"], r["_row_number"], r["_source_file"]) for r in unique.sample] == [
        ("C1", 2, "2026-11-21/crm_contacts.csv"), ("C1", 2, "2026-11-22/crm_contacts.csv"),
        ("C1", 4, "2026-11-21/crm_contacts.csv"), ("C1", 4, "2026-11-22/crm_contacts.csv"),
        ("C2", 1, "2026-11-21/crm_contacts.csv")]


def test_an_erp_record_in_several_snapshots_is_no_repeat(con, landing):
    url = f"sqlite:///{landing / 'erp.sqlite'}"
    ingest_erp_snapshot(con, erp.CUSTOMERS, read_erp_table(url, "customers"), "erp#customers", loaded_at=LOADED_AT)
    db = sqlite3.connect(landing / "erp.sqlite")
    db.execute("UPDATE customers SET mobile = '13900139000' WHERE cust_no = 'E0001'")
    db.commit()
    db.close()
    ingest_erp_snapshot(con, erp.CUSTOMERS, read_erp_table(url, "customers"), "erp#customers", loaded_at=LOADED_AT)
    assert wh.fetch_value(con, "SELECT count(*) FROM raw.erp_customers WHERE _record_id = 'E0001'") == 2
    checks = assert_same_as_polars(con, wh.TableRef("raw", "erp_customers"))
    assert checks["record_id_unique"].passed and checks["rows_reconcile"].passed


def test_rows_that_do_not_reconcile_with_the_ledger_fail_alike(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,138,", "C2,李娜,139,", "C3,张伟,137,"]})
    load(con, tmp_path)
    wh.execute(con, "DELETE FROM raw.crm_contacts WHERE _record_id = $id", {"id": "C2"})
    reconcile = assert_same_as_polars(con)["rows_reconcile"]
    assert not reconcile.passed and reconcile.blocking and reconcile.failing_rows == 1
    assert reconcile.metadata == {"rows_read": 3, "rows_staged": 2}


def test_a_vanished_column_and_an_unreadable_file_are_reported_alike(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,138,", "C2,李娜,139,"]})
    load(con, tmp_path)
    arrived = {"联系人编号": pl.String, "姓名": pl.String, "邮箱": pl.String}  # 手机 gone
    delivery = Delivery(
        drift=column_drift("2026-11-21/crm_contacts.csv", arrived, ["联系人编号", "姓名", "手机", "邮箱"]),
        unreadable=[{"source_file": "2026-11-21/b.csv", "row_number": 3, "column": None,
                     "error": "2026-11-21/b.csv, row 3: not GBK"}],
        reference=LOADED_AT, newest=LOADED_AT)
    checks = assert_same_as_polars(con, delivery=delivery, policy=Policy(severities={"schema_drift": "warn"}))
    assert not checks["schema_drift"].passed and not checks["schema_drift"].blocking
    assert checks["schema_drift"].metadata["message"] == "2026-11-21/crm_contacts.csv: column '手机' missing"
    assert not checks["files_readable"].passed and checks["columns_stable"].passed


def test_a_day_with_nothing_new_rechecks_through_ingest(con, tmp_path):
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,138,", "C1,王伟,139,", ",李娜,137,"]})
    first = {c.name: c for c in load(con, tmp_path).checks}
    again = load(con, tmp_path)
    assert again.skipped_files == ["crm_contacts.csv"] and again.total_rows == 3
    for name in ("record_id_present", "record_id_unique", "rows_reconcile"):
        assert {c.name: c for c in again.checks}[name] == first[name]  # the batch saw what SQL sees now


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_tables_give_the_same_outcomes(con, seed):
    """Ids from a small pool (blanks and nulls among them) over several files, some hashes shared."""
    rng = random.Random(seed)
    pool = [None, "", " ", "\u3000", "甲1", "A1", "A10", "a1", "B2", "B2 ", "Z"]
    files = [(f"f{n}.csv", f"h{rng.randint(0, 2)}") for n in range(5)]
    rows = []
    for source_file, file_hash in files:
        for number in range(1, rng.randint(1, 40)):
            rows.append({"_source": "crm_contacts", "_record_id": rng.choice(pool), "_source_file": source_file,
                         "_file_hash": file_hash, "_row_number": rng.choice([number, number, None]),
                         "_loaded_at": LOADED_AT, "姓名": "x"})
    wh.stage(con, REF, pl.DataFrame(rows))
    wh.publish(con, [REF], mode="append", also=[("record_ingested_file", {
        "source": "crm_contacts", "source_file": "all", "file_hash": "h", "rows": len(rows) - seed + 1,
        "partition_date": None, "run_id": None, "loaded_at": LOADED_AT, "suppressed_rows": 0,
        "file_size": None, "file_mtime_ns": None})])
    assert_same_as_polars(con)
    assert_same_as_polars(con)  # the second time from the re-check remembered for this version


def test_a_recheck_is_counted_once_per_version_of_the_table(con, tmp_path):
    """Nothing new: the counts of the version already checked are reused; a publish makes a new version."""
    deliver(tmp_path, {"crm_contacts.csv": ["C1,王伟,13800138000,", "C2,李娜,13900139000,"]})
    load(con, tmp_path)
    assert [c.passed for c in load(con, tmp_path).checks if c.name == "record_id_unique"] == [True]
    wh.execute(con, "INSERT INTO raw.crm_contacts SELECT * FROM raw.crm_contacts "
                    "WHERE _record_id = 'C1'")  # a repeated id, behind the pipeline's back
    remembered = {c.name: c for c in load(con, tmp_path).checks}  # not a publish: the version stands
    assert remembered["record_id_unique"].passed
    deliver(tmp_path, {"crm_contacts_2.csv": ["C3,张伟,13700137000,"]})
    assert load(con, tmp_path).published
    counted = {c.name: c for c in load(con, tmp_path).checks}
    assert not counted["record_id_unique"].passed and counted["record_id_unique"].failing_rows == 2
