"""Contract and realism tests for the demo-data generator (small N, a few seconds)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import phonenumbers
import polars as pl
import pytest
from stdnum.cn import ric, uscc

from pipelines.generator import GenerateSummary, NoiseRates, generate
from pipelines.generator.names import DOMAIN_TYPOS

N = 2000
SEED = 7
AS_OF = date(2026, 11, 1)

ERP_COLUMNS = {
    "customers": ["cust_no", "cust_type", "name", "gender", "birthday", "id_number", "mobile", "tel", "email",
                  "country", "province", "city", "district", "street", "street_number", "zip", "company",
                  "industry", "company_size", "job_title", "created_at", "updated_at",
                  "mkt_consent", "mkt_consent_at"],
    "products": ["product_id", "sku", "name", "category", "unit_price"],
    "orders": ["order_id", "cust_no", "order_date", "status", "currency", "total_amount", "channel"],
    "order_items": ["order_id", "line_no", "product_id", "quantity", "unit_price", "amount"],
}
CRM_COLUMNS = ["联系人编号", "姓名", "性别", "手机", "电话", "邮箱", "公司", "职位", "省份", "城市", "地址", "邮编", "生日",
               "负责人", "标签", "生命周期阶段", "营销同意", "同意时间", "创建时间", "更新时间"]
TICKET_COLUMNS = ["ticket_id", "customer_name", "phone", "email", "cust_no", "type", "channel", "subject", "status",
                  "priority", "opened_at", "resolved_at"]
SURVEY_COLUMNS = ["response_id", "respondent_email", "respondent_phone", "ticket_id", "order_id", "survey_date",
                  "csat", "nps", "comment"]
EVENT_COLUMNS = ["event_id", "campaign_id", "campaign_name", "channel", "email", "phone", "event_type", "event_time"]
REGISTRY_COLUMNS = ["company_name", "uscc", "legal_representative", "registered_capital", "established", "industry",
                    "size", "province", "city", "address", "phone"]
HASHED = ["crm_contacts.csv", "service_tickets.jsonl", "surveys.csv", "campaign_events.parquet",
          "company_registry.json", "truth/entities.parquet", "truth/records.parquet", "truth/noise.parquet",
          "truth/manifest.json"]
FULLWIDTH = re.compile("[０-９]")


@pytest.fixture(scope="module", params=[None, 700], ids=["whole", "shards"])
def shard_customers(request) -> int | None:
    """Every contract test runs on one generation and on one built in shards (of 667, 667, 666) and merged."""
    return request.param


def _generate(out: Path, shard_customers: int | None, **kwargs) -> GenerateSummary:
    return generate(out, **kwargs, **({"shard_customers": shard_customers} if shard_customers else {}))


@pytest.fixture(scope="module")
def landing(tmp_path_factory, shard_customers) -> tuple[Path, GenerateSummary]:
    out = tmp_path_factory.mktemp("landing")
    messages: list[str] = []
    summary = _generate(out, shard_customers, customers=N, seed=SEED, as_of=AS_OF, progress=messages.append)
    assert messages, "progress is reported per stage"
    return out, summary


@pytest.fixture(scope="module")
def out(landing) -> Path:
    return landing[0]


@pytest.fixture(scope="module")
def tables(out):
    con = sqlite3.connect(out / "erp.sqlite")
    try:
        return {t: pl.read_database(f"SELECT * FROM {t}", con, infer_schema_length=None) for t in ERP_COLUMNS}
    finally:
        con.close()


@pytest.fixture(scope="module")
def truth(out):
    return {name: pl.read_parquet(out / "truth" / f"{name}.parquet") for name in ("entities", "records", "noise")}


@pytest.fixture(scope="module")
def crm(out) -> pl.DataFrame:
    return pl.read_csv((out / "crm_contacts.csv").read_bytes().decode("gbk").encode(), infer_schema=False)


@pytest.fixture(scope="module")
def tickets(out) -> pl.DataFrame:
    return pl.read_ndjson(out / "service_tickets.jsonl")


@pytest.fixture(scope="module")
def surveys(out) -> pl.DataFrame:
    return pl.read_csv(out / "surveys.csv", schema_overrides={"respondent_phone": pl.String})


@pytest.fixture(scope="module")
def events(out) -> pl.DataFrame:
    return pl.read_parquet(out / "campaign_events.parquet")


@pytest.fixture(scope="module")
def registry(out) -> list[dict]:
    return json.loads((out / "company_registry.json").read_text(encoding="utf-8"))


def _digest(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in HASHED}


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ERP_COLUMNS}
    finally:
        con.close()


def _records(truth, source: str) -> pl.DataFrame:
    return truth["records"].filter(pl.col("source") == source)


def _noise(truth, source: str, field: str, kind: str) -> set[str]:
    n = truth["noise"]
    return set(n.filter((pl.col("source") == source) & (pl.col("field") == field) & (pl.col("noise") == kind))
               ["record_id"].to_list())


# --- determinism ---------------------------------------------------------------

def test_same_seed_gives_identical_files(out, tmp_path, shard_customers):
    again = tmp_path / "again"
    _generate(again, shard_customers, customers=N, seed=SEED, as_of=AS_OF)
    assert _digest(out) == _digest(again)
    assert _sqlite_rows(out / "erp.sqlite") == _sqlite_rows(again / "erp.sqlite")


def test_other_seed_gives_other_data(out, tmp_path, shard_customers):
    other = tmp_path / "other"
    _generate(other, shard_customers, customers=N, seed=SEED + 1, as_of=AS_OF)
    a, b = _digest(out), _digest(other)
    assert all(a[k] != b[k] for k in HASHED)
    assert _sqlite_rows(out / "erp.sqlite")["customers"] != _sqlite_rows(other / "erp.sqlite")["customers"]


def test_rerun_overwrites_and_keeps_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    generate(tmp_path, customers=200, seed=1, as_of=AS_OF)
    first = _digest(tmp_path)
    generate(tmp_path, customers=200, seed=1, as_of=AS_OF)
    assert _digest(tmp_path) == first
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".generate")]


# --- files and columns ---------------------------------------------------------

def test_summary(landing, tables, crm, tickets, registry):
    out, summary = landing
    assert summary.out == out and summary.entities == N and summary.seconds > 0
    assert summary.customer_records == tables["customers"].height + crm.height + tickets.height + len(registry)
    assert summary.rows_per_file["erp.sqlite:orders"] == tables["orders"].height
    # each entity shows up about 1.5-2x across the customer-bearing sources
    assert 1.4 * N < summary.customer_records < 2.2 * N


def test_files_have_exact_contract_columns(out, crm, tickets, surveys, events, registry):
    con = sqlite3.connect(out / "erp.sqlite")
    for table, cols in ERP_COLUMNS.items():
        assert [r[1] for r in con.execute(f"PRAGMA table_info({table})")] == cols
    types = con.execute("SELECT DISTINCT typeof(order_id), typeof(line_no), typeof(product_id), typeof(quantity),"
                        " typeof(unit_price), typeof(amount) FROM order_items").fetchall()
    assert types == [("integer", "integer", "integer", "integer", "real", "real")]
    order_types = con.execute("SELECT DISTINCT typeof(total_amount), typeof(cust_no) FROM orders").fetchall()
    assert order_types == [("real", "text")]
    con.close()
    assert crm.columns == CRM_COLUMNS
    assert tickets.columns == TICKET_COLUMNS
    first_ticket = json.loads((out / "service_tickets.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(first_ticket) == TICKET_COLUMNS
    assert surveys.columns == SURVEY_COLUMNS
    assert events.columns == EVENT_COLUMNS
    assert events.schema["event_id"] == pl.Int64
    assert events.schema["event_time"] == pl.Datetime("us", "UTC")
    assert all(list(r) == REGISTRY_COLUMNS for r in registry)
    for name in ("entities", "records", "noise"):
        assert (out / "truth" / f"{name}.parquet").exists()
    manifest = json.loads((out / "truth" / "manifest.json").read_text())
    assert manifest["seed"] == SEED and manifest["customers"] == N and manifest["as_of"] == AS_OF.isoformat()
    assert manifest["noise_rates"] == NoiseRates().as_dict()


def test_crm_is_gbk_not_utf8(out):
    raw = (out / "crm_contacts.csv").read_bytes()
    text = raw.decode("gbk")
    assert re.search("[\u4e00-\u9fff]", text)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert re.match(r"C\d{6}$", text.splitlines()[1].split(",")[0])


def test_crm_vocabularies(crm):
    assert set(crm["生命周期阶段"].unique()) <= {"潜在客户", "新客户", "活跃客户", "忠诚客户", "流失风险", "已流失"}
    assert set(crm["营销同意"].fill_null("").unique()) <= {"是", "否", ""}
    tags = crm["标签"].drop_nulls().str.split(";").explode()
    assert tags.len() > 0 and tags.str.len_chars().min() > 0


def test_survey_ranges(surveys):
    csat, nps = surveys["csat"].drop_nulls(), surveys["nps"].drop_nulls()
    assert csat.len() and nps.len()
    assert csat.min() >= 1 and csat.max() <= 5
    assert nps.min() >= 0 and nps.max() <= 10
    assert surveys["csat"].null_count() > 0 and surveys["nps"].null_count() > 0
    assert (surveys["ticket_id"].is_not_null() | surveys["order_id"].is_not_null()).all()


def test_nothing_after_as_of(tables, tickets, events, surveys, truth):
    end = AS_OF.isoformat()
    assert tables["orders"]["order_date"].max() < end
    assert tables["customers"]["created_at"].max() < end
    assert events["event_time"].max() < datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert surveys["survey_date"].cast(pl.String).max() < end
    opened = tickets["opened_at"].str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC")
    assert opened.max() < datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert truth["entities"]["churn_date"].drop_nulls().max() < AS_OF


def test_tickets_resolution(tickets):
    open_ = tickets["status"] == "open"
    assert (tickets["resolved_at"].is_null() == open_).all()
    t = tickets.filter(~open_).with_columns(
        pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC") for c in ("opened_at", "resolved_at"))
    hours = ((t["resolved_at"] - t["opened_at"]).dt.total_seconds() / 3600).to_numpy()
    assert (hours > 0).all()
    by_type = t.with_columns(pl.Series("h", hours)).group_by("type").agg(pl.col("h").median())
    med = dict(by_type.iter_rows())
    assert med["consultation"] < med["repair"] < med["complaint"]
    assert set(tickets["opened_at"].str.slice(19).unique()) <= {"+08:00", "Z"}


# --- truth covers everything -----------------------------------------------------

def test_truth_covers_every_record_exactly_once(tables, crm, tickets, surveys, events, registry, truth):
    ids = {
        "erp_customers": tables["customers"]["cust_no"],
        "crm_contacts": crm["联系人编号"],
        "service_tickets": tickets["ticket_id"],
        "surveys": surveys["response_id"],
        "campaign_events": events["event_id"].cast(pl.String),
        "company_registry": pl.Series([r["uscc"] for r in registry]),
        "erp_orders": tables["orders"]["order_id"].cast(pl.String),
    }
    records = truth["records"]
    assert records.select("source", "record_id").is_duplicated().sum() == 0
    assert set(records["source"].unique()) == set(ids)
    for source, file_ids in ids.items():
        rec = _records(truth, source)
        assert rec.height == file_ids.len() == file_ids.n_unique(), source
        assert set(rec["record_id"]) == set(file_ids), source
        if source != "company_registry":
            assert rec["entity_id"].null_count() == 0, source
    known = set(truth["entities"]["entity_id"])
    assert set(records["entity_id"].drop_nulls()) <= known
    # every entity is somewhere in the ERP or the CRM
    crm_erp = records.filter(pl.col("source").is_in(["erp_customers", "crm_contacts"]))
    assert set(crm_erp["entity_id"]) == known
    # registry: customers plus non-customers
    reg = _records(truth, "company_registry")
    assert reg["entity_id"].null_count() > 0 and reg["entity_id"].is_not_null().sum() > 0


def test_orders_reference_customers_of_the_same_entity(tables, truth):
    orders, items = tables["orders"], tables["order_items"]
    assert set(orders["cust_no"]) <= set(tables["customers"]["cust_no"])
    cust_entity = dict(_records(truth, "erp_customers").select("record_id", "entity_id").iter_rows())
    order_entity = dict(_records(truth, "erp_orders").select("record_id", "entity_id").iter_rows())
    assert all(cust_entity[c] == order_entity[str(o)] for o, c in orders.select("order_id", "cust_no").iter_rows())
    sums = items.group_by("order_id").agg(pl.col("amount").sum().alias("s"))
    joined = orders.join(sums, on="order_id", how="left")
    assert joined["s"].null_count() == 0
    assert ((joined["total_amount"] - joined["s"]).abs() < 0.005).all()
    assert ((items["amount"] - items["quantity"] * items["unit_price"]).abs() < 0.005).all()
    assert set(items["product_id"]) <= set(tables["products"]["product_id"])
    assert 150 <= tables["products"].height <= 250
    assert set(orders["status"].unique()) == {"paid", "cancelled", "refunded"}
    assert 0.02 < (orders["status"] != "paid").mean() < 0.09
    assert set(orders["currency"].unique()) <= {"CNY", "USD", "GBP", "AUD"}
    assert (orders["currency"] == "CNY").mean() > 0.6


# --- noise --------------------------------------------------------------------

@pytest.mark.parametrize("source,field,kind,attr", [
    ("erp_customers", "phone", "phone_format", "phone_format"),
    ("erp_customers", "birth_date", "date_format", "date_format"),
    ("erp_customers", "full_name", "typo", "typo"),
    ("erp_customers", "full_name", "pinyin", "pinyin"),
    ("erp_customers", "email", "email_case", "email_case"),
    ("erp_customers", "address_line1", "missing", "missing"),
    ("crm_contacts", "phone", "fullwidth_digits", "fullwidth_digits"),
    ("crm_contacts", "province", "province_format", "province_format"),
    ("service_tickets", "phone", "phone_format", "phone_format"),
])
def test_noise_rate_matches_configuration(out, truth, source, field, kind, attr):
    counts = json.loads((out / "truth" / "manifest.json").read_text())["noise_counts"][f"{source}|{field}|{kind}"]
    applied = len(_noise(truth, source, field, kind))
    assert applied == counts["applied"]
    rate = getattr(NoiseRates(), attr)
    n = counts["eligible"]
    assert n > 100
    tolerance = 4 * math.sqrt(rate * (1 - rate) / n) + 0.005
    assert abs(applied / n - rate) < tolerance, (applied, n, rate)


def test_noise_is_visible_in_the_data(tables, crm, tickets, truth):
    cust = tables["customers"]
    for col, field in (("mobile", "phone"), ("tel", "tel"), ("id_number", "id_number")):
        flagged = _noise(truth, "erp_customers", field, "fullwidth_digits")
        values = cust.filter(pl.col("cust_no").is_in(list(flagged)))[col]
        assert values.len() == len(flagged) > 0
        assert values.str.contains(FULLWIDTH.pattern).all()
    clean = cust.filter(~pl.col("cust_no").is_in(list(_noise(truth, "erp_customers", "phone", "fullwidth_digits"))))
    assert not clean["mobile"].drop_nulls().str.contains(FULLWIDTH.pattern).any()

    # domain typos: the domain differs from the entity's real one, known misspellings where one exists
    ent_email = dict(truth["entities"].select("entity_id", "email").iter_rows())
    owner = dict(_records(truth, "erp_customers").select("record_id", "entity_id").iter_rows())
    flagged = _noise(truth, "erp_customers", "email", "email_domain_typo")
    assert flagged
    for cust_no, email in cust.filter(pl.col("cust_no").is_in(list(flagged))).select("cust_no", "email").iter_rows():
        real = ent_email[owner[cust_no]].split("@")[1]
        seen = email.lower().split("@")[1]
        assert seen != real
        if real in DOMAIN_TYPOS:
            assert seen == DOMAIN_TYPOS[real]

    typo_rows = cust.filter(pl.col("cust_no").is_in(list(_noise(truth, "erp_customers", "birth_date", "date_format"))))
    assert not typo_rows["birthday"].str.contains(r"^\d{4}-\d{2}-\d{2}$").any()
    missing = _noise(truth, "erp_customers", "email", "missing")
    assert cust.filter(pl.col("cust_no").is_in(list(missing)))["email"].null_count() == len(missing)
    pinyin = _noise(truth, "crm_contacts", "full_name", "pinyin")
    names = crm.filter(pl.col("联系人编号").is_in(list(pinyin)))["姓名"]
    assert names.len() and names.str.contains(r"^[A-Za-z .,]+$").all()
    fw_tickets = _noise(truth, "service_tickets", "phone", "fullwidth_digits")
    assert tickets.filter(pl.col("ticket_id").is_in(list(fw_tickets)))["phone"].str.contains(FULLWIDTH.pattern).all()


def test_phone_spellings_parse_back_to_the_truth(tables, truth):
    """Formatting noise changes spelling, not the number: clean records parse to the entity's E.164."""
    cust = tables["customers"].filter(pl.col("cust_type") == "P")
    owner = dict(_records(truth, "erp_customers").select("record_id", "entity_id").iter_rows())
    phone = dict(truth["entities"].select("entity_id", "phone").iter_rows())
    country = dict(truth["entities"].select("entity_id", "country").iter_rows())
    dirty = set().union(*(_noise(truth, "erp_customers", "phone", k)
                          for k in ("changed_phone", "landline", "fullwidth_digits")))
    checked = 0
    for cust_no, mobile in cust.select("cust_no", "mobile").iter_rows():
        if mobile is None or cust_no in dirty:
            continue
        e = owner[cust_no]
        parsed = phonenumbers.parse(mobile, country[e])
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone[e]
        checked += 1
    assert checked > 500
    valid = [phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in truth["entities"]["phone"].to_list()]
    assert np.mean(valid) > 0.99


# --- hard negatives -------------------------------------------------------------

def test_common_names_are_shared_by_different_people(truth):
    persons = truth["entities"].filter(pl.col("kind") == "person")
    top = persons.group_by("full_name").agg(pl.col("entity_id").n_unique().alias("n")).sort("n", descending=True)
    assert top["n"][0] >= 3
    assert persons.filter(pl.col("family_name").str.len_chars() == 2).height > 0  # 欧阳, 司马 ...


def test_households_share_address_and_landline(tables, truth):
    ent = truth["entities"].filter(pl.col("household_id").is_not_null())
    assert ent.height > 0.2 * truth["entities"].filter(pl.col("kind") == "person").height
    moved = _noise(truth, "erp_customers", "address_line1", "moved_address")
    tel_noise = set().union(*(_noise(truth, "erp_customers", "tel", k)
                              for k in ("fullwidth_digits", "missing", "phone_format")))
    rows = (tables["customers"]
            .join(_records(truth, "erp_customers").rename({"record_id": "cust_no"}), on="cust_no")
            .join(ent.select("entity_id", "household_id"), on="entity_id")
            .filter(~pl.col("cust_no").is_in(list(moved | tel_noise)) & pl.col("street").is_not_null()
                    & pl.col("tel").is_not_null()))
    shared = rows.group_by("household_id", "city", "street", "street_number", "tel").agg(
        pl.col("entity_id").n_unique().alias("people"))
    assert shared.filter(pl.col("people") >= 2).height > 0


def test_company_spellings_vary_but_registry_is_official(tables, truth, registry):
    official = {r["uscc"]: r["company_name"] for r in registry}
    ent = truth["entities"].filter((pl.col("kind") == "company") & (pl.col("script") == "zh"))
    assert set(ent["id_number"]) <= set(official)
    assert all(official[u] == n for u, n in ent.select("id_number", "company_name").iter_rows())
    companies = tables["customers"].filter(pl.col("cust_type") == "C")
    assert (companies["name"] == companies["company"]).all()
    variant = _noise(truth, "erp_customers", "company_name", "company_variant")
    spelled = set(companies.filter(pl.col("cust_no").is_in(list(variant)))["name"])
    assert spelled and not spelled <= set(ent["company_name"])
    assert len(registry) > ent.height  # non-customers too


# --- identifiers ------------------------------------------------------------------

def test_check_digits(tables, truth, registry):
    assert registry and all(uscc.is_valid(r["uscc"]) for r in registry)
    zh_people = truth["entities"].filter((pl.col("kind") == "person") & (pl.col("script") == "zh"))
    assert zh_people["id_number"].null_count() == 0
    assert all(ric.is_valid(x) for x in zh_people["id_number"])
    noised = set().union(*(_noise(truth, "erp_customers", "id_number", k) for k in ("typo", "fullwidth_digits")))
    ids = (tables["customers"].filter((pl.col("cust_type") == "P") & ~pl.col("cust_no").is_in(list(noised)))
           ["id_number"].drop_nulls())
    assert ids.len() > 500 and all(ric.is_valid(x) for x in ids)
    typo_ids = _noise(truth, "erp_customers", "id_number", "typo")
    typo = tables["customers"].filter(pl.col("cust_no").is_in(list(typo_ids)))
    assert not all(ric.is_valid(x) for x in typo["id_number"])


# --- behaviour ----------------------------------------------------------------------

def test_bgnbd_churn(tables, truth):
    ent = truth["entities"]
    churned = ent.filter(pl.col("churned"))
    assert 0.1 * N < churned.height < 0.6 * N
    assert churned["churn_date"].null_count() == 0
    assert ent.filter(~pl.col("churned"))["churn_date"].null_count() == N - churned.height
    orders = (tables["orders"].with_columns(pl.col("order_id").cast(pl.String))
              .join(_records(truth, "erp_orders").rename({"record_id": "order_id"}), on="order_id")
              .join(churned.select("entity_id", "churn_date"), on="entity_id"))
    assert orders.height > 0
    assert (orders["order_date"].str.slice(0, 10).str.to_date() <= orders["churn_date"]).all()
    per_entity = _records(truth, "erp_orders").group_by("entity_id").len()
    assert per_entity["len"].max() > 10 and per_entity["len"].median() < 5  # heavy-tailed frequency


def test_campaign_funnel(events):
    e = events.with_columns(pl.coalesce("email", "phone").alias("contact"))
    first = e.group_by("campaign_id", "contact", "event_type").agg(pl.col("event_time").min())
    wide = first.pivot("event_type", index=["campaign_id", "contact"], values="event_time")
    for earlier, later in (("sent", "open"), ("open", "click"), ("click", "convert")):
        has_later = wide.filter(pl.col(later).is_not_null())
        assert has_later[earlier].null_count() == 0
        assert (has_later[earlier] < has_later[later]).all()
    n = wide.select(pl.col(c).is_not_null().sum() for c in ("sent", "open", "click", "convert")).row(0)
    assert 0.15 < n[1] / n[0] < 0.35
    assert 0.07 < n[2] / n[1] < 0.25
    assert 0.02 < n[3] / n[2] < 0.2
    assert (events.filter(pl.col("channel") == "email")["email"].is_not_null()).all()


def test_unhappy_customers_churn_more(surveys, tickets, truth):
    resp = (surveys.join(_records(truth, "surveys").rename({"record_id": "response_id"}), on="response_id")
            .join(truth["entities"].select("entity_id", "churned"), on="entity_id"))
    means = dict(resp.group_by("churned").agg(pl.col("csat").mean()).iter_rows())
    assert means[True] < means[False]
    tk = (tickets.join(_records(truth, "service_tickets").rename({"record_id": "ticket_id"}), on="ticket_id")
          .join(truth["entities"].select("entity_id", "churned"), on="entity_id"))
    share = dict(tk.group_by("churned").agg((pl.col("type") == "complaint").mean()).iter_rows())
    assert share[True] > share[False]


def test_cross_references_point_to_the_same_entity(tables, tickets, surveys, truth):
    owner = {s: dict(_records(truth, s).select("record_id", "entity_id").iter_rows())
             for s in ("erp_customers", "service_tickets", "erp_orders", "surveys")}
    looked_up = tickets.filter(pl.col("cust_no").is_not_null())
    assert looked_up.height > 0
    assert all(owner["erp_customers"][c] == owner["service_tickets"][t]
               for t, c in looked_up.select("ticket_id", "cust_no").iter_rows())
    for rid, tid, oid in surveys.select("response_id", "ticket_id", "order_id").iter_rows():
        ref = owner["service_tickets"][tid] if tid is not None else owner["erp_orders"][str(oid)]
        assert ref == owner["surveys"][rid]


def test_failed_run_leaves_no_staging_folder(tmp_path):
    def boom(message: str) -> None:
        if message.startswith("CRM"):  # after erp.sqlite started writing in the background
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        generate(tmp_path, customers=300, seed=1, as_of=AS_OF, progress=boom)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        generate(tmp_path, customers=0)


# --- shards -------------------------------------------------------------------

def test_shards_share_one_catalogue_and_campaigns_and_number_on(landing, shard_customers, tables, events, truth):
    out, summary = landing
    manifest = json.loads((out / "truth" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["customers"] == N and manifest["rows_per_file"] == summary.rows_per_file
    if shard_customers is None:
        assert "shards" not in manifest
        return
    assert manifest["shards"] == [667, 667, 666]
    assert tables["products"]["product_id"].is_unique().all()
    assert events.group_by("campaign_id").agg(pl.col("campaign_name").n_unique()).get_column("campaign_name").max() == 1
    assert truth["entities"]["entity_id"].to_list() == [f"E{i:07d}" for i in range(1, N + 1)]
    # a household lives in one shard: its members' entity numbers fall in one shard's range
    number = pl.col("entity_id").str.slice(1).cast(pl.Int64)
    shard_of = truth["entities"].drop_nulls("household_id").select(
        "household_id", ((number > 667).cast(pl.Int8) + (number > 1334).cast(pl.Int8)).alias("shard"))
    assert shard_of.group_by("household_id").agg(pl.col("shard").n_unique()).get_column("shard").max() == 1
    assert shard_of.get_column("shard").n_unique() == 3
    counts = {name: v["applied"] for name, v in manifest["noise_counts"].items()}
    assert sum(counts.values()) == truth["noise"].height


def test_one_shard_is_the_whole_generation(tmp_path):
    """Up to shard_customers customers nothing changes: the same files as before shards existed."""
    generate(tmp_path / "a", customers=300, seed=3, as_of=AS_OF)
    generate(tmp_path / "b", customers=300, seed=3, as_of=AS_OF, shard_customers=300)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
