"""Customer segments: RFM scores and segments, value tier, lifecycle stage, tags, company categories.

Pure Polars over frames keyed by golden customer (the marts assets build them from the
warehouse). Everything is relative to one snapshot instant, ``as_of``: orders, tickets and
surveys at or after it are ignored, so a past snapshot can be rebuilt exactly. The seeds ask for
tiers (002 §15), tags (002 §3), lifecycle stages (002 §10) and categories by industry, size
and region (002 §3).

Input frames (extra columns are ignored):
- customers: golden_id, customer_kind ('person'|'company'), first_seen_at (UTC, nullable),
  industry, company_size, province, country
- orders: golden_id, order_id, ordered_at (UTC), status ('paid'|'cancelled'|'refunded'), amount (CNY)
- tickets: golden_id, ticket_id, ticket_type ('consultation'|'complaint'|'repair'), opened_at,
  resolved_at (nullable)
- churn (optional): golden_id, risk_band ('high'|'medium'|'low')

Thresholds come in a SegmentSettings the caller builds (`SegmentSettings.from_config(config)` for
the pipeline's), and Chinese provinces reach their regions through a mapping the caller parses
from the reference table (`province_regions`): this module imports nothing from assets or pipelines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import polars as pl

CUSTOMER_INPUT = ("golden_id", "customer_kind", "first_seen_at", "industry", "company_size", "province", "country")
ORDER_INPUT = ("golden_id", "order_id", "ordered_at", "status", "amount")
TICKET_INPUT = ("golden_id", "ticket_id", "ticket_type", "opened_at", "resolved_at")
CHURN_INPUT = ("golden_id", "risk_band")

VALUE_TIERS = ("VIP", "important", "ordinary")
LIFECYCLE_STAGES = ("potential", "new", "active", "loyal", "at_risk", "lost")
TAGS = ("VIP", "potential", "high_risk", "complainer", "open_ticket")
REGIONS_CN = ("华北", "东北", "华东", "华中", "华南", "西南", "西北")

_US = 86_400_000_000  # microseconds in a day
QUINTILES = (0.2, 0.4, 0.6, 0.8)

# SegmentSettings field -> the constant of pipelines/config.py (Marts block) that sets it in the pipeline
CONFIG_NAMES = {
    "rfm_score_cuts": "RFM_SCORE_CUTS", "tier_spend_window_days": "TIER_SPEND_WINDOW_DAYS",
    "vip_min_spend_cny": "VIP_MIN_SPEND_CNY", "vip_top_share": "VIP_TOP_SHARE",
    "vip_min_tenure_days": "VIP_MIN_TENURE_DAYS", "important_min_spend_cny": "IMPORTANT_MIN_SPEND_CNY",
    "important_top_share": "IMPORTANT_TOP_SHARE", "important_min_tenure_days": "IMPORTANT_MIN_TENURE_DAYS",
    "new_days": "LIFECYCLE_NEW_DAYS", "loyal_min_orders": "LIFECYCLE_LOYAL_MIN_ORDERS",
    "loyal_min_tenure_days": "LIFECYCLE_LOYAL_MIN_TENURE_DAYS",
    "loyal_max_recency_days": "LIFECYCLE_LOYAL_MAX_RECENCY_DAYS", "at_risk_days": "LIFECYCLE_AT_RISK_DAYS",
    "at_risk_gap_multiple": "LIFECYCLE_AT_RISK_GAP_MULTIPLE", "at_risk_min_days": "LIFECYCLE_AT_RISK_MIN_DAYS",
    "lost_days": "LIFECYCLE_LOST_DAYS", "complaint_window_days": "COMPLAINT_WINDOW_DAYS",
    "complainer_min_complaints": "COMPLAINER_MIN_COMPLAINTS",
}


@dataclass(frozen=True)
class SegmentSettings:
    """Thresholds of tiers, lifecycle and tags; the pipeline's are in pipelines/config.py (Marts block)."""

    rfm_score_cuts: tuple[float, ...]
    tier_spend_window_days: int
    vip_min_spend_cny: float
    vip_top_share: float
    vip_min_tenure_days: int
    important_min_spend_cny: float
    important_top_share: float
    important_min_tenure_days: int
    new_days: int
    loyal_min_orders: int
    loyal_min_tenure_days: int
    loyal_max_recency_days: int
    at_risk_days: int
    at_risk_gap_multiple: float
    at_risk_min_days: int
    lost_days: int
    complaint_window_days: int
    complainer_min_complaints: int

    @classmethod
    def from_config(cls, source: object) -> SegmentSettings:
        """The settings named in CONFIG_NAMES, read from ``source`` (the pipelines.config module)."""
        return cls(**{name: getattr(source, constant) for name, constant in CONFIG_NAMES.items()})

    def __post_init__(self) -> None:
        cuts = self.rfm_score_cuts
        if len(cuts) != 4 or list(cuts) != sorted(cuts) or not all(0 < c <= 1 for c in cuts):
            raise ValueError(f"rfm_score_cuts must be four ascending cut points in (0, 1] (scores 1-5), got {cuts}")
        if not self.at_risk_days < self.lost_days:
            raise ValueError("at_risk_days must be shorter than lost_days")


SEGMENT_COLUMNS: dict[str, str] = {
    "golden_id": "Golden customer id (core.golden_customer).",
    "customer_kind": "person or company.",
    "as_of": "Snapshot instant (UTC): only orders and tickets before it count.",
    "first_order_at": "First paid order (UTC); null if the customer never bought.",
    "last_order_at": "Latest paid order (UTC); null if the customer never bought.",
    "recency_days": "Whole days from the latest paid order to as_of.",
    "frequency": "Paid orders before as_of (0 for customers who never bought).",
    "monetary_cny": "Sum of paid order amounts in CNY before as_of (0 for customers who never bought).",
    "r_score": "Recency score 1-5 among buyers, 5 = most recent: 1 + number of cut points (quintiles by "
               "default) at or below the percent rank of last_order_at; equal values share their mean rank.",
    "f_score": "Frequency score 1-5 among buyers, 5 = most orders; binned like r_score.",
    "m_score": "Monetary score 1-5 among buyers, 5 = highest spend; binned like r_score.",
    "fm_score": "Mean of f_score and m_score rounded half up: the vertical axis of the RFM segment grid.",
    "rfm_code": "r_score, f_score and m_score as three digits, e.g. '545'.",
    "rfm_segment": "Named RFM segment from the recency x frequency/monetary grid (Champions ... Lost); "
                   "null for customers who never bought.",
    "tenure_days": "Whole days since the customer was first seen (the earlier of first_seen_at and the "
                   "first paid order); null if neither is known.",
    "recent_spend_cny": "Paid spend in CNY over the value-tier window before as_of (365 days by default).",
    "spend_top_share": "Share of the window's spenders who spent more than this customer (0 = top spender); "
                       "null without spend in the window.",
    "value_tier": "VIP / important / ordinary (客户分级): VIP needs the VIP tenure and either the VIP spend "
                  "or a place in the top VIP share of spenders; important likewise with its own thresholds; "
                  "everyone else, including customers who never bought, is ordinary.",
    "avg_days_between_orders": "Mean days between consecutive paid orders (first to last over orders - 1); "
                               "null with fewer than two orders.",
    "lifecycle_stage": "potential (never bought), lost, at_risk, new, loyal or active; exactly one per "
                       "customer, decided in that order (see models/segments.py lifecycle_stage).",
    "recent_complaints": "Complaint tickets opened in the complaint window before as_of (90 days by default).",
    "open_tickets": "Tickets opened before as_of and not resolved by then.",
    "churn_risk_band": "Risk band from the churn model (high/medium/low) when one was given; else null.",
    "tags": "Tags (标签): VIP, potential (never bought), high_risk (churn band high, or lifecycle at_risk "
            "or lost when the churn model has no band), complainer (complaints in the window), open_ticket.",
    "industry_category": "Industry of a company customer; null for persons.",
    "size_category": "Company size (micro/small/medium/large) of a company customer; null for persons.",
    "region": "Region: for China the seven geographic regions (华北 东北 华东 华中 华南 西南 西北) from the "
              "province; otherwise the ISO country code; null when unknown.",
}


# ---- snapshot and input handling ----------------------------------------------------------------

def as_of_instant(as_of: date | datetime) -> datetime:
    """The snapshot instant in UTC: a date means the end of that day (everything on it counts)."""
    if isinstance(as_of, datetime):
        return as_of.replace(tzinfo=timezone.utc) if as_of.tzinfo is None else as_of.astimezone(timezone.utc)
    return datetime.combine(as_of + timedelta(days=1), time(), tzinfo=timezone.utc)


def require_columns(frame: pl.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} frame lacks column(s) {', '.join(missing)}; has {', '.join(frame.columns)}")


def to_utc(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Datetime columns in time zone 'UTC' (naive ones are taken as UTC).

    Polars 2 does not compare 'Etc/UTC' (what DuckDB hands over) with 'UTC', so every datetime
    input is brought to one zone before it meets the snapshot instant.
    """
    exprs = []
    for c in columns:
        dtype = frame.schema[c]
        if isinstance(dtype, pl.Datetime):
            col = pl.col(c).dt.cast_time_unit("us")
            exprs.append((col.dt.replace_time_zone("UTC") if dtype.time_zone is None
                          else col.dt.convert_time_zone("UTC")).alias(c))
        elif dtype == pl.Null:
            exprs.append(pl.col(c).cast(pl.Datetime("us", "UTC")))
        else:
            raise TypeError(f"column {c} must be a datetime, got {dtype}")
    return frame.with_columns(exprs)


def amount_in_cny(amount: pl.Expr, currency: pl.Expr, rates: Mapping[str, float]) -> pl.Expr:
    """An amount converted to CNY at fixed rates (the pipeline's: config.FX_TO_CNY); unknown currencies give null."""
    rate = currency.str.to_uppercase().replace_strict(dict(rates), default=None, return_dtype=pl.Float64)
    return amount.cast(pl.Float64) * rate


def _days(expr: pl.Expr) -> pl.Expr:
    return (expr.dt.total_microseconds() / _US).floor().cast(pl.Int64)


def _paid_orders(orders: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    require_columns(orders, "orders", ORDER_INPUT)
    typed = orders.select(ORDER_INPUT).with_columns(pl.col("golden_id", "order_id", "status").cast(pl.String),
                                                    pl.col("amount").cast(pl.Float64))
    return (to_utc(typed, "ordered_at")
            .filter(pl.col("status") == "paid", pl.col("ordered_at") < as_of, pl.col("golden_id").is_not_null())
            .unique(["golden_id", "order_id"], keep="first", maintain_order=True))


def _order_summary(paid: pl.DataFrame, as_of: datetime, window_days: int | None) -> pl.DataFrame:
    """Per buyer: first and last order, frequency, spend and, with a window, the spend inside it."""
    window_start = as_of - timedelta(days=window_days or 0)
    recent = pl.col("amount").cast(pl.Float64).filter(pl.col("ordered_at") >= window_start).sum()
    return (paid.group_by("golden_id")
            .agg(first_order_at=pl.col("ordered_at").min(),
                 last_order_at=pl.col("ordered_at").max(),
                 frequency=pl.len().cast(pl.Int64),
                 monetary_cny=pl.col("amount").cast(pl.Float64).sum(),
                 recent_spend_cny=recent if window_days is not None else pl.lit(None, dtype=pl.Float64))
            .with_columns(recency_days=_days(pl.lit(as_of) - pl.col("last_order_at")),
                          avg_days_between_orders=pl.when(pl.col("frequency") > 1).then(
                              (pl.col("last_order_at") - pl.col("first_order_at")).dt.total_microseconds()
                              / _US / (pl.col("frequency") - 1)))
            .sort("golden_id"))


# ---- RFM ------------------------------------------------------------------------------------------

# Recency score (columns, R = 1..5) by frequency/monetary score (rows, FM = 5..1). This is the
# widely used 5x5 RFM grid with recency on one axis and the mean of the frequency and monetary
# scores on the other (the R and FM ranges of Putler's "RFM Analysis For Successful Customer
# Segmentation"). Putler's ranges overlap, so each cell takes the segment of the common cell map
# (Guillaume Martin, "Customer Segmentation with RFM", 2019, drawn there on R x F: Champions
# R 5 / 4-5, Loyal 3-4 / 4-5, Can't lose 1-2 / 5, At risk 1-2 / 3-4, Need attention 3 / 3,
# Potential loyalists 4-5 / 2-3, About to sleep 3 / 1-2, Promising 4 / 1, New 5 / 1,
# Hibernating 1-2 / 1-2), and Putler's Lost takes the bottom-left cell (R 1, FM 1) from Hibernating.
RFM_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("Can't lose them", "Can't lose them", "Loyal customers", "Loyal customers", "Champions"),
    4: ("At risk", "At risk", "Loyal customers", "Loyal customers", "Champions"),
    3: ("At risk", "At risk", "Need attention", "Potential loyalists", "Potential loyalists"),
    2: ("Hibernating", "Hibernating", "About to sleep", "Potential loyalists", "Potential loyalists"),
    1: ("Lost", "Hibernating", "About to sleep", "Promising", "New customers"),
}
RFM_SEGMENTS = ("Champions", "Loyal customers", "Potential loyalists", "New customers", "Promising",
                "Need attention", "About to sleep", "At risk", "Can't lose them", "Hibernating", "Lost")
_RFM_CELL = {r * 10 + fm: RFM_GRID[fm][r - 1] for fm in RFM_GRID for r in range(1, 6)}


def quantile_score(expr: pl.Expr, cuts: tuple[float, ...] = QUINTILES) -> pl.Expr:
    """Score 1..len(cuts)+1 from the percent rank of a value in its frame (higher value, higher score).

    percent rank = (rank - 1) / (n - 1), 0 when n = 1, where equal values share their group's mean
    rank; the score is 1 + the number of cuts at or below it. With distinct values and the default
    cuts these are plain quintiles (DuckDB: ``least(5, 1 + floor(5 * percent_rank() over (order
    by x)))``). A tie group lands where its middle falls, so heavy ties stay deterministic and
    don't all sink to the lowest score (one order vs two orders keep different F scores).
    """
    rank = expr.rank("average").cast(pl.Float64)
    n = pl.len().cast(pl.Float64)
    pct = pl.when(n > 1).then((rank - 1) / (n - 1)).otherwise(0.0)
    return (pl.sum_horizontal([(pct >= c).cast(pl.Int8) for c in cuts]) + 1).cast(pl.Int8)


def fm_score(f_score: pl.Expr, m_score: pl.Expr) -> pl.Expr:
    """Mean of the F and M scores rounded half up (F=3, M=4 gives 4)."""
    return ((f_score.cast(pl.Int16) + m_score.cast(pl.Int16) + 1) // 2).cast(pl.Int8)


def rfm_segment(r_score: pl.Expr, f_score: pl.Expr, m_score: pl.Expr) -> pl.Expr:
    """The RFM_GRID cell of (R, FM): every combination of 1-5 scores names exactly one segment."""
    cell = r_score.cast(pl.Int16) * 10 + fm_score(f_score, m_score)
    return cell.replace_strict(_RFM_CELL, return_dtype=pl.String)


def _rfm_scores(summary: pl.DataFrame, cuts: tuple[float, ...]) -> pl.DataFrame:
    scored = summary.with_columns(
        r_score=quantile_score(pl.col("last_order_at"), cuts),
        f_score=quantile_score(pl.col("frequency"), cuts),
        m_score=quantile_score(pl.col("monetary_cny"), cuts),
    )
    r, f, m = pl.col("r_score"), pl.col("f_score"), pl.col("m_score")
    return scored.with_columns(fm_score=fm_score(f, m), rfm_code=pl.concat_str(r, f, m),
                               rfm_segment=rfm_segment(r, f, m))


def rfm(orders: pl.DataFrame, as_of: date | datetime, cuts: tuple[float, ...] = QUINTILES) -> pl.DataFrame:
    """RFM per customer with at least one paid order before as_of (others have no row).

    recency_days, frequency (paid orders), monetary_cny (their sum), r/f/m scores by
    ``quantile_score`` (R on the last order's timestamp: later is higher), fm_score, rfm_code and
    rfm_segment from ``RFM_GRID``.
    """
    at = as_of_instant(as_of)
    summary = _order_summary(_paid_orders(orders, at), at, None)
    return _rfm_scores(summary, cuts).select(
        "golden_id", "first_order_at", "last_order_at", "recency_days", "frequency", "monetary_cny",
        "r_score", "f_score", "m_score", "fm_score", "rfm_code", "rfm_segment")


# ---- value tier and lifecycle ---------------------------------------------------------------------

def _customer_input(customers: pl.DataFrame) -> pl.DataFrame:
    """The customer columns used here, typed (an all-null column arrives as Null), one row per id."""
    require_columns(customers, "customers", CUSTOMER_INPUT)
    typed = customers.select(CUSTOMER_INPUT).with_columns(pl.col(*(c for c in CUSTOMER_INPUT if c != "first_seen_at"))
                                                          .cast(pl.String))
    return to_utc(typed, "first_seen_at").unique("golden_id", keep="first", maintain_order=True)


def _base(customers: pl.DataFrame, summary: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Every customer with its order summary (zeros for non-buyers) and tenure."""
    base = _customer_input(customers).join(summary, on="golden_id", how="left").with_columns(
        pl.col("frequency").fill_null(0), pl.col("monetary_cny").fill_null(0.0),
        pl.col("recent_spend_cny").fill_null(0.0))
    since = pl.min_horizontal("first_seen_at", "first_order_at")
    return base.with_columns(tenure_days=_days(pl.lit(as_of) - since).clip(lower_bound=0))


def _tier_exprs(s: SegmentSettings) -> list[pl.Expr]:
    spend = pl.col("recent_spend_cny")
    spender = spend > 0
    # customers who spent more / spenders; non-spenders rank below every spender, so they don't count
    ahead = (spend.rank("min", descending=True) - 1).cast(pl.Float64)
    share = pl.when(spender).then(ahead / spender.sum().cast(pl.Float64))
    tenure = pl.col("tenure_days").fill_null(-1)
    vip = (tenure >= s.vip_min_tenure_days) & spender & (
        (spend >= s.vip_min_spend_cny) | (pl.col("spend_top_share") < s.vip_top_share))
    important = (tenure >= s.important_min_tenure_days) & spender & (
        (spend >= s.important_min_spend_cny) | (pl.col("spend_top_share") < s.important_top_share))
    return [share.alias("spend_top_share"),
            pl.when(vip).then(pl.lit("VIP")).when(important).then(pl.lit("important"))
            .otherwise(pl.lit("ordinary")).alias("value_tier")]


def _with_tier(base: pl.DataFrame, s: SegmentSettings) -> pl.DataFrame:
    share, tier = _tier_exprs(s)
    return base.with_columns(share).with_columns(tier)


def _lifecycle_expr(s: SegmentSettings) -> pl.Expr:
    """First matching rule wins: potential, lost, at_risk, new, loyal, active."""
    recency = pl.col("recency_days")
    since_first = _days(pl.col("as_of") - pl.col("first_order_at"))
    gap_overdue = (pl.col("avg_days_between_orders").is_not_null()
                   & (recency > s.at_risk_min_days)
                   & (recency > s.at_risk_gap_multiple * pl.col("avg_days_between_orders")))
    loyal = ((pl.col("frequency") >= s.loyal_min_orders) & (pl.col("tenure_days") >= s.loyal_min_tenure_days)
             & (recency <= s.loyal_max_recency_days))
    return (pl.when(pl.col("frequency") == 0).then(pl.lit("potential"))
            .when(recency > s.lost_days).then(pl.lit("lost"))
            .when((recency > s.at_risk_days) | gap_overdue).then(pl.lit("at_risk"))
            .when(since_first <= s.new_days).then(pl.lit("new"))
            .when(loyal).then(pl.lit("loyal"))
            .otherwise(pl.lit("active"))
            .alias("lifecycle_stage"))


def _prepare(customers: pl.DataFrame, orders: pl.DataFrame, as_of: datetime, s: SegmentSettings) -> pl.DataFrame:
    summary = _order_summary(_paid_orders(orders, as_of), as_of, s.tier_spend_window_days)
    return _base(customers, summary, as_of).with_columns(as_of=pl.lit(as_of))


def value_tier(customers: pl.DataFrame, orders: pl.DataFrame, as_of: date | datetime,
               settings: SegmentSettings) -> pl.DataFrame:
    """VIP / important / ordinary for every customer, from spend over a trailing window and tenure.

    VIP: tenure >= vip_min_tenure_days and window spend > 0 and (spend >= vip_min_spend_cny or
    fewer than vip_top_share of the window's spenders spent more); important: the same test with
    the important_* thresholds; ordinary: everyone else. The absolute spend keeps the tier stable
    as the base grows; the top share keeps it meaningful when prices or the base change.
    """
    at = as_of_instant(as_of)
    tiered = _with_tier(_prepare(customers, orders, at, settings), settings)
    return tiered.select("golden_id", "tenure_days", "recent_spend_cny", "spend_top_share", "value_tier")


def lifecycle_stage(customers: pl.DataFrame, orders: pl.DataFrame, as_of: date | datetime,
                    settings: SegmentSettings) -> pl.DataFrame:
    """Exactly one lifecycle stage per customer; the first rule that holds decides.

    1. potential: known, no paid order before as_of (潜在客户)
    2. lost: no purchase for more than lost_days
    3. at_risk: no purchase for more than at_risk_days, or (repeat buyers) for more than
       at_risk_gap_multiple x their mean gap between orders, once past at_risk_min_days
    4. new: first purchase at most new_days ago
    5. loyal: at least loyal_min_orders orders, tenure >= loyal_min_tenure_days and a purchase
       within loyal_max_recency_days
    6. active: every other buyer
    """
    at = as_of_instant(as_of)
    staged = _prepare(customers, orders, at, settings).with_columns(_lifecycle_expr(settings))
    return staged.select("golden_id", "recency_days", "frequency", "avg_days_between_orders", "tenure_days",
                         "lifecycle_stage")


# ---- tags -----------------------------------------------------------------------------------------

def ticket_counts(tickets: pl.DataFrame | None, as_of: datetime, complaint_window_days: int) -> pl.DataFrame:
    """Per customer: complaints opened in the window before as_of, tickets still open at as_of."""
    schema = {"golden_id": pl.String, "recent_complaints": pl.Int64, "open_tickets": pl.Int64}
    if tickets is None or tickets.is_empty():
        return pl.DataFrame(schema=schema)
    require_columns(tickets, "tickets", TICKET_INPUT)
    typed = tickets.select(TICKET_INPUT).with_columns(pl.col("golden_id", "ticket_id", "ticket_type").cast(pl.String))
    t = to_utc(typed, "opened_at", "resolved_at").filter(
        pl.col("golden_id").is_not_null(), pl.col("opened_at") < as_of
    ).unique("ticket_id", keep="first", maintain_order=True)
    window_start = as_of - timedelta(days=complaint_window_days)
    return t.group_by("golden_id").agg(
        recent_complaints=((pl.col("ticket_type") == "complaint") & (pl.col("opened_at") >= window_start)).sum()
        .cast(pl.Int64),
        open_tickets=(pl.col("resolved_at").is_null() | (pl.col("resolved_at") >= as_of)).sum().cast(pl.Int64),
    ).cast(schema)


def tags(segments: pl.DataFrame, churn: pl.DataFrame | None, settings: SegmentSettings) -> pl.DataFrame:
    """Tags per customer from a frame with golden_id, value_tier, lifecycle_stage, recent_complaints
    and open_tickets; adds churn_risk_band and tags (a list, in the order of TAGS).

    high_risk comes from the churn model's band when it has one for the customer, else from the
    lifecycle (at_risk or lost), so the tag exists before the churn model is trained.
    """
    if churn is not None:
        require_columns(churn, "churn", CHURN_INPUT)
        bands = churn.select("golden_id", pl.col("risk_band").cast(pl.String).alias("churn_risk_band")).unique(
            "golden_id", keep="first", maintain_order=True)
    else:
        bands = pl.DataFrame(schema={"golden_id": pl.String, "churn_risk_band": pl.String})
    framed = segments.drop("churn_risk_band", strict=False).join(bands, on="golden_id", how="left")
    high_risk = (pl.when(pl.col("churn_risk_band").is_not_null()).then(pl.col("churn_risk_band") == "high")
                 .otherwise(pl.col("lifecycle_stage").is_in(["at_risk", "lost"])))
    conditions = {
        "VIP": pl.col("value_tier") == "VIP",
        "potential": pl.col("lifecycle_stage") == "potential",
        "high_risk": high_risk,
        "complainer": pl.col("recent_complaints").fill_null(0) >= settings.complainer_min_complaints,
        "open_ticket": pl.col("open_tickets").fill_null(0) > 0,
    }
    # joined and split rather than concat_list + drop_nulls: the same list, ten times faster
    joined = pl.concat_str([pl.when(conditions[t]).then(pl.lit(t)) for t in TAGS], separator=",", ignore_nulls=True)
    listed = pl.when(joined == "").then(pl.lit([], dtype=pl.List(pl.String))).otherwise(joined.str.split(","))
    return framed.with_columns(tags=listed)


# ---- company categories ---------------------------------------------------------------------------

def _cn_region_of(code: int) -> str:
    """GB/T 2260 province code -> the seven geographic regions (台湾 with 华东, 港澳 with 华南)."""
    if code < 20:
        return "华北"
    if code < 30:
        return "东北"
    if code < 40 or code == 71:
        return "华东"
    if code < 44:
        return "华中"
    if code < 50 or code >= 80:
        return "华南"
    if code < 60:
        return "西南"
    return "西北"


def province_regions(reference: str) -> dict[str, str]:
    """Every spelling of a Chinese province (name, aliases, CN-XX) -> its region, from the reference
    table's lines "<GB/T 2260 code> <ISO code> <full name> <alias|alias...>"
    (assets/standardize/reference/regions.py CN_PROVINCES)."""
    mapping: dict[str, str] = {}
    for line in reference.strip().splitlines():
        code, iso, full, aliases = line.split(" ", 3)
        region_name = _cn_region_of(int(code))
        for name in (full, f"CN-{iso}", *aliases.split("|")):
            mapping[name.strip().lower()] = region_name
    return mapping


def region(province: pl.Expr, country: pl.Expr, provinces: Mapping[str, str]) -> pl.Expr:
    """China: the province's geographic region (``provinces``: `province_regions`); elsewhere the ISO
    country code; null when unknown. A province that is Chinese counts when the country is CN or missing.
    """
    cn_region = province.cast(pl.String).str.strip_chars().str.to_lowercase().replace_strict(
        dict(provinces), default=None, return_dtype=pl.String)
    code = country.cast(pl.String).str.strip_chars().str.to_uppercase()
    return (pl.when(code.is_null() | (code == "CN")).then(cn_region)
            .otherwise(code))


def company_categories(customers: pl.DataFrame, provinces: Mapping[str, str]) -> pl.DataFrame:
    """Industry, size and region categories (分类管理, seeds 002 §3).

    Industry and size are kept for companies only; region is given for every customer.
    """
    company = pl.col("customer_kind") == "company"
    return _customer_input(customers).select(
        "golden_id",
        industry_category=pl.when(company).then(pl.col("industry")),
        size_category=pl.when(company).then(pl.col("company_size")),
        region=region(pl.col("province"), pl.col("country"), provinces),
    )


# ---- the mart -------------------------------------------------------------------------------------

def customer_segments(customers: pl.DataFrame, orders: pl.DataFrame, tickets: pl.DataFrame | None,
                      as_of: date | datetime, churn: pl.DataFrame | None = None, *,
                      settings: SegmentSettings, provinces: Mapping[str, str] | None = None) -> pl.DataFrame:
    """One row per golden customer (including those who never bought) with every column of
    SEGMENT_COLUMNS, in that order. Orders of golden ids not among the customers are ignored.
    Without ``provinces`` (`province_regions`) a Chinese customer's region is unknown.
    """
    at = as_of_instant(as_of)
    paid = _paid_orders(orders, at)
    summary = _rfm_scores(_order_summary(paid, at, settings.tier_spend_window_days), settings.rfm_score_cuts)
    base = _base(customers, summary, at).with_columns(as_of=pl.lit(at))
    staged = _with_tier(base, settings).with_columns(_lifecycle_expr(settings))
    counts = ticket_counts(tickets, at, settings.complaint_window_days)
    staged = staged.join(counts, on="golden_id", how="left").with_columns(
        pl.col("recent_complaints").fill_null(0), pl.col("open_tickets").fill_null(0))
    tagged = tags(staged, churn, settings)
    categories = company_categories(customers, provinces or {})
    return tagged.join(categories, on="golden_id", how="left").select(list(SEGMENT_COLUMNS)).sort("golden_id")
