"""Checks the core layer passes before it is published: every staged record resolved exactly once,
every golden customer backed by its records, no customer holding two valid id numbers."""

from __future__ import annotations

import polars as pl

from quality.results import CheckOutcome, outcome, sample_rows

KEY = ["source", "record_id"]
MATCH_RATE_MIN_RECORDS = 1000  # below this, resolving nothing together is plausible
MAX_CLUSTER_SIZE = 50  # records of one customer; more is almost always a chain of weak matches

CORE_CHECKS: dict[str, tuple[bool, str]] = {
    "xref_complete": (True, "Every staged customer record is in customer_xref exactly once, and the xref holds no record "
                            "that is not staged."),
    "cluster_size": (False, f"No golden customer gathers more than the configured number of records (default "
                            f"{MAX_CLUSTER_SIZE}; more is a sign of chained weak matches)."),
    "golden_has_members": (True, "Every golden customer has as many member records in customer_xref as its record_count "
                                 "(at least one), and every golden_id of the xref is a golden customer."),
    "golden_single_id": (True, "No golden customer's member records hold two different valid id numbers "
                               "(resident id or credit code)."),
    "golden_ids_unique": (True, "golden_id is present and unique in golden_customer."),
    "match_rate": (False, f"With {MATCH_RATE_MIN_RECORDS:,} or more staged records, some candidate pairs are matched "
                          "(none at all means the model or the blocking has failed)."),
}
# Which core table each check is reported on.
CHECK_TABLE = {"xref_complete": "customer_xref", "cluster_size": "customer_xref", "golden_has_members": "golden_customer",
               "golden_single_id": "golden_customer", "golden_ids_unique": "golden_customer", "match_rate": "match_pairs",
               "row_count_drop": "golden_customer", "gx_golden_customer": "golden_customer"}


def _outcome(name: str, passed: bool, failing_rows: int = 0, sample=None, **metadata) -> CheckOutcome:
    return outcome(CORE_CHECKS, name, passed, failing_rows, sample, **metadata)


def xref_complete(staged: pl.DataFrame, xref: pl.DataFrame) -> CheckOutcome:
    keys = staged.select(KEY).unique()
    counts = xref.group_by(KEY).agg(pl.len().alias("times_in_xref"))
    missing = keys.join(counts, on=KEY, how="anti").with_columns(
        pl.lit("missing").alias("problem"), pl.lit(0, dtype=pl.UInt32).alias("times_in_xref"))
    repeated = counts.filter(pl.col("times_in_xref") > 1).with_columns(pl.lit("repeated").alias("problem"))
    unknown = counts.join(keys, on=KEY, how="anti").with_columns(pl.lit("not_staged").alias("problem"))
    bad = pl.concat([f.select(*KEY, "problem", "times_in_xref") for f in (missing, repeated, unknown)])
    by_problem = {p: n for p, n in bad.group_by("problem").len().iter_rows()}
    per_source = bad.group_by("source", "problem").len().sort("source", "problem").rows()
    said = {"missing": "staged but not in the crosswalk", "repeated": "in the crosswalk more than once",
            "not_staged": "in the crosswalk but not staged"}
    message = "; ".join(f"{source}: {n:,} records {said[problem]}" for source, problem, n in per_source)
    return _outcome("xref_complete", bad.is_empty(), bad.height, sample_rows(bad.sort("problem", *KEY)),
                    staged_records=keys.height, xref_rows=xref.height, by_problem=by_problem, message=message or None)


def cluster_size(xref: pl.DataFrame, max_size: int = MAX_CLUSTER_SIZE) -> CheckOutcome:
    sizes = xref.group_by("golden_id").agg(pl.len().alias("records"), pl.col("source").unique().sort().alias("sources"))
    large = sizes.filter(pl.col("records") > max_size).sort("records", descending=True)
    return _outcome("cluster_size", large.is_empty(), int(large["records"].sum()), sample_rows(large),
                    largest=int(sizes["records"].max() or 0), golden_customers_over=large.height)


def golden_has_members(golden: pl.DataFrame, xref: pl.DataFrame) -> CheckOutcome:
    members = xref.group_by("golden_id").agg(pl.len().alias("members"))
    golden_counts = golden.select("golden_id", "record_count").join(members, on="golden_id", how="left").with_columns(
        pl.col("members").fill_null(0))
    without = golden_counts.filter(pl.col("members") == 0).with_columns(pl.lit("no_members").alias("problem"))
    miscounted = golden_counts.filter((pl.col("members") > 0) & (pl.col("members") != pl.col("record_count"))).with_columns(
        pl.lit("record_count_differs").alias("problem"))
    orphans = members.join(golden.select("golden_id"), on="golden_id", how="anti").with_columns(
        pl.lit(None, dtype=golden_counts.schema["record_count"]).alias("record_count"),
        pl.lit("not_in_golden_customer").alias("problem"))
    bad = pl.concat([f.select("golden_id", "problem", "record_count", pl.col("members").cast(pl.UInt32))
                     for f in (without, miscounted, orphans)])
    by_problem = {p: n for p, n in bad.group_by("problem").len().iter_rows()}
    return _outcome("golden_has_members", bad.is_empty(), bad.height, sample_rows(bad.sort("problem", "golden_id")),
                    by_problem=by_problem)


def _masked(id_number: pl.Expr) -> pl.Expr:
    """Enough of an id number to tell two apart in a sample, not enough to be one."""
    return pl.concat_str(id_number.str.slice(0, 6), pl.lit("********"), id_number.str.slice(-4))


def golden_single_id(staged: pl.DataFrame, xref: pl.DataFrame) -> CheckOutcome:
    ids = (xref.select(*KEY, "golden_id")
           .join(staged.select(*KEY, "id_number", "id_kind").filter(pl.col("id_number").is_not_null()), on=KEY))
    conflicts = (ids.group_by("golden_id")
                 .agg(pl.col("id_number").n_unique().alias("id_numbers"),
                      _masked(pl.col("id_number")).unique().sort().alias("ids_masked"),
                      pl.concat_str("source", pl.lit(":"), "record_id").sort().alias("records"))
                 .filter(pl.col("id_numbers") > 1)
                 .sort("id_numbers", "golden_id", descending=[True, False]))
    return _outcome("golden_single_id", conflicts.is_empty(), conflicts.height, sample_rows(conflicts),
                    records_with_id=ids.height)


def golden_ids_unique(golden: pl.DataFrame) -> CheckOutcome:
    counts = golden.group_by("golden_id").agg(pl.len().alias("rows"))
    bad = counts.filter((pl.col("rows") > 1) | pl.col("golden_id").is_null()).sort("rows", descending=True)
    return _outcome("golden_ids_unique", bad.is_empty(), int(bad["rows"].sum()), sample_rows(bad),
                    golden_customers=golden.height)


def match_rate(records: int, candidate_pairs: int, matched_pairs: int, merged_records: int,
               min_records: int = MATCH_RATE_MIN_RECORDS) -> CheckOutcome:
    suspicious = records >= min_records and matched_pairs == 0
    return _outcome("match_rate", not suspicious, 0, [], records=records, candidate_pairs=candidate_pairs,
                    matched_pairs=matched_pairs, merged_records=merged_records,
                    merged_share=round(merged_records / records, 4) if records else 0.0)


def core_checks(staged: pl.DataFrame, xref: pl.DataFrame, golden: pl.DataFrame, pairs: pl.DataFrame,
                candidate_pairs: int | None = None, max_cluster_size: int = MAX_CLUSTER_SIZE) -> list[CheckOutcome]:
    """Every core check, in CORE_CHECKS order; ``candidate_pairs`` defaults to the rows of ``pairs``."""
    matched = pairs.filter(pl.col("decision") == "match").height
    merged = xref.filter(pl.col("cluster_size") > 1).height
    return [
        xref_complete(staged, xref),
        cluster_size(xref, max_cluster_size),
        golden_has_members(golden, xref),
        golden_single_id(staged, xref),
        golden_ids_unique(golden),
        match_rate(staged.height, pairs.height if candidate_pairs is None else candidate_pairs, matched, merged),
    ]
