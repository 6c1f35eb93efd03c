"""The bought company registry: official names and valid USCCs.

It lists every Chinese company customer under its exact registered name plus
companies that are not customers, some of which share a customer's trade
name in another city - the look-alikes a matcher must not merge.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from . import phones
from .people import full_name, names_for

COLUMNS = ("company_name", "uscc", "legal_representative", "registered_capital", "established", "industry",
           "size", "province", "city", "address", "phone")


def registry_rows(ent: pl.DataFrame, extra: pl.DataFrame,
                  rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(registry rows sorted by USCC, index[eid (null for non-customers), record_id=uscc])."""
    cust = ent.filter(pl.col("is_company") & ~pl.col("latin"))
    common = ("company_name", "registered_capital", "established", "industry", "company_size", "province", "city",
              "district", "street", "street_no", "ph_kind", "ph_nsn")
    a = cust.select(*common, pl.col("id_number").alias("uscc"), pl.col("eid").cast(pl.Int64))
    b = extra.select(*common, "uscc", pl.lit(None, dtype=pl.Int64).alias("eid"))
    rows = pl.concat([a, b.select(a.columns)]).sort("uscc")
    n = rows.height
    rep = names_for(rng, rng.random(n) < 0.7, np.zeros(n, dtype=bool))
    address = rows.select(pl.concat_str([
        pl.when(pl.col("province") == pl.col("city")).then(pl.lit("")).otherwise("province"),
        "city", pl.col("district").fill_null(""), "street", "street_no"])).to_series()
    table = pl.DataFrame({
        "company_name": rows["company_name"],
        "uscc": rows["uscc"],
        "legal_representative": full_name(rep.family, rep.given, np.zeros(n, dtype=bool)),
        "registered_capital": rows["registered_capital"],
        "established": rows["established"].dt.strftime("%Y-%m-%d"),
        "industry": rows["industry"],
        "size": rows["company_size"],
        "province": rows["province"],
        "city": rows["city"],
        "address": address,
        "phone": phones.format_phones(rows["ph_kind"].to_numpy(), rows["ph_nsn"], np.zeros(n, dtype=np.int64)),
    }).select(COLUMNS)
    return table, pl.DataFrame({"eid": rows["eid"], "record_id": rows["uscc"]})
