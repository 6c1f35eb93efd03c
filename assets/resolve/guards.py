"""Evidence that is not independent, made to count once: a house number off its street, a locality
beside the postcode that names it, and a family's shared address (the household guard).

Fellegi-Sunter adds the weights of its fields as if each were a separate clue; these rules take
out what one fact written twice (or a family, not a person, sharing it) would add again.
"""

from __future__ import annotations

import polars as pl

from assets.resolve.fields import ADDRESS_PARTS, level

# (field, its column, the field that may imply it, that one's column): one fact possibly written twice
MAYBE_IMPLIED = (("locality", "city", "postcode", "postcode"),)
IMPLIED_SHARE = 0.9  # records whose value is the one their implying value mostly comes with


def implied_fields(prepared: pl.DataFrame, role: str) -> dict[str, str]:
    """Fields whose exact agreement the data makes follow from another's: where nearly every record
    of a postcode names that postcode's usual locality (real addresses), agreeing on both is one
    fact; where localities and postcodes vary independently (some synthetic sets) it is two."""
    out = {}
    for field, column, given, given_column in MAYBE_IMPLIED:
        frame = prepared.filter((pl.col("role") == role) & pl.col(column).is_not_null() & pl.col(given_column).is_not_null())
        if frame.height == 0:
            continue
        usual = frame.group_by(given_column, column).len().group_by(given_column).agg(pl.col("len").max())["len"].sum()
        if usual >= IMPLIED_SHARE * frame.height:
            out[field] = given
    return out


def number_on_its_street(levels: pl.DataFrame) -> pl.DataFrame:
    """A house number says something only on the same street: on two different streets (a move, a
    company's second site) the numbers differing is no further evidence."""
    same_street = pl.col("street").is_in([level("street", "exact"), level("street", "close")])
    return levels.with_columns(
        pl.when(same_street).then(pl.col("street_number")).otherwise(pl.lit(0, dtype=pl.Int8)).alias("street_number"))


def household_guard(levels: pl.DataFrame) -> pl.DataFrame:
    """Two persons who look like two members of one family get no household evidence (address
    parts, a shared landline): given names that disagree without the same birth date, genders that
    disagree, or birth dates years apart with personal phones or emails that disagree too (a mother
    and daughter may share a name). At one address they are a family, and apart the address says
    nothing either way. Without contacts a birth date years off is left to its own weight: data
    entry garbles dates as often as families share addresses."""
    person = pl.col("role") == "person"
    given_differ = pl.col("given_name") == level("given_name", "different")
    same_birth = pl.col("birth_date") == level("birth_date", "exact")
    gender_differ = pl.col("gender") == level("gender", "different")
    years_apart = pl.col("birth_date") == level("birth_date", "different")
    differ = person & ((given_differ & ~same_birth) | gender_differ
                       | (years_apart & pl.col("contacts_differ").fill_null(False)))
    household_line = pl.col("phone") == level("phone", "household_line")
    # a shared landline and a shared street say the same thing once: the line counts only without the street
    same_street = (pl.col("street") == level("street", "exact")) | (pl.col("street") == level("street", "close"))
    return levels.with_columns(
        *(pl.when(differ).then(pl.lit(0, dtype=pl.Int8)).otherwise(pl.col(f)).alias(f) for f in ADDRESS_PARTS),
        pl.when(household_line & (differ | same_street)).then(pl.lit(0, dtype=pl.Int8)).otherwise(pl.col("phone"))
        .alias("phone")).drop("contacts_differ")
