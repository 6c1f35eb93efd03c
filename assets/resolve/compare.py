"""Comparison: each candidate pair gets one level per field (exact, close, ..., different, missing).

Levels are small integers (0 = missing, counted as no evidence) so the match model can work on
the few hundred distinct comparison vectors instead of millions of pairs. Fuzzy scores come
from rapidfuzz's batch ``cpdist`` over the pairs whose values are present.

Evidence is kept in parts, so one bad field costs only its own weight: family and given name
apart (compared crosswise when written the other way round), a birth date one keystroke or a
day/month swap away, an address as house number, street, locality and postcode, identifiers
within their scheme. What one fact (or one family) would add twice is taken out in guards.py.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from assets.resolve.fields import level
from assets.resolve.guards import household_guard, number_on_its_street


def _similarity(left: pl.Series, right: pl.Series, scorer) -> pl.Series:
    """Batch score (a similarity, or a distance) where both sides are present; null elsewhere.

    Each distinct pair of values is scored once: candidate pairs repeat the same few cities,
    surnames and streets many times over, and equal values score what the scorer gives equals.
    Pairs of values are told apart by a 64-bit hash, so mapping scores back is an integer join."""
    frame = pl.DataFrame({"l": left, "r": right}, schema={"l": pl.String, "r": pl.String})
    equal = float(scorer("a", "a"))
    scores = np.where((frame["l"].is_not_null() & (frame["l"] == frame["r"])).fill_null(False).to_numpy(), equal, np.nan)
    both = (frame.with_row_index("_i")
            .filter(pl.col("l").is_not_null() & pl.col("r").is_not_null() & (pl.col("l") != pl.col("r")))
            .with_columns(pl.struct("l", "r").hash(seed=3).alias("_h")))
    if both.height:
        distinct = both.unique("_h", keep="any")
        lookup = distinct.select("_h", pl.Series("score", process.cpdist(
            distinct["l"].to_list(), distinct["r"].to_list(), scorer=scorer, workers=-1, dtype=np.float32)))
        scored = both.select("_i", "_h").join(lookup, on="_h")
        scores[scored["_i"].to_numpy()] = scored["score"].to_numpy()
    return pl.Series(scores).fill_nan(None)


def _levels(field: str, *cases: tuple[pl.Expr, str]) -> pl.Expr:
    """The first case that holds gives the level; none: missing."""
    expr = pl.lit(0, dtype=pl.Int8)
    for condition, name in reversed(cases):
        expr = pl.when(condition).then(pl.lit(level(field, name), dtype=pl.Int8)).otherwise(expr)
    return expr.alias(field)


def _overlaps(left: str, right: str) -> pl.Expr:
    return pl.col(left).list.set_intersection(pl.col(right)).list.len() > 0


def _names_source(links: str, source: str) -> pl.Expr:
    """The record links to some record of that source."""
    return pl.col(links).list.eval(pl.element().str.extract(r"^([^:]+):", 1)).list.contains(pl.col(source))


def _present(column: str) -> pl.Expr:
    return pl.col(column).list.len() > 0


# prepared columns that only blocking, term frequencies or households read
NOT_COMPARED = ("rid", "record_id", "phonetic_key", "street_key", "link_keys",
                "phone_tails")


def side_by_side(prepared: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    compared = prepared.drop(NOT_COMPARED, strict=False)
    left = compared[pairs["rid_l"]]
    right = compared[pairs["rid_r"]].drop("role")
    return pl.concat([pairs.select("rid_l", "rid_r"), left.rename(lambda c: c if c == "role" else f"{c}_l"),
                      right.rename(lambda c: f"{c}_r")], how="horizontal")


def identifier_distance(frame: pl.DataFrame, column: str) -> pl.Series:
    """Per pair, the smallest edit distance between two identifiers of one scheme (``scheme:value``
    lists ``<column>_l``/``_r``); null when the records share no scheme."""
    # only pairs where both records hold some identifier of the kind
    holding = frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_pair"), f"{column}_l", f"{column}_r").filter(
        (pl.col(f"{column}_l").list.len() > 0) & (pl.col(f"{column}_r").list.len() > 0))

    def long(side: str) -> pl.DataFrame:
        return (holding.select("_pair", pl.col(f"{column}_{side}").alias("id"))
                .explode("id").drop_nulls("id")
                .select("_pair", pl.col("id").str.extract(r"^([^:]+):", 1).alias("scheme"),
                        pl.col("id").str.replace(r"^[^:]+:", "").alias(side)))
    out = np.full(frame.height, np.nan)
    if holding.height:
        joined = long("l").join(long("r"), on=["_pair", "scheme"])
        if joined.height:
            joined = joined.with_columns(_similarity(joined["l"], joined["r"], DamerauLevenshtein.distance).alias("d"))
            best = joined.group_by("_pair").agg(pl.col("d").min())
            out[best["_pair"].to_numpy()] = best["d"].to_numpy()
    return pl.Series(out).fill_nan(None)


def _aligned_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Family and given name of the right record, swapped when they match the left record's the
    other way round better than as written ("Smith John" beside "John Smith")."""
    straight = (pl.col("family_sim").fill_null(0) + pl.col("given_sim").fill_null(0))
    crossed = (pl.col("cross_family_sim").fill_null(0) + pl.col("cross_given_sim").fill_null(0))
    swap = crossed > straight + 0.2
    return frame.with_columns(
        *(pl.when(swap).then(pl.col(f"given_{k}_r")).otherwise(pl.col(f"family_{k}_r")).alias(f"family_{k}_r")
          for k in ("key", "phonetic")),
        *(pl.when(swap).then(pl.col(f"family_{k}_r")).otherwise(pl.col(f"given_{k}_r")).alias(f"given_{k}_r")
          for k in ("key", "phonetic")),
        family_sim=pl.when(swap).then("cross_family_sim").otherwise("family_sim"),
        given_sim=pl.when(swap).then("cross_given_sim").otherwise("given_sim"),
    )


def _where(frame: pl.DataFrame, condition: pl.Expr, column: str) -> pl.Series:
    """The column where the condition holds, null elsewhere: scores are only worked out where they can matter."""
    return frame.select(pl.when(condition).then(pl.col(column)).alias(column)).to_series()


def _name_scores(frame: pl.DataFrame) -> pl.DataFrame:
    jw = JaroWinkler.normalized_similarity
    frame = frame.with_columns(
        family_sim=_similarity(frame["family_key_l"], frame["family_key_r"], jw),
        given_sim=_similarity(frame["given_key_l"], frame["given_key_r"], jw),
    )
    # written the other way round is only worth a look when the parts don't both agree as written
    unsure = ~((pl.col("family_key_l") == pl.col("family_key_r")) & (pl.col("given_key_l") == pl.col("given_key_r"))).fill_null(False)
    frame = frame.with_columns(
        cross_family_sim=_similarity(_where(frame, unsure, "family_key_l"), frame["given_key_r"], jw),
        cross_given_sim=_similarity(_where(frame, unsure, "given_key_l"), frame["family_key_r"], jw),
    )
    frame = _aligned_names(frame)
    dl = DamerauLevenshtein.distance
    # one edit apart is at least this similar; below it the edits need no counting
    return frame.with_columns(
        family_edits=_similarity(_where(frame, pl.col("family_sim") >= 0.7, "family_key_l"), frame["family_key_r"], dl),
        given_edits=_similarity(_where(frame, pl.col("given_sim") >= 0.7, "given_key_l"), frame["given_key_r"], dl),
        given_han_edits=_similarity(frame["given_han_l"], frame["given_han_r"], dl),
    )


def _name_levels(part: str, person: pl.Expr) -> pl.Expr:
    key_l, key_r = pl.col(f"{part}_key_l"), pl.col(f"{part}_key_r")
    longer = pl.max_horizontal(key_l.str.len_chars(), key_r.str.len_chars())
    field = f"{part}_name"
    typo = (pl.col(f"{part}_edits") <= 1) & (longer >= 4)
    if part == "given":  # 萍燕 / 玉燕: one character of two, though their pinyin differ in more letters
        han_l, han_r = pl.col("given_han_l"), pl.col("given_han_r")
        typo = typo | ((pl.col("given_han_edits") <= 1) & (pl.min_horizontal(han_l.str.len_chars(), han_r.str.len_chars()) >= 2))
    cases = [(~person | key_l.is_null() | key_r.is_null(), "missing"), (key_l == key_r, "exact"),
             (typo, "one_typo"),
             ((pl.col(f"{part}_sim") >= 0.92) | (pl.col(f"{part}_phonetic_l") == pl.col(f"{part}_phonetic_r")), "close")]
    if part == "given":
        short = pl.min_horizontal(key_l.str.len_chars(), key_r.str.len_chars())
        cases.append(((short == 1) & (key_l.str.slice(0, 1) == key_r.str.slice(0, 1)), "initial"))
    return _levels(field, *cases, (pl.col(f"{part}_sim") >= 0.8, "similar"), (pl.lit(True), "different"))


def compare(prepared: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Levels per field for ``pairs`` (rid_l, rid_r); plus the values whose frequency weighs an exact level."""
    frame = side_by_side(prepared, pairs)
    person = pl.col("role") == "person"
    # Persons: a household line both give is household evidence; the phone comparison looks at the
    # other numbers (and their last digits, for a number read with the wrong country code).
    shared_line = pl.col("fixed_phones_l").list.set_intersection(pl.col("fixed_phones_r"))
    frame = frame.with_columns(
        pl.col(f"phones_{s}").list.set_difference(shared_line).alias(f"own_phones_{s}") for s in "lr"
    ).with_columns(
        pl.col(f"own_phones_{s}").list.eval(pl.element().str.slice(-8)).alias(f"own_tails_{s}") for s in "lr"
    )
    # only companies are compared on their names (a person's employer is not their identity)
    company_keys = frame.select(pl.when(pl.col("role") == "company").then("company_key_l")).to_series()
    frame = _name_scores(frame).with_columns(
        birth_edits=_similarity(frame["birth_text_l"], frame["birth_text_r"], DamerauLevenshtein.distance),
        postcode_edits=_similarity(frame["postcode_l"], frame["postcode_r"], DamerauLevenshtein.distance),
        street_sim=_similarity(frame["street_name_l"], frame["street_name_r"], fuzz.ratio),
        city_sim=_similarity(frame["city_l"], frame["city_r"], JaroWinkler.normalized_similarity),
        company_sim=_similarity(company_keys, frame["company_key_r"], fuzz.token_set_ratio),
        company_edits=_similarity(company_keys, frame["company_key_r"], DamerauLevenshtein.distance),
        checked_distance=identifier_distance(frame, "checked_ids"),
        opaque_distance=identifier_distance(frame, "opaque_ids"),
    )
    bl, br = pl.col("birth_date_l"), pl.col("birth_date_r")
    same_year = bl.dt.year() == br.dt.year()
    swapped = same_year & (bl.dt.month() == br.dt.day()) & (bl.dt.day() == br.dt.month())
    days_apart = (bl - br).dt.total_days().abs()

    def both(column: str) -> pl.Expr:
        return pl.col(f"{column}_l").is_not_null() & pl.col(f"{column}_r").is_not_null()

    def equal(column: str) -> pl.Expr:
        return pl.col(f"{column}_l") == pl.col(f"{column}_r")

    def identifier(field: str, distance: str) -> pl.Expr:
        return _levels(field, (pl.col(distance).is_null(), "missing"), (pl.col(distance) == 0, "exact"),
                       (pl.col(distance) <= 1, "one_character"), (pl.lit(True), "different"))

    levels = frame.select(
        "rid_l", "rid_r", "role",
        _name_levels("family", person), _name_levels("given", person),
        _levels("birth_date", (~person | ~both("birth_date"), "missing"), (equal("birth_date"), "exact"),
                (pl.col("birth_edits") <= 1, "one_character"), (swapped, "day_month_swapped"),
                (same_year & (bl.dt.month() == br.dt.month()), "same_year_month"),
                (days_apart <= 3 * 366, "within_3_years"), (pl.lit(True), "different")),
        _levels("gender", (~person | ~both("gender"), "missing"), (equal("gender"), "same"),
                (pl.lit(True), "different")),
        _levels("phone", (_overlaps("own_phones_l", "own_phones_r"), "exact"),
                (_overlaps("own_tails_l", "own_tails_r"), "same_last_8_digits"),
                (person & _overlaps("fixed_phones_l", "fixed_phones_r"), "household_line"),
                (~(_present("own_phones_l") & _present("own_phones_r")), "missing"), (pl.lit(True), "different")),
        _levels("email", (~(_present("emails_l") & _present("emails_r")), "missing"),
                (_overlaps("emails_l", "emails_r"), "exact"),
                (_overlaps("email_locals_l", "email_locals_r"), "same_local_part"),
                (_overlaps("email_domains_l", "email_domains_r"), "same_company_domain"), (pl.lit(True), "different")),
        _levels("street_number", (~both("street_number"), "missing"), (equal("street_number"), "exact"),
                (pl.lit(True), "different")),
        _levels("street", (~both("street_name"), "missing"), (equal("street_name"), "exact"),
                (pl.col("street_sim") >= 85, "close"), (pl.lit(True), "different")),
        _levels("locality", (~both("city"), "missing"), (equal("city"), "exact"),
                (pl.col("city_sim") >= 0.9, "close"), (pl.lit(True), "different")),
        _levels("postcode", (~both("postcode"), "missing"), (equal("postcode"), "exact"),
                (pl.col("postcode_edits") <= 1, "one_character"), (pl.lit(True), "different")),
        identifier("id_number", "checked_distance"), identifier("member_id", "opaque_distance"),
        _levels("company", (~both("company_key"), "missing"), (equal("company_key"), "exact"),
                (pl.col("company_sim") >= 90, "close"),
                # a typo in a short name (旭信咨询, 旭诚咨询) that token similarity scores as different
                ((pl.col("company_edits") <= 1) & (pl.min_horizontal(pl.col("company_key_l").str.len_chars(),
                                                                       pl.col("company_key_r").str.len_chars()) >= 4),
                 "one_character"),
                (equal("company_brand"), "same_brand"), (pl.lit(True), "different")),
        _levels("link", (pl.col("links_r").list.contains(pl.col("self_key_l"))
                         | pl.col("links_l").list.contains(pl.col("self_key_r")), "names_the_other"),
                (_overlaps("links_l", "links_r"), "same_record_named"),
                (_names_source("links_l", "source_r") | _names_source("links_r", "source_l"), "names_another")),
        # personal phones or emails given on both sides and none shared
        (_present("own_phones_l") & _present("own_phones_r") & ~_overlaps("own_phones_l", "own_phones_r")
         | _present("emails_l") & _present("emails_r") & ~_overlaps("emails_l", "emails_r")).alias("contacts_differ"),
        # values for term-frequency adjustment of exact agreements
        pl.col("name_key_l").alias("tf_name"),
        pl.col("family_key_l").alias("tf_family_name"),
        pl.col("given_key_l").alias("tf_given_name"),
        pl.col("own_phones_l").list.set_intersection(pl.col("own_phones_r")).alias("tf_phone"),
        pl.col("emails_l").list.set_intersection(pl.col("emails_r")).alias("tf_email"),
        pl.col("company_key_l").alias("tf_company"),
    )
    return household_guard(number_on_its_street(levels))
