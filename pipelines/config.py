"""Every setting in one place, read from the environment with defaults that run out of the box.

Secrets (an ERP URL with a password) come only from the environment, never from files.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_LANDING = "CRM360_LANDING"
ENV_WAREHOUSE = "CRM360_WAREHOUSE"
ENV_ERP_URL = "CRM360_ERP_URL"
ENV_ALERT_WEBHOOK = "CRM360_ALERT_WEBHOOK"  # Slack-compatible incoming webhook for run and check failures
ENV_DAGSTER_URL = "CRM360_DAGSTER_URL"  # the Dagster UI the alerts link to (default http://localhost:3000)
# Privacy. With CRM360_ENCRYPTION_KEY (32 bytes, base64; `crm360 keygen` makes one) exports and snapshots
# are written encrypted and the warehouse file is kept encrypted while no run holds it. CRM360_HASH_KEY
# keys the hashes of masked exports and of the erasure log (any long random string).
ENV_ENCRYPTION_KEY = "CRM360_ENCRYPTION_KEY"
ENV_HASH_KEY = "CRM360_HASH_KEY"
ENV_DUCKDB_MEMORY = "CRM360_DUCKDB_MEMORY"  # DuckDB's memory limit, e.g. 6GB (default: DUCKDB_MEMORY_SHARE of RAM)
# DuckDB spills joins, sorts and temporary tables to disk past this share of the machine's memory,
# leaving the rest to Polars in the same process (DuckDB's own default, 80 %, leaves too little).
DUCKDB_MEMORY_SHARE = 0.4


def duckdb_memory_limit() -> str:
    if os.environ.get(ENV_DUCKDB_MEMORY):
        return os.environ[ENV_DUCKDB_MEMORY]
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{int(total * DUCKDB_MEMORY_SHARE) // 2**20}MB"

DEFAULT_LANDING = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEMO_CUSTOMERS = 20_000

# DuckDB allows one writer per file: every asset that writes the warehouse shares this pool,
# whose limit of 1 is set in the instance's dagster.yaml (pipelines/dagster.yaml).
WAREHOUSE_POOL = "duckdb_warehouse"
PARTITIONS_START = "2024-01-01"
SCHEDULE_HOUR = 2  # 02:00 daily in SCHEDULE_TIMEZONE, after the nightly exports land
SCHEDULE_TIMEZONE = "Asia/Shanghai"


def landing_path() -> Path:
    return Path(os.environ.get(ENV_LANDING) or DEFAULT_LANDING)


def warehouse_path() -> Path:
    return Path(os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE)


def exports_path(warehouse: Path | None = None) -> Path:
    if os.environ.get(ENV_EXPORTS):
        return Path(os.environ[ENV_EXPORTS])
    return Path(warehouse or warehouse_path()).parent / "exports"


def default_erp_url(landing: Path | None = None) -> str:
    """The demo ERP is the SQLite database the generator writes into the landing folder."""
    return f"sqlite:///{((landing or landing_path()) / 'erp.sqlite').resolve()}"

# Quality gating. Every check has a severity: "error" stops its asset from being published and
# skips everything downstream (the last good tables stay; `crm360 run` exits 1); "warn" is reported
# and the run goes on. Each check declares one; entries here override it, by check name (on every
# asset) or by "<schema>.<table>.<check>" (on one), e.g. {"quarantine_share": "error",
# "raw.crm_contacts.columns_stable": "warn"}. A run overrides again in the launchpad:
#   resources: {quality: {config: {severities: {quarantine_share: error}}}}
CHECK_SEVERITY: dict[str, str] = {}
# Where checks draw the line, by check name (overridable per run: resources: quality: config: thresholds).
CHECK_THRESHOLDS: dict[str, float] = {
    "row_count_change": 0.25,  # warn: a source's rows move by more than this share against the last good run
    "row_count_drop": 0.25,  # error: golden customers or a mart lose more than this share of their rows
    "quarantine_share": 0.05,  # warn: more than this share of a source's records quarantined
    "cluster_size": 50,  # warn: a golden customer of more records (a chain of weak matches)
    "source_freshness": 48,  # warn: a source's newest file or ERP change is older than this many hours
    "raw.erp_products.source_freshness": 24 * 90,  # the catalogue changes seldom
    "raw.company_registry.source_freshness": 24 * 45,  # a bought registry, refreshed monthly
}

# ---- Exports for BI and other consumers (assets/exports) ----------------------------------------
# Each successful run writes exports/<date>/<consumer>/ beside the warehouse (or under CRM360_EXPORTS),
# with manifest.json, and moves exports/latest/<consumer> only once the whole set is written and checked.
ENV_EXPORTS = "CRM360_EXPORTS"
EXPORT_FORMATS = ("parquet",)  # add "csv" for tools that read nothing else
EXPORT_KEEP_DAYS = 14  # dated export folders kept; older ones are removed after a successful export
_CUSTOMER_TABLES = ["core.golden_customer", "marts.customer_segment", "marts.customer_clv",
                    "marts.customer_churn_risk", "marts.customer_satisfaction", "marts.customer_360"]
_SUMMARY_TABLES = ["marts.satisfaction_by_segment_month", "marts.clv_diagnostics", "marts.churn_model_card"]
# masking: kind of personal data (assets/exports/consumers.py PERSONAL_COLUMNS) -> keep, hash (keyed,
# CRM360_HASH_KEY), year, family_initial, initial or drop. consent_only: customers whose latest
# marketing-consent statement is yes.
EXPORT_CONSUMERS: dict[str, dict] = {
    "analyst": {"description": "Analysts: the golden customers and every mart, unmasked.",
                "tables": _CUSTOMER_TABLES + _SUMMARY_TABLES},
    "bi": {"description": "BI dashboards: every mart; contacts and id numbers as keyed hashes, names as family "
                          "name and initial, birth dates as the year, no street address or postcode.",
           "tables": _CUSTOMER_TABLES + _SUMMARY_TABLES,
           "masking": {"email": "hash", "phone": "hash", "id_number": "hash", "name": "family_initial",
                       "given_name": "initial", "birth_date": "year", "street": "drop", "postcode": "drop"}},
    "marketing": {"description": "Marketing: customers who consented to marketing (their latest statement), with "
                                 "contacts and segments; no id number, birth dates as the year.",
                  "tables": ["core.golden_customer", "marts.customer_segment", "marts.customer_clv",
                             "marts.customer_churn_risk"],
                  "masking": {"id_number": "drop", "birth_date": "year"}, "consent_only": True},
}
# Snapshots of the warehouse after each successful run (crm360 restore), under <warehouse dir>/backups.
BACKUP_KEEP = 7

# Customer data health (quality.customer_data_health): a record not updated for longer is stale.
HEALTH_STALE_DAYS = 365

# Entity resolution. A pair is merged when its match probability reaches MATCH_THRESHOLD; the
# probability comes from a model fitted on each run's own data, so the default needs no tuning.
MATCH_THRESHOLD = 0.9
MAX_BLOCK_SIZE = 300  # records sharing one blocking key; larger blocks are skipped and reported
# Incremental resolution scores a day's records with the stored match model; the model is refitted
# (and everything re-resolved) when this share of records is new, changed or gone since it was fitted,
# or when it is older than REFIT_DAYS.
REFIT_SHARE = 0.10
REFIT_DAYS = 28
# Survivorship: a golden field takes the value of the most trusted source that has one, then the
# most recent, then the most complete record.
SOURCE_TRUST = {"company_registry": 50, "erp_customers": 40, "crm_contacts": 30, "service_tickets": 20}
# Sources that describe a customer without being a relationship with it (a registry's dates are a
# company's founding, not when it became a customer): left out of first_seen_at.
REFERENCE_SOURCES = ("company_registry",)

# ---- Marts: segments, value tiers, lifecycle, satisfaction ------------------------------------
# Read by models/segments.py and models/satisfaction.py (their SegmentSettings /
# SatisfactionSettings take these as defaults). Amounts are in CNY; windows in days before as_of.
FX_TO_CNY = {"CNY": 1.0, "USD": 7.1, "GBP": 9.0, "AUD": 4.7}  # order currency -> CNY per unit
# RFM: a score is 1 + the number of these cut points at or below the customer's percent rank
# (0 = lowest value, 1 = highest); four cuts give the 1-5 scores the segment grid is defined on.
RFM_SCORE_CUTS = (0.2, 0.4, 0.6, 0.8)  # quintiles
# Value tier (客户分级, seeds 002 §15) from paid spend over a trailing window and tenure.
TIER_SPEND_WINDOW_DAYS = 365
VIP_MIN_SPEND_CNY = 10_000.0  # about the top 1% of the demo's buyers in a year
VIP_TOP_SHARE = 0.05  # ... or among the top 5% of the window's spenders
VIP_MIN_TENURE_DAYS = 365
IMPORTANT_MIN_SPEND_CNY = 2_000.0
IMPORTANT_TOP_SHARE = 0.20
IMPORTANT_MIN_TENURE_DAYS = 90
# Lifecycle (生命周期, seeds 002 §10).
LIFECYCLE_NEW_DAYS = 90  # first purchase at most this long ago
LIFECYCLE_LOYAL_MIN_ORDERS = 3
LIFECYCLE_LOYAL_MIN_TENURE_DAYS = 365
LIFECYCLE_LOYAL_MAX_RECENCY_DAYS = 90
LIFECYCLE_AT_RISK_DAYS = 180  # no purchase for longer than this ...
LIFECYCLE_AT_RISK_GAP_MULTIPLE = 2.0  # ... or than this many of the customer's usual gaps
LIFECYCLE_AT_RISK_MIN_DAYS = 60  # (the gap rule applies only past this many days)
LIFECYCLE_LOST_DAYS = 365
# Tags (标签, seeds 002 §3).
COMPLAINT_WINDOW_DAYS = 90
COMPLAINER_MIN_COMPLAINTS = 1
# Satisfaction (满意度, seeds 002 §12): the trend compares the last window with everything before.
SATISFACTION_TREND_DAYS = 90
SATISFACTION_TREND_MIN_CSAT = 0.5  # change of the mean 1-5 rating that counts as improving/declining
SATISFACTION_TREND_MIN_NPS = 1.0  # change of the mean 0-10 rating, used when there is no CSAT trend
# ---- end of Marts settings --------------------------------------------------------------------

# CLV (marts.customer_clv): BG/NBD + Gamma-Gamma on paid orders in CNY, by day.
CLV_HORIZON_DAYS = 365
CLV_DISCOUNT_RATE_ANNUAL = 0.10
CLV_HOLDOUT_DAYS = 180  # the diagnostics fit on the data before as_of minus this and predict the rest

# Churn (marts.customer_churn_risk): the label is no paid order within CHURN_HORIZON_DAYS of a
# cutoff; the model trains on CHURN_TRAINING_CUTOFFS cutoffs spaced CHURN_CUTOFF_SPACING_DAYS apart,
# is tested on a later one, and is stored under the models folder (default: next to the warehouse).
ENV_MODELS = "CRM360_MODELS"
CHURN_HORIZON_DAYS = 90
CHURN_TRAINING_CUTOFFS = 3
CHURN_CUTOFF_SPACING_DAYS = 90
CHURN_MAX_TRAINING_ROWS = 240_000  # training snapshots are sampled down to this many rows in all
# a stored model whose last training cutoff is fewer days than this before the run's scores without
# retraining: daily runs retrain once a week, not every day (training is most of the mart's time)
CHURN_RETRAIN_DAYS = 7
