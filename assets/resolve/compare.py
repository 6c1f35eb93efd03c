"""Comparison: each candidate pair gets one level per field (exact, close, ..., different, missing).

Levels are small integers (0 = missing, counted as no evidence) so the match model can work on
the few hundred distinct comparison vectors instead of millions of pairs. Fuzzy scores come
from rapidfuzz's batch ``cpdist`` over the pairs whose values are present and differ.

Address parts are one piece of evidence: street, postcode and city form one comparison, and
for persons a shared landline counts as the same household evidence as a shared street, never
as a second, independent agreement.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

FIELD_LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("missing", "exact", "one_typo", "close", "similar", "different"),
    "birth_date": ("missing", "exact", "swapped_or_one_part", "different"),
    "gender": ("missing", "same", "different"),
    "phone": ("missing", "exact", "same_last_8_digits", "different"),
    "email": ("missing", "exact", "same_local_part", "same_company_domain", "different"),
    "address": ("missing", "street_or_landline", "street_close", "postcode", "city", "different"),
    "id_number": ("missing", "exact", "different"),
    "company": ("missing", "exact", "close", "same_brand", "different"),
    # a source's own link (a ticket's customer number): one names the other, both name the same
    # record, or one names another record of the other's source
    "link": ("missing", "names_the_other", "same_record_named", "names_another"),
}
# Fields a company pair is compared on; a company's contact person is not its identity.
ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "person": tuple(FIELD_LEVELS),
    "company": ("phone", "email", "address", "id_number", "company", "link"),
}
# Exact agreement on these is weighed by how common the agreeing value is (term frequency).
TF_FIELDS = {"name": "name_key", "phone": "phones", "email": "emails", "company": "company_key"}
PER_NAME_TF = {"phone", "email"}


def _level(field: str, name: str) -> int:
    return FIELD_LEVELS[field].index(name)


def _similarity(left: pl.Series, right: pl.Series, scorer) -> pl.Series:
    """Batch score (a similarity, or a distance) where both sides are present; null elsewhere."""
    both = (left.is_not_null() & right.is_not_null()).to_numpy()
    scores = np.full(len(left), np.nan)
    if both.any():
        idx = np.flatnonzero(both)
        scores[idx] = process.cpdist(left.gather(idx).to_list(), right.gather(idx).to_list(),
                                     scorer=scorer, workers=-1, dtype=np.float32)
    return pl.Series(scores).fill_nan(None)


def _levels(field: str, *cases: tuple[pl.Expr, str]) -> pl.Expr:
    """The first case that holds gives the level; none: missing."""
    expr = pl.lit(0, dtype=pl.Int8)
    for condition, name in reversed(cases):
        expr = pl.when(condition).then(pl.lit(_level(field, name), dtype=pl.Int8)).otherwise(expr)
    return expr.alias(field)


def _overlaps(left: str, right: str) -> pl.Expr:
    return pl.col(left).list.set_intersection(pl.col(right)).list.len() > 0


def _names_source(links: str, source: str) -> pl.Expr:
    """The record links to some record of that source."""
    return pl.col(links).list.eval(pl.element().str.extract(r"^([^:]+):", 1)).list.contains(pl.col(source))


def _present(column: str) -> pl.Expr:
    return pl.col(column).list.len() > 0


def side_by_side(prepared: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    left = prepared[pairs["rid_l"]].drop("rid")
    right = prepared[pairs["rid_r"]].drop("rid", "role")
    return pl.concat([pairs.select("rid_l", "rid_r"), left.rename(lambda c: c if c == "role" else f"{c}_l"),
                      right.rename(lambda c: f"{c}_r")], how="horizontal")


def compare(prepared: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Levels per field for ``pairs`` (rid_l, rid_r); plus the term frequency of each exact value."""
    frame = side_by_side(prepared, pairs)
    person = pl.col("role") == "person"
    # Persons: a household line both give is household evidence, compared with the address; the
    # phone comparison looks at the other numbers (and their last digits, for a number read with
    # the wrong country code).
    shared_line = pl.col("fixed_phones_l").list.set_intersection(pl.col("fixed_phones_r"))
    frame = frame.with_columns(
        pl.col(f"phones_{s}").list.set_difference(shared_line).alias(f"own_phones_{s}") for s in "lr"
    ).with_columns(
        pl.col(f"own_phones_{s}").list.eval(pl.element().str.slice(-8)).alias(f"own_tails_{s}") for s in "lr"
    ).with_columns(
        name_sim=pl.max_horizontal(
            _similarity(frame["name_key_l"], frame["name_key_r"], JaroWinkler.normalized_similarity),
            _similarity(frame["name_compact_l"], frame["name_compact_r"], JaroWinkler.normalized_similarity)),
        name_edits=_similarity(frame["name_key_l"], frame["name_key_r"], DamerauLevenshtein.distance),
        street_sim=_similarity(frame["street_key_l"], frame["street_key_r"], fuzz.ratio),
        company_sim=_similarity(frame["company_key_l"], frame["company_key_r"], fuzz.token_set_ratio),
    )
    bl, br = pl.col("birth_date_l"), pl.col("birth_date_r")
    same_parts = ((bl.dt.year() == br.dt.year()).cast(pl.Int8) + (bl.dt.month() == br.dt.month()).cast(pl.Int8)
                  + (bl.dt.day() == br.dt.day()).cast(pl.Int8))
    swapped = (bl.dt.year() == br.dt.year()) & (bl.dt.month() == br.dt.day()) & (bl.dt.day() == br.dt.month())

    def both(column: str) -> pl.Expr:
        return pl.col(f"{column}_l").is_not_null() & pl.col(f"{column}_r").is_not_null()

    def equal(column: str) -> pl.Expr:
        return pl.col(f"{column}_l") == pl.col(f"{column}_r")

    has_place = [both("street_key"), both("postcode"), both("city")]
    shared_landline = person & _overlaps("fixed_phones_l", "fixed_phones_r")
    levels = frame.select(
        "rid_l", "rid_r", "role",
        _levels("name", (~person | ~both("name_key"), "missing"), (equal("name_key"), "exact"),
                ((pl.col("name_edits") <= 1) & (pl.col("name_key_l").str.len_chars() >= 6), "one_typo"),
                (equal("phonetic_key") | (pl.col("name_sim") >= 0.92), "close"),
                (pl.col("name_sim") >= 0.8, "similar"), (pl.lit(True), "different")),
        _levels("birth_date", (~person | ~both("birth_date"), "missing"), (equal("birth_date"), "exact"),
                (swapped | (same_parts == 2), "swapped_or_one_part"), (pl.lit(True), "different")),
        _levels("gender", (~person | ~both("gender"), "missing"), (equal("gender"), "same"),
                (pl.lit(True), "different")),
        _levels("phone", (~(_present("own_phones_l") & _present("own_phones_r")), "missing"),
                (_overlaps("own_phones_l", "own_phones_r"), "exact"),
                (_overlaps("own_tails_l", "own_tails_r"), "same_last_8_digits"), (pl.lit(True), "different")),
        _levels("email", (~(_present("emails_l") & _present("emails_r")), "missing"),
                (_overlaps("emails_l", "emails_r"), "exact"),
                (_overlaps("email_locals_l", "email_locals_r"), "same_local_part"),
                (_overlaps("email_domains_l", "email_domains_r"), "same_company_domain"), (pl.lit(True), "different")),
        _levels("address", (shared_landline | (both("street_key") & equal("street_key")), "street_or_landline"),
                (pl.col("street_sim") >= 90, "street_close"),
                (both("postcode") & equal("postcode"), "postcode"),
                (both("city") & equal("city"), "city"),
                (pl.any_horizontal(has_place), "different")),
        _levels("id_number", (~both("id_number"), "missing"), (equal("id_number"), "exact"), (pl.lit(True), "different")),
        _levels("company", (~both("company_key"), "missing"), (equal("company_key"), "exact"),
                (pl.col("company_sim") >= 90, "close"), (equal("company_brand"), "same_brand"), (pl.lit(True), "different")),
        _levels("link", (pl.col("links_r").list.contains(pl.col("self_key_l"))
                         | pl.col("links_l").list.contains(pl.col("self_key_r")), "names_the_other"),
                (_overlaps("links_l", "links_r"), "same_record_named"),
                (_names_source("links_l", "source_r") | _names_source("links_r", "source_l"), "names_another")),
        # values for term-frequency adjustment of exact agreements
        pl.col("name_key_l").alias("tf_name"),
        pl.col("own_phones_l").list.set_intersection(pl.col("own_phones_r")).alias("tf_phone"),
        pl.col("emails_l").list.set_intersection(pl.col("emails_r")).alias("tf_email"),
        pl.col("company_key_l").alias("tf_company"),
    )
    return levels


def term_frequencies(prepared: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Share of each value among the role's records that have the field: value -> tf.

    A contact value (phone, email) is counted once per distinct person name (or company brand)
    using it: the same customer giving one address in three sources doesn't make it common,
    while a family mailbox or a shared switchboard, used under many names, is.
    """
    out = {}
    for field, column in TF_FIELDS.items():
        values = prepared.select("role", pl.col(column).alias("value"), "name_key", "company_brand")
        if isinstance(values.schema["value"], pl.List):
            values = values.explode("value")
        values = values.drop_nulls("value")
        # per name for persons; a company's contact rows name different people
        users = (pl.when(pl.col("role").first() == "person").then(pl.col("name_key").drop_nulls().n_unique())
                 .otherwise(pl.col("company_brand").drop_nulls().n_unique()).clip(lower_bound=1)
                 if field in PER_NAME_TF else pl.len())
        counts = values.group_by("role", "value").agg(users.cast(pl.Float64).alias("n"))
        # The holder itself is no evidence that another customer uses the value; how often a value
        # turns out to be shared at all (extra users per user) stands in for a value seen once.
        shared = counts.group_by("role").agg(((pl.col("n") - 1).sum() / pl.col("n").sum()).clip(1e-3, 1.0).alias("shared"))
        total = values.group_by("role").agg(pl.len().cast(pl.Float64).alias("total"))
        out[field] = counts.join(total, on="role").join(shared, on="role").select(
            "role", "value", ((pl.col("n") - 1 + pl.col("shared")) / pl.col("total")).alias("tf"))
    return out


def attach_term_frequencies(levels: pl.DataFrame, tfs: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Replace each tf_<field> value (or list of shared values) by the frequency of the rarest one."""
    frame = levels.with_row_index("_pair")
    for field, table in tfs.items():
        column = f"tf_{field}"
        exact = pl.col(field) == _level(field, "exact")
        values = frame.filter(exact).select("_pair", "role", pl.col(column).alias("value"))
        if isinstance(values.schema["value"], pl.List):
            values = values.explode("value")
        rarest = (values.join(table, on=["role", "value"], how="inner").group_by("_pair").agg(pl.col("tf").min()))
        frame = frame.drop(column).join(rarest.rename({"tf": column}), on="_pair", how="left")
    return frame.sort("_pair").drop("_pair")
