"""The sales CRM contact export: Chinese headers, GBK, one free-text address.

For a company customer the contact row names a person at the company (who is
not an entity); the company name, switchboard and e-mail identify the entity.
Lifecycle stage and tags are what sales believed, which is mostly but not
always in line with the purchase history.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from . import consent as cs
from . import noise as nz
from .names import CRM_TAGS, LIFECYCLE, SALES_OWNERS
from .render import between, copies, fmt_ts, make_ids, mobile_and_tel, random_offsets, version_end
from .textops import take

COLUMNS = ("联系人编号", "姓名", "性别", "手机", "电话", "邮箱", "公司", "职位", "省份", "城市", "地址", "邮编",
           "生日", "负责人", "标签", "生命周期阶段", "营销同意", "同意时间",
           "创建时间", "更新时间")
_TS_FMT = "%Y/%m/%d %H:%M"


def lifecycle_stage(summary: pl.DataFrame, as_of_ms: np.datetime64) -> np.ndarray:
    """Stage index per entity from its purchase summary (n_paid, last_paid, first_ts, churned)."""
    n_paid = summary["n_paid"].to_numpy()
    churned = summary["churned"].to_numpy()
    day = 86_400_000
    since_last = (as_of_ms - summary["last_paid"].to_numpy()).astype(np.int64) / day
    since_first = (as_of_ms - summary["first_ts"].to_numpy()).astype(np.int64) / day
    return np.select(
        [n_paid == 0, churned & (since_last > 365), churned | (since_last > 270), since_first < 180, n_paid >= 8],
        [0, 5, 4, 1, 3], 2)


def contact_rows(ent: pl.DataFrame, n_crm: np.ndarray, stage: np.ndarray, rng: np.random.Generator,
                 as_of_ms: np.datetime64, rates: nz.NoiseRates, log: nz.NoiseLog, *, first_id: int = 0,
                 consent_rng: np.random.Generator | None = None,
                 consent_params: cs.ConsentParams = cs.ConsentParams(),
                 split_ms: np.datetime64 | None = None, not_before: np.ndarray | None = None,
                 extra: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(contacts table with the contract's Chinese columns, index[eid, record_id, consent, consent_ts,
    created_ts]).

    同意时间 draws from ``consent_rng`` (default: a stream spawned from ``rng``).
    Daily deliveries (see erp.customer_rows): ``split_ms``, ``not_before``, and ``extra`` contacts
    (entity rows, created times) keyed in on a delivery day for customers known before."""
    consent_rng = consent_rng if consent_rng is not None else rng.spawn(1)[0]
    eidx = np.repeat(np.arange(ent.height), n_crm)
    n = len(eidx)
    first = np.concatenate([[True], eidx[1:] != eidx[:-1]]) if n else np.zeros(0, dtype=bool)
    since = ent["created_at"].to_numpy()[eidx].astype("datetime64[ms]")
    # leads are entered before they buy; a duplicate contact appears later
    created = np.where(first, since - random_offsets(rng, n, 0, 120 * 86400),
                       since + (rng.random(n) * (as_of_ms - since).astype(np.int64)).astype(np.int64)
                       .astype("timedelta64[ms]"))
    created = np.minimum(created, as_of_ms - np.timedelta64(60_000, "ms"))
    if not_before is not None:
        created = np.maximum(created, not_before[eidx])
    if extra is not None:
        eidx = np.concatenate([eidx, np.asarray(extra[0], dtype=eidx.dtype)])
        created = np.concatenate([created, np.asarray(extra[1]).astype("datetime64[ms]")])
        n = len(eidx)
    order = np.lexsort((eidx, created))
    eidx, created = eidx[order], created[order]
    ids = make_ids("C", n, 6, first_id)
    c = copies("crm_contacts", ent, eidx, ids, rng, rates, log)
    d = c.df
    company = c.col("is_company")
    comp = pl.Series(company)
    name = pl.select(pl.when(comp).then(d["contact_name"]).otherwise(nz.person_names(c))).to_series()
    gender = nz.genders(c, ("女", "男"))
    mobile, tel = mobile_and_tel(c)
    email = nz.emails(c)
    company_name = nz.company_names(c)
    employer = c.missing(pl.select(pl.when(comp).then(None).otherwise(d["employer"])).to_series().alias("e"),
                         "company_name")
    title = pl.select(pl.when(comp).then(d["contact_title"])
                      .otherwise(c.missing(d["job_title"], "job_title"))).to_series()
    addr = nz.addresses(c)
    birthday = nz.dates(c, d["birth_date"])
    latin = c.col("latin")
    with_province = rng.random(n) < 0.3
    line = pl.DataFrame({"p": addr["province_plain"], "c": addr["city_plain"], "d": addr["district"],
                         "s": addr["street"], "no": addr["street_no"], "lat": latin, "wp": with_province}).select(
        pl.when(pl.col("s").is_null()).then(None)
        .when("lat").then(pl.concat_str(["no", pl.lit(" "), "s"]))
        .otherwise(pl.concat_str([pl.when(pl.col("wp") & (pl.col("p") != pl.col("c"))).then("p").otherwise(pl.lit("")),
                                  "c", pl.col("d").fill_null(""), "s", "no"]))
    ).to_series()

    # what sales believed: mostly the real stage, sometimes stale
    st = stage[eidx]
    st = np.where(rng.random(n) < 0.15, rng.integers(0, len(LIFECYCLE), size=n), st)
    consent = c.col("consent")
    consent_text = np.where(rng.random(n) < 0.15, "", np.where(consent, "是", "否"))
    tag_p = np.full((n, len(CRM_TAGS)), 0.06)
    tag_p[:, CRM_TAGS.index("高价值")] = np.where(st == 3, 0.5, 0.04)
    tag_p[:, CRM_TAGS.index("VIP")] = np.where(st == 3, 0.3, 0.02)
    tag_p[:, CRM_TAGS.index("大客户")] = np.where(company, 0.4, 0.01)
    tag_p[:, CRM_TAGS.index("老客户")] = np.where(st >= 2, 0.3, 0.02)
    tag_p[:, CRM_TAGS.index("投诉过")] = np.where(st >= 4, 0.25, 0.03)
    tag_hit = rng.random((n, len(CRM_TAGS))) < tag_p
    tags = pl.select(pl.concat_str(
        [pl.when(pl.Series(tag_hit[:, j])).then(pl.lit(t)) for j, t in enumerate(CRM_TAGS)],
        separator=";", ignore_nulls=True)).to_series()
    updated = between(rng, created, version_end(created, split_ms, as_of_ms))
    stated_ts = cs.stated_at(consent_rng, created, updated, cs.CRM_PRECISION, consent_params)
    statement = cs.statement_columns(consent_text != "", consent, stated_ts)
    table = pl.DataFrame({
        "联系人编号": ids,
        "姓名": name,
        "性别": gender,
        "手机": mobile,
        "电话": tel,
        "邮箱": email,
        "公司": pl.select(pl.when(comp).then(company_name).otherwise(employer)).to_series(),
        "职位": title,
        "省份": addr["province"],
        "城市": addr["city"],
        "地址": line,
        "邮编": addr["postcode"],
        "生日": birthday,
        "负责人": take(SALES_OWNERS, rng.integers(0, len(SALES_OWNERS), size=n)),
        "标签": pl.select(pl.when(tags == "").then(None).otherwise(tags)).to_series(),
        "生命周期阶段": take(LIFECYCLE, st),
        "营销同意": pl.Series(consent_text),
        "同意时间": fmt_ts(statement["consent_ts"], _TS_FMT).fill_null(""),
        "创建时间": fmt_ts(pl.Series(created), _TS_FMT),
        "更新时间": fmt_ts(pl.Series(updated), _TS_FMT),
    }).select(COLUMNS)
    return table, pl.DataFrame({"eid": d["eid"], "record_id": ids, **statement,
                                "created_ts": pl.Series(created.astype("datetime64[ms]"))})
