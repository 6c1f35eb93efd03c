"""Marketing consent: what the generator's sources state (CRM 营销同意/同意时间, ERP mkt_consent/_at), and
sql/customer_consent.sql, which decides each golden customer's consent from its records' statements."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from pipelines import warehouse as wh
from pipelines.generator import generate

AS_OF = date(2026, 11, 1)
CRM_FMT, ERP_FMT = "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S"
CST = timedelta(hours=8)  # the generator's ERP and CRM clocks are naive China Standard Time


# --- (a) the generator -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("consent")
    generate(out, customers=300, seed=3, as_of=AS_OF)
    crm = pl.read_csv((out / "crm_contacts.csv").read_bytes().decode("gbk").encode(), infer_schema=False)
    con = sqlite3.connect(out / "erp.sqlite")
    try:
        erp = pl.read_database("SELECT * FROM customers", con, infer_schema_length=None)
    finally:
        con.close()
    truth = {name: pl.read_parquet(out / "truth" / f"{name}.parquet") for name in ("entities", "records")}
    return out, crm, erp, truth


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def test_crm_consent_time_follows_the_consent_column_and_lies_within_the_record(generated):
    _, crm, _, _ = generated
    assert crm.columns[crm.columns.index("营销同意") + 1] == "同意时间"
    assert set(crm["营销同意"].fill_null("").unique()) <= {"是", "否", ""}
    assert crm.filter(_blank("营销同意") != _blank("同意时间")).is_empty()
    stated = crm.filter(~_blank("营销同意")).select(
        pl.col(c).str.to_datetime(CRM_FMT).alias(c) for c in ("同意时间", "创建时间", "更新时间"))
    assert stated.height > 0.7 * crm.height
    assert stated.filter((pl.col("同意时间") < pl.col("创建时间")) | (pl.col("同意时间") > pl.col("更新时间"))).is_empty()
    assert stated["同意时间"].max() < datetime.combine(AS_OF, datetime.min.time())


def test_erp_consent_columns_are_y_n_or_null_and_dated_within_the_record(generated):
    _, _, erp, _ = generated
    assert erp.columns[-2:] == ["mkt_consent", "mkt_consent_at"]
    assert set(erp["mkt_consent"].unique().to_list()) <= {"Y", "N", None}
    assert (erp["mkt_consent"].is_null() == erp["mkt_consent_at"].is_null()).all()
    assert 0.15 < erp["mkt_consent"].null_count() / erp.height < 0.45  # older rows were never asked
    stated = erp.drop_nulls("mkt_consent").select(
        pl.col(c).str.to_datetime(ERP_FMT).alias(c) for c in ("mkt_consent_at", "created_at", "updated_at"))
    assert stated.filter((pl.col("mkt_consent_at") < pl.col("created_at"))
                         | (pl.col("mkt_consent_at") > pl.col("updated_at"))).is_empty()
    assert stated["mkt_consent_at"].max() < datetime.combine(AS_OF, datetime.min.time())
    never_asked = erp.with_columns(old=pl.col("created_at") < pl.col("created_at").sort().gather(erp.height // 2)).group_by("old").agg(
        pl.col("mkt_consent").is_null().mean().alias("share"))
    shares = dict(never_asked.iter_rows())
    assert shares[True] > shares[False]


def _statements(crm: pl.DataFrame, erp: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Every stated consent of a record as (entity_id, source, value, at)."""
    return pl.concat([
        crm.filter(~_blank("营销同意")).select(
            pl.lit("crm_contacts").alias("source"), pl.col("联系人编号").alias("record_id"),
            (pl.col("营销同意") == "是").alias("value"), pl.col("同意时间").str.to_datetime(CRM_FMT, time_unit="ms").alias("at")),
        erp.drop_nulls("mkt_consent").select(
            pl.lit("erp_customers").alias("source"), pl.col("cust_no").alias("record_id"),
            (pl.col("mkt_consent") == "Y").alias("value"),
            pl.col("mkt_consent_at").str.to_datetime(ERP_FMT, time_unit="ms").alias("at")),
    ]).join(records, on=["source", "record_id"])


def test_truth_consent_is_the_latest_statement_of_the_entitys_records(generated):
    _, crm, erp, truth = generated
    statements = _statements(crm, erp, truth["records"])
    latest = (statements.sort(["entity_id", "at", "value"], descending=[False, True, False])
              .unique("entity_id", keep="first").select("entity_id", pl.col("value").alias("want"),
                                                        pl.col("at").alias("want_at")))
    entities = truth["entities"].join(latest, on="entity_id", how="left")
    assert entities.schema["consent"] == pl.Boolean and entities.schema["consent_at"].is_temporal()
    assert entities.filter(pl.col("consent").ne_missing(pl.col("want"))
                           | pl.col("consent_at").ne_missing(pl.col("want_at"))).is_empty()
    assert 0 < entities["consent"].null_count() < entities.height  # some never stated one
    # people change their minds: in some entities the records disagree, and then the newer one counts
    mixed = statements.group_by("entity_id").agg(pl.col("value").n_unique().alias("values")).filter(pl.col("values") > 1)
    assert mixed.height >= 1


# --- (b) customer_consent.sql on hand-made records ---------------------------------------------------

def _rec(source: str, consent: str | None = None, at: str | None = None, updated: str | None = None,
         attributes: bool = True) -> tuple:
    attrs = json.dumps({"marketing_consent": consent, "marketing_consent_at": at}, ensure_ascii=False) if attributes else None
    return source, attrs, updated


UTC = "+00"
CASES = {
    # golden customer: (its records, expected (marketing_consent, consent_at in UTC, consent_source))
    "chinese_yes": ([_rec("crm_contacts", "是", "2024/05/01 10:00")], (True, "2024-05-01 02:00:00", "crm_contacts")),
    "chinese_no": ([_rec("crm_contacts", "否", "2024/05/01 10:00")], (False, "2024-05-01 02:00:00", "crm_contacts")),
    "erp_y": ([_rec("erp_customers", "Y", "2024-05-01 10:00:00")], (True, "2024-05-01 02:00:00", "erp_customers")),
    "erp_n_untrimmed_lower": ([_rec("erp_customers", " n ", "2024-05-01 10:00:00")],
                              (False, "2024-05-01 02:00:00", "erp_customers")),
    "later_withdrawal_wins": ([_rec("erp_customers", "Y", "2023-01-01 09:00:00"), _rec("crm_contacts", "否", "2024/06/01 09:00")],
                              (False, "2024-06-01 01:00:00", "crm_contacts")),
    "later_opt_in_wins": ([_rec("crm_contacts", "否", "2023/01/01 09:00"), _rec("erp_customers", "Y", "2024-06-01 09:00:00")],
                          (True, "2024-06-01 01:00:00", "erp_customers")),
    "dated_beats_undated_from_a_newer_record": (
        [_rec("erp_customers", "Y", None, "2026-10-01 00:00:00" + UTC), _rec("crm_contacts", "否", "2024/01/01 08:00")],
        (False, "2024-01-01 00:00:00", "crm_contacts")),
    "undated_dated_by_the_records_update": ([_rec("erp_customers", "yes", None, "2025-01-01 00:00:00" + UTC)],
                                            (True, "2025-01-01 00:00:00", "erp_customers")),
    "two_undated_the_later_update_wins": (
        [_rec("erp_customers", "N", "", "2024-01-01 00:00:00" + UTC), _rec("crm_contacts", "是", None, "2025-01-01 00:00:00" + UTC)],
        (True, "2025-01-01 00:00:00", "crm_contacts")),
    "unreadable_date_is_undated": (
        [_rec("crm_contacts", "是", "last spring", "2026-01-01 00:00:00" + UTC), _rec("erp_customers", "N", "2020-01-01")],
        (False, "2019-12-31 16:00:00", "erp_customers")),
    "unknown_value_ignored": ([_rec("crm_contacts", "maybe", "2026/01/01 00:00"), _rec("erp_customers", "Y", "2024-01-01 08:00:00")],
                              (True, "2024-01-01 00:00:00", "erp_customers")),
    "same_time_no_beats_yes": ([_rec("crm_contacts", "是", "2024/03/03 12:00"), _rec("erp_customers", "N", "2024-03-03 12:00:00")],
                               (False, "2024-03-03 04:00:00", "erp_customers")),
    "date_only_formats": ([_rec("crm_contacts", "否", "2024/05/02"), _rec("erp_customers", "Y", "2024-05-01")],
                          (False, "2024-05-01 16:00:00", "crm_contacts")),
    "other_spellings_yes": ([_rec("crm_contacts", " 同意 ", "2024/01/01 08:00"), _rec("erp_customers", "OPT-IN", "2023-01-01")],
                            (True, "2024-01-01 00:00:00", "crm_contacts")),
    "other_spellings_no": ([_rec("crm_contacts", "不同意", "2024/01/01 08:00"), _rec("erp_customers", "True", "2023-01-01")],
                           (False, "2024-01-01 00:00:00", "crm_contacts")),
    "no_statement": ([_rec("crm_contacts", "", "", "2024-01-01 00:00:00" + UTC), _rec("erp_customers", None, None),
                      _rec("service_tickets", attributes=False)], (False, None, None)),
    "no_records_at_all": ([], (False, None, None)),
}


@pytest.fixture(scope="module")
def consent_table(tmp_path_factory):
    con = wh.connect(tmp_path_factory.mktemp("consent_sql") / "w.duckdb")
    wh.ensure_schemas(con)
    wh.execute(con, """
        CREATE TABLE staging.customer_records(source VARCHAR, record_id VARCHAR, attributes VARCHAR,
                                              updated_at TIMESTAMPTZ, created_at TIMESTAMPTZ);
        CREATE TABLE core.customer_xref(source VARCHAR, record_id VARCHAR, golden_id VARCHAR);
        CREATE TABLE core.golden_customer(golden_id VARCHAR);
    """)
    records, xref = [], []
    for golden_id, (recs, _) in CASES.items():
        for i, (source, attributes, updated) in enumerate(recs):
            record_id = f"{golden_id}-{i}"
            records.append((source, record_id, attributes, updated, "2020-01-01 00:00:00+00"))
            xref.append((source, record_id, golden_id))
    con.executemany("INSERT INTO staging.customer_records VALUES (?, ?, ?, ?, ?)", records)
    con.executemany("INSERT INTO core.customer_xref VALUES (?, ?, ?)", xref)
    con.executemany("INSERT INTO core.golden_customer VALUES (?)", [(g,) for g in CASES])
    try:
        yield wh.fetch_frame(con, wh.load_sql("customer_consent"))
    finally:
        con.close()


def test_one_row_per_golden_customer_with_the_promised_columns(consent_table):
    assert consent_table.columns == ["golden_id", "marketing_consent", "consent_at", "consent_source"]
    assert consent_table.schema["marketing_consent"] == pl.Boolean
    assert consent_table.schema["consent_at"] == pl.Datetime("us")
    assert sorted(consent_table["golden_id"]) == sorted(CASES)


@pytest.mark.parametrize("golden_id", list(CASES))
def test_the_deciding_statement(consent_table, golden_id):
    consent, at, source = CASES[golden_id][1]
    row = consent_table.filter(pl.col("golden_id") == golden_id).row(0, named=True)
    assert (row["marketing_consent"], row["consent_at"], row["consent_source"]) == (
        consent, datetime.fromisoformat(at) if at else None, source)


# --- (c) end to end against the generator's truth ---------------------------------------------------

@pytest.fixture(scope="module")
def end_to_end(tmp_path_factory):
    from pipelines.run import run_pipeline

    root = tmp_path_factory.mktemp("consent_e2e")
    generate(root / "landing", customers=600, seed=11, as_of=AS_OF)
    run = run_pipeline(root / "landing", root / "warehouse.duckdb", date(2026, 11, 2), ephemeral_instance=True)
    assert run.success, run.errors
    con = wh.connect(root / "warehouse.duckdb", read_only=True)
    try:
        decided = wh.fetch_frame(con, wh.load_sql("customer_consent"))
        xref = wh.fetch_frame(con, "SELECT source, record_id, golden_id FROM core.customer_xref")
    finally:
        con.close()
    truth = {name: pl.read_parquet(root / "landing" / "truth" / f"{name}.parquet") for name in ("entities", "records")}
    return decided, xref, truth


def test_consent_agrees_with_the_truth_for_customers_resolved_whole(end_to_end):
    decided, xref, truth = end_to_end
    one_golden = (truth["records"].join(xref, on=["source", "record_id"])
                  .group_by("entity_id").agg(pl.col("golden_id").n_unique().alias("n"), pl.col("golden_id").first())
                  .filter(pl.col("n") == 1))
    compared = (truth["entities"].rename({"consent_at": "truth_at"}).join(one_golden, on="entity_id")
                .join(decided, on="golden_id").with_columns(pl.col("consent").fill_null(False)))
    agreement = (compared["consent"] == compared["marketing_consent"]).mean()
    print(f"\nconsent agreement: {agreement:.4f} of {compared.height} entities resolved to one golden customer "
          f"(of {truth['entities'].height})")
    assert compared.height > 0.9 * truth["entities"].height
    assert agreement >= 0.95
    # and mostly at the same time: the truth's clock is China Standard Time, the SQL's UTC
    dated = compared.filter(pl.col("consent") == pl.col("marketing_consent")).drop_nulls(["truth_at", "consent_at"])
    assert dated.height > 0.5 * compared.height
    assert ((dated["truth_at"].cast(pl.Datetime("us")) - CST) == dated["consent_at"]).mean() >= 0.95
