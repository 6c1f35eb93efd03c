"""Term frequencies: exact agreement on a common value (王伟, a switchboard, Smith) is weaker evidence
than on a rare one, so its weight comes from how often the value occurs instead of the field's u."""

from __future__ import annotations

import polars as pl

from assets.resolve.fields import level

# Exact agreement on these is weighed by how common the agreeing value is (term frequency). A name
# part is counted as any part of a name: "Lee Michael" beside "Michael Lee" agrees on a common
# given name, not on a rare family name.
NAME_PARTS = ("family_key", "given_key")
TF_FIELDS: dict[str, str | tuple[str, ...]] = {"family_name": NAME_PARTS, "given_name": NAME_PARTS, "phone": "phones",
                                              "email": "emails", "company": "company_key"}
PER_NAME_TF = {"phone", "email"}
# Values agreed on by several fields at once, weighed by the frequency of the combination: family
# and given names are not independent (Lee with Michael, 王 with 伟), so the product of the parts'
# frequencies can make a whole name look far rarer than it is.
JOINT_TF: dict[str, tuple[str, tuple[str, ...]]] = {"name": ("name_key", ("family_name", "given_name"))}


def term_frequencies(prepared: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Share of each value among the role's records that have the field: value -> tf.

    A contact value (phone, email) is counted once per distinct person name (or company brand)
    using it: the same customer giving one address in three sources doesn't make it common,
    while a family mailbox or a shared switchboard, used under many names, is. A company name is
    counted once per city using it, for the same reason: one company's records in three systems
    are one user of its name, two companies of one name are mostly in two cities. A whole name is
    counted once per birth date using it: its holder's records are one user.
    """
    out = {}
    columns = {**TF_FIELDS, **{name: column for name, (column, _) in JOINT_TF.items()}}
    for field, column in columns.items():
        value = pl.concat_list(column) if isinstance(column, tuple) else pl.col(column)
        values = prepared.select("role", value.alias("value"), "name_key", "company_brand", "city", "birth_date")
        if isinstance(values.schema["value"], pl.List):
            values = values.explode("value")
        values = values.drop_nulls("value")
        # per name for persons; a company's contact rows name different people
        users = (pl.when(pl.col("role").first() == "person").then(pl.col("name_key").drop_nulls().n_unique())
                 .otherwise(pl.col("company_brand").drop_nulls().n_unique()).clip(lower_bound=1)
                 if field in PER_NAME_TF else
                 pl.col("city").drop_nulls().n_unique().clip(lower_bound=1) if field == "company" else
                 pl.col("birth_date").drop_nulls().n_unique().clip(lower_bound=1) if field in JOINT_TF else pl.len())
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
        fields = JOINT_TF[field][1] if field in JOINT_TF else (field,)
        exact = pl.all_horizontal(pl.col(f) == level(f, "exact") for f in fields)
        values = frame.filter(exact).select("_pair", "role", pl.col(column).alias("value"))
        if isinstance(values.schema["value"], pl.List):
            values = values.explode("value")
        # single precision: a frequency's log needs no more, and these are columns over millions of pairs
        rarest = (values.join(table, on=["role", "value"], how="inner").group_by("_pair")
                  .agg(pl.col("tf").min().cast(pl.Float32)))
        frame = frame.drop(column).join(rarest.rename({"tf": column}), on="_pair", how="left")
    return frame.sort("_pair").drop("_pair")
