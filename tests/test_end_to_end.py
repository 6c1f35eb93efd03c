"""End to end on generated data: the daily job against the generator's ground truth."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.marts.activity import read_activity
from assets.resolve.evaluate import pairwise_accuracy
from pipelines import warehouse as wh
from pipelines.generator import generate
from pipelines.run import run_pipeline

FILE_SOURCES = ["erp_customers", "crm_contacts", "service_tickets", "surveys", "campaign_events", "company_registry"]
CLEAN_PHONE_NOISE = {"phone_format", "fullwidth_digits", "landline"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    summary = generate(root / "landing", customers=600, seed=11)
    run = run_pipeline(root / "landing", root / "warehouse.duckdb", date(2026, 11, 2), ephemeral_instance=True)
    con = wh.connect(root / "warehouse.duckdb", read_only=True)
    tables = {
        name: wh.fetch_frame(con, f"SELECT * FROM {name}")
        for name in ["raw.erp_customers", "raw.crm_contacts", "raw.service_tickets", "raw.surveys", "raw.campaign_events",
                     "raw.company_registry", "raw.erp_orders", "staging.customer_records", "staging.orders",
                     "quality.quarantine", "staging.customer_field_issues", "core.customer_xref", "core.golden_customer",
                     "core.household"]
    }
    tables["warehouse_path"] = root / "warehouse.duckdb"
    activity = read_activity(con)
    tables.update({f"activity.{name}": getattr(activity, name) for name in ("orders", "tickets", "surveys", "campaign_events")})
    con.close()
    truth = {name: pl.read_parquet(root / "landing" / "truth" / f"{name}.parquet") for name in ("records", "noise", "entities")}
    return summary, run, tables, truth


def test_run_succeeds_with_every_check_passing(built):
    _, run, _, _ = built
    assert run.success, run.errors
    assert not [c for c in run.checks_failed if c[2]]


def test_every_generated_record_lands_in_raw_exactly_once(built):
    summary, _, tables, truth = built
    for source in FILE_SOURCES:
        raw_ids = tables[f"raw.{source}"]["_record_id"]
        expected = truth["records"].filter(pl.col("source") == source)["record_id"]
        assert raw_ids.is_duplicated().sum() == 0, source
        assert set(raw_ids) == set(expected), source
    assert tables["raw.erp_orders"].height == summary.rows_per_file["erp.sqlite:orders"]


def test_nothing_is_lost_between_raw_and_staging(built):
    _, _, tables, _ = built
    staged = tables["staging.customer_records"].group_by("source").len()
    quarantined = tables["quality.quarantine"].filter(pl.col("asset") == "staging/customer_records").group_by("source").len()
    for source in ("erp_customers", "crm_contacts", "service_tickets", "company_registry"):
        n_staged = dict(staged.iter_rows()).get(source, 0)
        n_quarantined = dict(quarantined.iter_rows()).get(source, 0)
        assert n_staged + n_quarantined == tables[f"raw.{source}"].height, source
        assert n_quarantined <= 0.05 * tables[f"raw.{source}"].height, source


def _with_truth(built, source: str, field: str) -> pl.DataFrame:
    """Staged records of a source with their true entity, and the noise kinds applied to ``field``."""
    _, _, tables, truth = built
    noise = (truth["noise"].filter((pl.col("source") == source) & (pl.col("field") == field))
             .group_by("record_id").agg(pl.col("noise").alias("noise")))
    return (tables["staging.customer_records"].filter(pl.col("source") == source)
            .join(truth["records"].filter(pl.col("source") == source), on=["source", "record_id"])
            .join(truth["entities"], on="entity_id", suffix="_true")
            .join(noise, on="record_id", how="left")
            .with_columns(pl.col("noise").fill_null(pl.lit([], dtype=pl.List(pl.String)))))


def test_phones_written_any_way_become_the_true_e164(built):
    rows = _with_truth(built, "erp_customers", "phone").filter(
        (pl.col("kind") == "person") & pl.col("noise").list.eval(pl.element().is_in(CLEAN_PHONE_NOISE).not_()).list.any().not_())
    assert rows.height > 100
    hit = rows.select(pl.col("phones").list.contains(pl.col("phone_true")).mean()).item()
    assert hit >= 0.98


def test_emails_with_case_and_domain_typos_become_the_true_address(built):
    rows = _with_truth(built, "crm_contacts", "email").filter(
        pl.col("email_true").is_not_null() & pl.col("noise").list.set_difference(["email_case", "email_domain_typo"]).list.len().eq(0)
        & pl.col("email").is_not_null())
    assert rows.height > 100 and rows["noise"].list.len().sum() > 10
    assert rows.select((pl.col("email") == pl.col("email_true").str.to_lowercase()).mean()).item() >= 0.98


def test_birth_dates_in_any_format_become_the_true_date(built):
    rows = _with_truth(built, "crm_contacts", "birth_date").filter(
        pl.col("birth_date_true").is_not_null() & pl.col("noise").list.set_difference(["date_format"]).list.len().eq(0)
        & pl.col("birth_date").is_not_null())
    assert rows.height > 100 and rows["noise"].list.len().sum() > 10
    assert rows.select((pl.col("birth_date") == pl.col("birth_date_true")).mean()).item() >= 0.95


def test_registry_codes_validate_and_orders_stage_with_decimal_amounts(built):
    _, _, tables, _ = built
    registry = tables["staging.customer_records"].filter(pl.col("source") == "company_registry")
    assert registry["id_kind"].to_list() == ["uscc"] * registry.height
    orders = tables["staging.orders"]
    assert orders.height == tables["raw.erp_orders"].height
    assert isinstance(orders.schema["total_amount"], pl.Decimal) and orders["ordered_at"].dtype.time_zone in ("UTC", "Etc/UTC")


def test_every_staged_record_resolves_to_one_golden_customer(built):
    _, _, tables, _ = built
    xref, golden = tables["core.customer_xref"], tables["core.golden_customer"]
    assert xref.select("source", "record_id").sort("source", "record_id").equals(
        tables["staging.customer_records"].select("source", "record_id").sort("source", "record_id"))
    assert set(xref["golden_id"]) == set(golden["golden_id"])
    assert golden["record_count"].sum() == xref.height


def test_golden_customers_match_the_truth(built):
    _, _, tables, truth = built
    scores = {row["group"]: row for row in
              pairwise_accuracy(tables["core.customer_xref"], truth["records"], truth["entities"]).to_dicts()}
    # 600 customers: too few for the benchmark's targets, enough to catch a broken matcher
    assert scores["all"]["precision"] >= 0.97 and scores["all"]["recall"] >= 0.93, scores["all"]


def test_families_share_a_household_not_a_golden_id(built):
    _, _, tables, truth = built
    persons = (tables["core.customer_xref"].join(truth["records"], on=["source", "record_id"])
               .join(truth["entities"].filter(pl.col("household_id").is_not_null()), on="entity_id")
               .join(tables["core.household"], on="golden_id"))
    assert persons["household_id_right"].n_unique() > 20
    # members of one true household rarely end up in one golden customer...
    per_golden = persons.group_by("golden_id").agg(pl.col("entity_id").n_unique())
    assert (per_golden["entity_id"] > 1).sum() <= 0.02 * per_golden.height
    # ...and mostly share a household id
    together = persons.group_by("household_id").agg(pl.col("household_id_right").n_unique().alias("households"))
    assert (together["households"] == 1).mean() >= 0.8


def test_activity_reaches_its_golden_customer(built):
    _, _, tables, truth = built
    orders, surveys = tables["activity.orders"], tables["activity.surveys"]
    golden_ids = set(tables["core.golden_customer"]["golden_id"])
    # every order of a staged ERP customer, in CNY, with its customer
    assert orders.height == tables["staging.orders"].height
    assert set(orders["golden_id"]) <= golden_ids
    assert orders["amount"].min() > 0 and set(orders["currency"]) <= {"CNY", "USD", "GBP", "AUD"}
    # answers reach the customer who gave them (the truth knows who answered)
    linked = surveys.drop_nulls("golden_id")
    assert linked.height >= 0.95 * surveys.height
    answered = (linked.join(truth["records"].filter(pl.col("source") == "surveys").rename({"record_id": "response_id"}),
                             on="response_id")
                .join(tables["core.customer_xref"].join(truth["records"], on=["source", "record_id"])
                      .select("golden_id", pl.col("entity_id").alias("member")).unique(), on="golden_id"))
    right = answered.group_by("response_id").agg((pl.col("member") == pl.col("entity_id")).any())
    assert right["member"].mean() >= 0.97


def test_marts_cover_every_customer_and_document_themselves(built):
    _, _, tables, _ = built
    con = wh.connect(tables["warehouse_path"], read_only=True)
    try:
        customers = wh.fetch_value(con, "SELECT count(*) FROM core.golden_customer")
        for table in ("customer_segment", "customer_clv", "customer_satisfaction", "customer_360"):
            assert wh.fetch_value(con, f"SELECT count(DISTINCT golden_id) FROM marts.{table}") == customers, table
        undocumented = wh.fetch_rows(con, "SELECT table_name, column_name FROM duckdb_columns() "
                                          "WHERE schema_name = 'marts' AND comment IS NULL AND table_name <> 'customer_360'")
        assert undocumented == []
        tiers = dict(wh.fetch_rows(con, "SELECT value_tier, count(*) FROM marts.customer_segment GROUP BY ALL"))
        assert set(tiers) == {"VIP", "important", "ordinary"}
        assert wh.fetch_value(con, "SELECT min(churn_probability) >= 0 AND max(churn_probability) <= 1 "
                                   "FROM marts.customer_churn_risk")
        assert wh.fetch_value(con, "SELECT count(*) FROM marts.clv_diagnostics WHERE model = 'bgnbd'") == 2
    finally:
        con.close()
