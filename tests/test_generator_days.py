"""Daily deliveries of the demo-data generator (`generate(..., days=K)`, `crm360 erp-delivery`)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.cli import main as cli
from pipelines.generator import generate
from pipelines.generator.days import DailyParams, apply_erp_delivery

N = 1500
SEED = 11
AS_OF = date(2026, 11, 1)
DAYS = 3
DATES = [AS_OF + timedelta(days=j) for j in range(1, DAYS)]
ERP_TABLES = ("customers", "products", "orders", "order_items")
DAILY_FILES = ("crm_contacts.csv", "service_tickets.jsonl", "surveys.csv", "campaign_events.parquet")
CUSTOMER_SOURCES = ("erp_customers", "crm_contacts", "service_tickets")
ERP_TS = "%Y-%m-%d %H:%M:%S"
CRM_TS = "%Y/%m/%d %H:%M"


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("days")
    messages: list[str] = []
    summary = generate(out, customers=N, seed=SEED, as_of=AS_OF, days=DAYS, progress=messages.append)
    return out, summary, messages


@pytest.fixture(scope="module")
def out(landing) -> Path:
    return landing[0]


@pytest.fixture(scope="module")
def truth(out):
    return {name: pl.read_parquet(out / "truth" / f"{name}.parquet")
            for name in ("entities", "records", "noise", "deliveries")}


def _erp(path: Path) -> dict[str, pl.DataFrame]:
    con = sqlite3.connect(path)
    try:
        return {t: pl.read_database(f"SELECT * FROM {t}", con, infer_schema_length=None) for t in ERP_TABLES}
    finally:
        con.close()


def _read(folder: Path, name: str) -> pl.DataFrame | None:
    path = folder / name
    if not path.exists():
        return None
    if name == "crm_contacts.csv":
        return pl.read_csv(path.read_bytes().decode("gbk").encode(), infer_schema=False)
    if name == "surveys.csv":
        return pl.read_csv(path, schema_overrides={"respondent_phone": pl.String})
    if name.endswith(".jsonl"):
        return pl.read_ndjson(path)
    return pl.read_parquet(path)


def _local(ts: pl.Series) -> pl.Series:
    """Ticket stamps (ISO with +08:00 or Z) and campaign event times (UTC) on the internal clock (CST)."""
    if ts.dtype == pl.String:
        ts = ts.str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC")
    return ts.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _record_ids(name: str, frame: pl.DataFrame) -> tuple[str, pl.Series]:
    source, column = {"crm_contacts.csv": ("crm_contacts", "联系人编号"),
                      "service_tickets.jsonl": ("service_tickets", "ticket_id"),
                      "surveys.csv": ("surveys", "response_id"),
                      "campaign_events.parquet": ("campaign_events", "event_id"),
                      "erp_changes/customers.parquet": ("erp_customers", "cust_no"),
                      "erp_changes/orders.parquet": ("erp_orders", "order_id")}[name]
    return source, frame[column].cast(pl.String)


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- one day is today's output --------------------------------------------------------------------

def test_days_1_is_the_default_output(tmp_path):
    generate(tmp_path / "default", customers=400, seed=3, as_of=AS_OF)
    summary = generate(tmp_path / "one", customers=400, seed=3, as_of=AS_OF, days=1)
    assert _digests(tmp_path / "default") == _digests(tmp_path / "one")
    assert not [p for p in (tmp_path / "one").iterdir() if p.is_dir() and p.name != "truth"]
    assert not (tmp_path / "one" / "truth" / "deliveries.parquet").exists()
    assert summary.days == 1 and list(summary.rows_per_delivery) == [AS_OF.isoformat()]


# --- layout ---------------------------------------------------------------------------------------

def test_dated_folders_and_names(landing, truth):
    out, summary, messages = landing
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "truth")
    assert folders == [d.isoformat() for d in DATES]
    allowed = {*DAILY_FILES, *(f"erp_changes/{t}.parquet" for t in ERP_TABLES)}
    for day in DATES:
        files = {p.relative_to(out / day.isoformat()).as_posix() for p in (out / day.isoformat()).rglob("*")
                 if p.is_file()}
        assert files <= allowed, files - allowed
        assert {"crm_contacts.csv", "erp_changes/customers.parquet", "erp_changes/orders.parquet",
                "erp_changes/order_items.parquet"} <= files
        assert "erp_changes/products.parquet" not in files  # nothing of its kind arrived: no file
        assert summary.rows_per_delivery[day.isoformat()] == {
            name: _read(out / day.isoformat(), name).height for name in sorted(files)}
        assert any(day.isoformat() in m for m in messages)
    # same formats and columns as the first delivery; the CRM file stays GBK
    for day in DATES:
        for name in DAILY_FILES:
            daily = _read(out / day.isoformat(), name)
            if daily is not None:
                assert daily.columns == _read(out, name).columns, name
                if name.endswith(".parquet"):
                    assert daily.schema == _read(out, name).schema
        (out / day.isoformat() / "crm_contacts.csv").read_bytes().decode("gbk")
        with pytest.raises(UnicodeDecodeError):
            (out / day.isoformat() / "crm_contacts.csv").read_bytes().decode("utf-8")
    erp = _erp(out / "erp.sqlite")
    for table in ("customers", "orders", "order_items"):
        changes = pl.read_parquet(out / DATES[0].isoformat() / "erp_changes" / f"{table}.parquet")
        assert changes.columns == erp[table].columns


def test_manifest_and_summary_record_days(landing, truth):
    out, summary, _ = landing
    manifest = json.loads((out / "truth" / "manifest.json").read_text())
    assert manifest["days"] == DAYS and manifest["as_of"] == AS_OF.isoformat()
    assert manifest["parameters"]["daily"] == json.loads(json.dumps(DailyParams().__dict__))
    assert list(manifest["rows_per_delivery"]) == [AS_OF.isoformat(), *(d.isoformat() for d in DATES)]
    assert summary.days == DAYS and summary.rows_per_delivery == manifest["rows_per_delivery"]
    assert summary.entities == truth["entities"].height == manifest["entities"] == N + manifest["new_customers"]
    assert manifest["rows_per_file"]["truth/deliveries.parquet"] == truth["deliveries"].height


# --- every row in its delivery --------------------------------------------------------------------

def test_nothing_in_the_top_level_is_dated_on_or_after_as_of(out):
    end = _midnight(AS_OF)
    erp = _erp(out / "erp.sqlite")
    for col in ("created_at", "updated_at", "mkt_consent_at"):
        assert erp["customers"][col].drop_nulls().str.to_datetime(ERP_TS).max() < end, col
    assert erp["orders"]["order_date"].str.to_datetime(ERP_TS).max() < end
    assert set(erp["order_items"]["order_id"]) == set(erp["orders"]["order_id"])
    crm = _read(out, "crm_contacts.csv")
    for col in ("创建时间", "更新时间", "同意时间"):
        assert crm[col].drop_nulls().filter(crm[col].drop_nulls() != "").str.to_datetime(CRM_TS).max() < end, col
    tickets = _read(out, "service_tickets.jsonl")
    assert _local(tickets["opened_at"]).max() < end
    assert _local(tickets["resolved_at"].drop_nulls()).max() < end
    assert (tickets["resolved_at"].is_null() == (tickets["status"] == "open")).all()
    assert _read(out, "surveys.csv")["survey_date"].cast(pl.String).max() < AS_OF.isoformat()
    assert _local(_read(out, "campaign_events.parquet")["event_time"]).max() < end


def test_each_folder_holds_what_happened_the_day_before(out):
    for day in DATES:
        folder = out / day.isoformat()
        lo, hi = _midnight(day - timedelta(days=1)), _midnight(day)

        def within(ts: pl.Series, what: str) -> None:
            assert ts.len() and ts.min() >= lo and ts.max() < hi, (day, what, ts.min(), ts.max())

        customers = pl.read_parquet(folder / "erp_changes" / "customers.parquet")
        within(customers["updated_at"].str.to_datetime(ERP_TS), "erp updated_at")
        created = customers["created_at"].str.to_datetime(ERP_TS)
        assert ((created >= lo) | (created < _midnight(AS_OF))).all()  # new that day, or an update of an old row
        orders = pl.read_parquet(folder / "erp_changes" / "orders.parquet")
        within(orders["order_date"].str.to_datetime(ERP_TS), "order_date")
        items = pl.read_parquet(folder / "erp_changes" / "order_items.parquet")
        assert set(items["order_id"]) == set(orders["order_id"])
        crm = _read(folder, "crm_contacts.csv")
        within(crm["更新时间"].str.to_datetime(CRM_TS), "crm 更新时间")
        stamps = {"service_tickets.jsonl": "opened_at", "campaign_events.parquet": "event_time"}
        for name, col in stamps.items():
            frame = _read(folder, name)
            if frame is not None:
                within(_local(frame[col]), col)
        tickets = _read(folder, "service_tickets.jsonl")
        if tickets is not None:
            assert tickets["resolved_at"].drop_nulls().len() == 0 or _local(tickets["resolved_at"].drop_nulls()).max() < hi
        surveys = _read(folder, "surveys.csv")
        if surveys is not None:
            assert set(surveys["survey_date"].cast(pl.String)) == {(day - timedelta(days=1)).isoformat()}


# --- truth ----------------------------------------------------------------------------------------

def test_every_delivered_record_has_its_truth(out, truth):
    records, deliveries = truth["records"], truth["deliveries"]
    assert records.select("source", "record_id").is_duplicated().sum() == 0
    assert set(deliveries["kind"].unique()) == {"new_customer", "new_record_of_known_customer", "update", "activity"}
    owner = records.select("source", "record_id", pl.col("entity_id").alias("truth_entity"))
    joined = deliveries.join(owner, on=["source", "record_id"], how="left")
    assert joined["truth_entity"].null_count() == 0
    assert (joined["entity_id"] == joined["truth_entity"]).all()
    assert set(records["entity_id"].drop_nulls()) <= set(truth["entities"]["entity_id"])
    # each dated file holds exactly the records the deliveries truth lists for it
    for day in DATES:
        folder = out / day.isoformat()
        listed = deliveries.filter(pl.col("delivery_date") == day)
        for name in (*DAILY_FILES, "erp_changes/customers.parquet", "erp_changes/orders.parquet"):
            frame = _read(folder, name)
            source = _record_ids(name, frame)[0] if frame is not None else None
            ids = set(_record_ids(name, frame)[1]) if frame is not None else set()
            if frame is not None:
                assert frame.height == len(ids), (day, name)
                assert ids == set(listed.filter(pl.col("source") == source)["record_id"]), (day, name)
    # the top level holds the other records, an updated one in its earlier version
    first = {"crm_contacts.csv": _read(out, "crm_contacts.csv"), "service_tickets.jsonl": _read(out, "service_tickets.jsonl"),
             "surveys.csv": _read(out, "surveys.csv"), "campaign_events.parquet": _read(out, "campaign_events.parquet")}
    erp = _erp(out / "erp.sqlite")
    first["erp_changes/customers.parquet"], first["erp_changes/orders.parquet"] = erp["customers"], erp["orders"]
    arrived_later = deliveries.filter(pl.col("kind") != "update")
    for name, frame in first.items():
        source, ids = _record_ids(name, frame)
        expected = set(records.filter(pl.col("source") == source)["record_id"]) - set(
            arrived_later.filter(pl.col("source") == source)["record_id"])
        assert set(ids) == expected, name


def test_delivered_erp_rows_belong_to_the_right_entity(out, truth):
    """An independent check of the truth: a clean ID number on a delivered ERP row is its entity's."""
    rows = pl.concat([pl.read_parquet(out / d.isoformat() / "erp_changes" / "customers.parquet") for d in DATES])
    noised = truth["noise"].filter((pl.col("source") == "erp_customers") & (pl.col("field") == "id_number"))
    owner = truth["records"].filter(pl.col("source") == "erp_customers").select(
        pl.col("record_id").alias("cust_no"), "entity_id")
    checked = (rows.filter(pl.col("id_number").is_not_null() & ~pl.col("cust_no").is_in(noised["record_id"].implode()))
               .join(owner, on="cust_no").join(truth["entities"].select("entity_id", pl.col("id_number").alias("true_id")),
                                               on="entity_id"))
    assert checked.height >= 5
    assert (checked["id_number"] == checked["true_id"]).all()
    # orders delivered later are booked on a customer row of the same entity
    orders = pl.concat([pl.read_parquet(out / d.isoformat() / "erp_changes" / "orders.parquet") for d in DATES])
    rec = truth["records"]
    cust = dict(rec.filter(pl.col("source") == "erp_customers").select("record_id", "entity_id").iter_rows())
    order = dict(rec.filter(pl.col("source") == "erp_orders").select("record_id", "entity_id").iter_rows())
    assert all(cust[c] == order[str(o)] for o, c in orders.select("order_id", "cust_no").iter_rows())


def test_new_customers_have_no_record_before_their_day(truth):
    deliveries, records = truth["deliveries"], truth["records"]
    new = deliveries.filter(pl.col("kind") == "new_customer").group_by("entity_id").agg(
        pl.col("delivery_date").min().alias("day"))
    assert new.height >= 0.003 * N * (DAYS - 1)
    # the bought registry lists companies whether or not they are customers yet: not a customer record
    own = records.filter(pl.col("source") != "company_registry")
    later = deliveries.filter(pl.col("kind") != "update").select("source", "record_id", "delivery_date")
    placed = own.join(later, on=["source", "record_id"], how="left").with_columns(
        pl.col("delivery_date").fill_null(AS_OF))
    seen = placed.join(new, on="entity_id", how="inner")
    assert seen.height > 0
    assert (seen["delivery_date"] >= seen["day"]).all()
    # and a record of a known customer is one whose entity was seen before
    first_seen = placed.group_by("entity_id").agg(pl.col("delivery_date").min().alias("first"))
    known = deliveries.filter(pl.col("kind") == "new_record_of_known_customer").join(first_seen, on="entity_id")
    assert known.height > 0 and (known["first"] < known["delivery_date"]).all()
    assert set(known["source"]) <= set(CUSTOMER_SOURCES)


def test_daily_share_of_new_or_changed_customer_records(landing, truth):
    _, summary, _ = landing
    first = summary.rows_per_delivery[AS_OF.isoformat()]
    base = (first["erp.sqlite:customers"] + first["crm_contacts.csv"] + first["service_tickets.jsonl"]
            + first["company_registry.json"])
    per_day = (truth["deliveries"].filter(pl.col("source").is_in(CUSTOMER_SOURCES))
               .group_by("delivery_date").len()["len"].to_list())
    assert len(per_day) == DAYS - 1
    assert all(0.005 < n / base < 0.02 for n in per_day), (per_day, base)


# --- updates --------------------------------------------------------------------------------------

def test_erp_customer_rows_are_updated(out, truth):
    top = _erp(out / "erp.sqlite")["customers"]
    updates = truth["deliveries"].filter((pl.col("source") == "erp_customers") & (pl.col("kind") == "update"))
    assert updates.height >= 5 and set(updates["changed"]) >= {"phone", "address"}
    for day in DATES:
        later = pl.read_parquet(out / day.isoformat() / "erp_changes" / "customers.parquet")
        ups = updates.filter(pl.col("delivery_date") == day).select(pl.col("record_id").alias("cust_no"), "changed")
        pair = ups.join(top, on="cust_no").join(later, on="cust_no", suffix="_new")
        assert pair.height == ups.height
        assert (pair["updated_at_new"] > pair["updated_at"]).all()
        assert (pair["created_at_new"] == pair["created_at"]).all() and (pair["name_new"] == pair["name"]).all()
        for changed, cols in (("phone", ["mobile"]), ("email", ["email"]),
                              ("address", ["district", "street", "street_number", "zip"])):
            rows = pair.filter(pl.col("changed") == changed)
            differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_new")) for c in cols])
            assert rows.select(differs.all()).item() in (True, None), (day, changed)
            others = [c for c in ("mobile", "email", "street") if c not in cols]
            assert rows.select(pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}_new")) for c in others])
                               .all()).item() in (True, None), (day, changed)


def test_crm_contacts_change_under_the_same_id(out, truth):
    top = _read(out, "crm_contacts.csv")
    updates = truth["deliveries"].filter((pl.col("source") == "crm_contacts") & (pl.col("kind") == "update"))
    assert updates.height >= 3
    later = pl.concat([_read(out / d.isoformat(), "crm_contacts.csv") for d in DATES])
    pair = (updates.select(pl.col("record_id").alias("联系人编号"), "changed").join(top, on="联系人编号")
            .join(later, on="联系人编号", suffix="_new"))
    assert pair.height == updates.height
    assert (pair["更新时间_new"].str.to_datetime(CRM_TS) > pair["更新时间"].str.to_datetime(CRM_TS)).all()
    column = {"phone": "手机", "email": "邮箱", "address": "地址"}
    for changed, col in column.items():
        rows = pair.filter(pl.col("changed") == changed)
        assert rows.select(pl.col(col).ne_missing(pl.col(f"{col}_new")).all()).item() in (True, None), changed


# --- the ERP moving on ----------------------------------------------------------------------------

def test_apply_erp_delivery_upserts_and_is_idempotent(out, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(out, landing)
    before = _erp(landing / "erp.sqlite")
    day = DATES[0]
    changes = {t: pl.read_parquet(landing / day.isoformat() / "erp_changes" / f"{t}.parquet")
               for t in ("customers", "orders", "order_items")}
    counts = apply_erp_delivery(landing, day)
    assert counts == {"customers": changes["customers"].height, "products": 0, "orders": changes["orders"].height,
                      "order_items": changes["order_items"].height}
    after = _erp(landing / "erp.sqlite")
    updated = changes["customers"].filter(pl.col("cust_no").is_in(before["customers"]["cust_no"].implode()))
    assert 0 < updated.height < changes["customers"].height  # updates and new customers
    assert after["customers"].height == before["customers"].height + changes["customers"].height - updated.height
    assert after["orders"].height == before["orders"].height + changes["orders"].height
    for table, key in (("customers", ["cust_no"]), ("orders", ["order_id"]), ("order_items", ["order_id", "line_no"])):
        got = after[table].join(changes[table].select(key), on=key).sort(key)
        assert got.equals(changes[table].select(got.columns).sort(key)), table
    kept = after["customers"].filter(~pl.col("cust_no").is_in(changes["customers"]["cust_no"].implode()))
    assert kept.sort("cust_no").equals(before["customers"].filter(
        ~pl.col("cust_no").is_in(changes["customers"]["cust_no"].implode())).sort("cust_no"))
    assert apply_erp_delivery(landing, day) == counts  # applying twice leaves every table as it was
    again = _erp(landing / "erp.sqlite")
    for table, key in (("customers", ["cust_no"]), ("products", ["product_id"]), ("orders", ["order_id"]),
                       ("order_items", ["order_id", "line_no"])):
        assert again[table].sort(key).equals(after[table].sort(key)), table
    assert apply_erp_delivery(landing, AS_OF + timedelta(days=30)) == dict.fromkeys(ERP_TABLES, 0)
    assert apply_erp_delivery(tmp_path / "nowhere", day) == dict.fromkeys(ERP_TABLES, 0)


def test_erp_after_all_days_is_the_worlds_final_erp(out, truth, tmp_path):
    """Not equal to a one-delivery world generated for the last day (another random world, without the
    daily extras), but by construction the span world's final ERP: every ERP record of the truth, each in
    its latest delivered version, orders consistent, nothing dated after the last delivery day."""
    landing = tmp_path / "landing"
    shutil.copytree(out, landing)
    for day in DATES:
        apply_erp_delivery(landing, day)
    erp = _erp(landing / "erp.sqlite")
    rec = truth["records"]
    assert set(erp["customers"]["cust_no"]) == set(rec.filter(pl.col("source") == "erp_customers")["record_id"])
    assert set(erp["orders"]["order_id"].cast(pl.String)) == set(rec.filter(pl.col("source") == "erp_orders")["record_id"])
    latest = pl.concat([pl.read_parquet(landing / d.isoformat() / "erp_changes" / "customers.parquet")
                        .with_columns(pl.lit(d).alias("_day")) for d in DATES])
    latest = latest.sort("_day").unique("cust_no", keep="last").drop("_day").sort("cust_no")
    assert erp["customers"].join(latest.select("cust_no"), on="cust_no").sort("cust_no").equals(latest)
    assert erp["customers"]["updated_at"].str.to_datetime(ERP_TS).max() < _midnight(DATES[-1])
    assert set(erp["orders"]["cust_no"]) <= set(erp["customers"]["cust_no"])
    sums = erp["order_items"].group_by("order_id").agg(pl.col("amount").sum().alias("s"))
    joined = erp["orders"].join(sums, on="order_id", how="left")
    assert joined["s"].null_count() == 0 and ((joined["total_amount"] - joined["s"]).abs() < 0.005).all()


def test_erp_delivery_command(out, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(out, landing)
    runner = CliRunner()
    result = runner.invoke(cli, ["erp-delivery", "--landing", str(landing), "--date", DATES[0].isoformat()])
    assert result.exit_code == 0, result.output
    rows = pl.read_parquet(landing / DATES[0].isoformat() / "erp_changes" / "customers.parquet").height
    assert f"customers {rows:,}" in result.output and "products 0" in result.output
    assert "upserted" in result.output
    missing = runner.invoke(cli, ["erp-delivery", "--landing", str(tmp_path / "nowhere"), "--date", "2026-11-02"])
    assert missing.exit_code != 0 and "not found" in missing.output


def test_rerun_with_fewer_days_removes_the_old_deliveries(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    generate(tmp_path, customers=300, seed=2, as_of=AS_OF, days=4)
    assert (tmp_path / "2026-11-04").is_dir()
    (tmp_path / "2026-11-03" / "mine.csv").write_text("kept")
    generate(tmp_path, customers=300, seed=2, as_of=AS_OF, days=2)
    assert (tmp_path / "2026-11-02" / "crm_contacts.csv").exists()
    assert not (tmp_path / "2026-11-04").exists()
    assert [p.name for p in (tmp_path / "2026-11-03").iterdir()] == ["mine.csv"]
    assert (tmp_path / "notes.txt").read_text() == "mine"
    generate(tmp_path, customers=300, seed=2, as_of=AS_OF)
    assert not (tmp_path / "2026-11-02").exists() and not (tmp_path / "truth" / "deliveries.parquet").exists()
