"""The true customers: one clean row per real-world person or company.

Everything the sources later distort starts here: current and previous
phone and address (so 'moved' and 'changed phone' noise has a real old value
to show), households that share surname, address and landline (different
entities that look alike), and the latent traits that drive behaviour
(purchase rate, dropout probability, marketing consent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import polars as pl

from . import phones
from .companies import company_domains, make_companies, render_company_names
from .idcodes import resident_ids, uscc_codes
from .names import EMAIL_DOMAINS, JOB_TITLES_LATIN, JOB_TITLES_ZH
from .people import full_name, names_for
from .places import (COUNTRIES, LATIN_COUNTRY_WEIGHTS, PLACES, STREETS_BY_COUNTRY, id_code_table,
                     place_indices, place_weights)
from .textops import digits, flat_pick, flatten, take, take_or_null, unique_suffix


@dataclass(frozen=True)
class EntityParams:
    company_share: float = 0.15
    latin_share: float = 0.25
    household_share: float = 0.30      # persons living in a 2-4 person household
    household_landline: float = 0.70
    single_landline: float = 0.25
    shared_email_domain: float = 0.30  # households whose members use one domain
    no_email_zh: float = 0.12
    no_email_latin: float = 0.05
    history_years: int = 4
    consent: float = 0.60
    moved_same_city: float = 0.70
    born_in_city: float = 0.70
    employed: float = 0.85
    registry_extra_share: float = 0.60  # non-customer companies per Chinese company customer
    registry_lookalike: float = 0.40    # of those, reusing a customer's core name elsewhere
    # BG/NBD heterogeneity: lambda ~ Gamma(r, 1/alpha) per day, p ~ Beta(a, b)
    bgnbd_r: float = 0.8
    bgnbd_alpha: float = 60.0
    bgnbd_a: float = 0.8
    bgnbd_b: float = 3.0


CN, US, GB, AU = range(4)
PLACE_CC = np.array([COUNTRIES.index(p.country) for p in PLACES], dtype=np.int64)
_city = [p.city for p in PLACES]
_province = [p.province for p in PLACES]
_city_py = [p.city_py for p in PLACES]
_dist_flat, _dist_off, _dist_cnt = flatten([p.districts for p in PLACES])
_place_idx = [place_indices(c) for c in COUNTRIES]
_place_w = [place_weights(c) for c in COUNTRIES]
_US_AU_LO = np.array([p.post[0] if p.country in ("US", "AU") else 0 for p in PLACES])
_US_AU_HI = np.array([p.post[1] if p.country in ("US", "AU") else 0 for p in PLACES])
_ZIP3 = [p.post[0] if p.country == "CN" else "" for p in PLACES]
_out_flat, _out_off, _out_cnt = flatten([p.post if p.country == "GB" else () for p in PLACES])
_INWARD = list("ABDEFGHJLNPQRSTUWXYZ")


def choose_places(rng: np.random.Generator, cc: np.ndarray) -> np.ndarray:
    """A city for each row, weighted by size, within the row's country code."""
    place = np.zeros(len(cc), dtype=np.int64)
    for c in range(len(COUNTRIES)):
        m = np.flatnonzero(cc == c)
        if len(m):
            place[m] = _place_idx[c][rng.choice(len(_place_idx[c]), size=len(m), p=_place_w[c])]
    return place


def addresses(rng: np.random.Generator, place: np.ndarray) -> pl.DataFrame:
    """district, street, street_no, postcode for a home or office in each row's city."""
    n = len(place)
    cc = PLACE_CC[place]
    district = take_or_null(_dist_flat, flat_pick(rng, place, _dist_off, _dist_cnt))
    street_flat, street_off, street_cnt = flatten([STREETS_BY_COUNTRY[c] for c in COUNTRIES])
    street = take(street_flat, flat_pick(rng, cc, street_off, street_cnt))
    num_max = np.select([cc == CN, cc == US], [999, 9999], 250)
    num = (np.floor(rng.random(n) * num_max) + 1).astype(np.int64)
    room = rng.integers(1, 34, size=n) * 100 + rng.integers(1, 5, size=n)
    frame = pl.DataFrame({"cc": cc, "num": num, "unit": rng.random(n) < 0.6,
                          "b": rng.integers(1, 31, size=n), "r": room})
    street_no = frame.select(
        pl.when(pl.col("cc") == CN).then(
            pl.concat_str([pl.col("num").cast(pl.String), pl.lit("号"),
                           pl.when("unit").then(pl.concat_str([pl.col("b").cast(pl.String), pl.lit("栋"),
                                                               pl.col("r").cast(pl.String), pl.lit("室")]))
                           .otherwise(pl.lit(""))]))
        .otherwise(pl.col("num").cast(pl.String))
    ).to_series()
    return pl.DataFrame({"district": district, "street": street, "street_no": street_no,
                         "postcode": postcodes(rng, place)})


def postcodes(rng: np.random.Generator, place: np.ndarray) -> pl.Series:
    n = len(place)
    lo, hi = _US_AU_LO[place], _US_AU_HI[place]
    frame = pl.DataFrame({
        "cc": PLACE_CC[place],
        "r": lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64),
        "z": take(_ZIP3, place), "d3": digits(rng, n, 3),
        "o": take_or_null(_out_flat, flat_pick(rng, place, _out_off, _out_cnt)),
        "i1": rng.integers(1, 10, size=n),
        "i2": take(_INWARD, rng.integers(0, len(_INWARD), size=n)),
        "i3": take(_INWARD, rng.integers(0, len(_INWARD), size=n)),
    })
    return frame.select(
        pl.when(pl.col("cc") == CN).then(pl.concat_str(["z", "d3"]))
        .when(pl.col("cc") == US).then(pl.col("r").cast(pl.String).str.zfill(5))
        .when(pl.col("cc") == AU).then(pl.col("r").cast(pl.String).str.zfill(4))
        .otherwise(pl.concat_str([pl.col("o"), pl.lit(" "), pl.col("i1").cast(pl.String), "i2", "i3"]))
        .alias("postcode")
    ).to_series()


def _households(rng: np.random.Generator, persons: np.ndarray, share: float):
    """Split the first persons into households: (members, household no, role, head)."""
    target = int(round(share * len(persons)))
    sizes = rng.choice([2, 3, 4], size=target // 2 + 2, p=[0.55, 0.30, 0.15])
    k = int(np.searchsorted(np.cumsum(sizes), target, side="right"))
    sizes = sizes[:k]
    if k == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    total = int(sizes.sum())
    members = persons[:total]
    hh = np.repeat(np.arange(k), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    role = np.arange(total) - starts[hh]
    return members, hh, role, members[starts][hh]


def _email_locals(rng: np.random.Generator, family_py: pl.Series, given_py: pl.Series,
                  latin: np.ndarray, birth_year: np.ndarray) -> tuple[pl.Series, np.ndarray]:
    """Local parts built from romanized names; returns (local, is_qq_number)."""
    n = len(latin)
    pattern = rng.choice(5, size=n, p=[0.30, 0.15, 0.20, 0.20, 0.15])
    pattern = np.where(latin & (pattern == 1), 0, pattern)
    frame = pl.DataFrame({
        "f": family_py.str.to_lowercase().str.replace_all(r"[^a-z]", ""),
        "g": given_py.str.to_lowercase().str.replace_all(r"[^a-z]", ""),
        "two": digits(rng, n, 2), "qq": pl.Series(rng.integers(10_000, 3_000_000_000, size=n)).cast(pl.String),
        "p": pattern, "lat": latin, "yr": pl.Series(birth_year).cast(pl.String), "num": rng.random(n) < 0.6,
    })
    g0 = pl.col("g").str.slice(0, 1)
    local = frame.select(
        pl.when(pl.col("p") == 0).then(
            pl.when("lat").then(pl.concat_str(["g", pl.lit("."), "f"]))
            .otherwise(pl.concat_str(["f", "g", pl.when("num").then("two").otherwise(pl.lit(""))])))
        .when(pl.col("p") == 1).then("qq")
        .when(pl.col("p") == 2).then(
            pl.when("lat").then(pl.concat_str([g0, "f", "two"]))
            .otherwise(pl.concat_str(["g", pl.lit("."), "f"])))
        .when(pl.col("p") == 3).then(
            pl.when("lat").then(pl.concat_str(["g", "f"]))
            .otherwise(pl.concat_str(["f", g0, "yr"])))
        .otherwise(
            pl.when("lat").then(pl.concat_str(["g", pl.lit("_"), "f", pl.col("yr").str.slice(2, 2)]))
            .otherwise(pl.concat_str(["f", pl.lit("_"), "g", "two"])))
    ).to_series()
    return local, pattern == 1


def _email_domains(rng: np.random.Generator, cc: np.ndarray) -> pl.Series:
    flat: list[str] = []
    idx = np.zeros(len(cc), dtype=np.int64)
    for c, code in enumerate(COUNTRIES):
        doms, w = EMAIL_DOMAINS[code]
        m = np.flatnonzero(cc == c)
        idx[m] = len(flat) + rng.choice(len(doms), size=len(m), p=w)
        flat.extend(doms)
    return take(flat, idx)


def _when(mask: np.ndarray, then, otherwise=None) -> pl.Series:
    expr = pl.when(pl.Series(np.asarray(mask, dtype=bool))).then(then)
    if otherwise is not None:
        expr = expr.otherwise(otherwise)
    return pl.select(expr).to_series()


def build_entities(n: int, rng: np.random.Generator, as_of: date,
                   params: EntityParams = EntityParams()) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (entities, registry-only companies).

    Entities carry clean truth columns plus the internal columns the sources
    render from (phone kinds and national numbers, old values, parts of
    company names, latent behaviour).
    """
    ar = np.arange(n)
    is_company = rng.random(n) < params.company_share
    latin = rng.random(n) < params.latin_share
    lat_cc = np.array([COUNTRIES.index(c) for c in LATIN_COUNTRY_WEIGHTS])
    cc = np.where(latin, lat_cc[rng.choice(len(lat_cc), size=n, p=list(LATIN_COUNTRY_WEIGHTS.values()))], CN)
    place = choose_places(rng, cc)

    # households: members copy the head's script, city, address and landline
    persons = np.flatnonzero(~is_company)
    members, hh, role, head = _households(rng, persons, params.household_share)
    latin[members], cc[members], place[members] = latin[head], cc[head], place[head]
    household = np.full(n, -1, dtype=np.int64)
    household[members] = hh
    hh_role = np.full(n, -1, dtype=np.int64)
    hh_role[members] = role
    head_of = ar.copy()
    head_of[members] = head
    follows_head = hh_role > 0
    from_head = np.where(follows_head, head_of, ar)

    # gender and age; spouses near the head's age, children a generation younger
    male = rng.random(n) < 0.5
    spouse = members[role == 1]
    male[spouse] = np.where(rng.random(len(spouse)) < 0.9, ~male[head_of[spouse]], male[spouse])
    age = np.clip(rng.normal(40, 13, size=n), 18, 80)
    heads = members[role == 0]
    age[heads] = np.clip(age[heads], 30, 80)
    age[spouse] = np.clip(age[head_of[spouse]] + rng.normal(0, 3, size=len(spouse)), 20, 85)
    child = members[role >= 2]
    age[child] = np.maximum(age[head_of[child]] - rng.uniform(22, 35, size=len(child)), 16)
    birth = np.datetime64(as_of, "D") - (age * 365.25).astype(np.int64) - rng.integers(0, 365, size=n)
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970

    # names: children take the head's family name; Latin spouses usually do too
    nm = names_for(rng, male, latin)
    takes_head = np.zeros(n, dtype=bool)
    takes_head[child] = True
    takes_head[spouse] = rng.random(len(spouse)) < np.where(latin[spouse], 0.8, 0.05)
    fam_src = np.where(takes_head, head_of, ar)
    family, family_py = nm.family.gather(fam_src), nm.family_py.gather(fam_src)
    given, given_py = nm.given, nm.given_py
    person_full = full_name(family, given, latin)

    # companies: customers plus registry-only ones, named in one pass so all are distinct
    comp = np.flatnonzero(is_company)
    n_comp = len(comp)
    n_extra = int(round(params.registry_extra_share * int((~latin[comp]).sum())))
    extra_place = choose_places(rng, np.full(n_extra, CN))
    all_place = np.concatenate([place[comp], extra_place])
    all_latin = np.concatenate([latin[comp], np.zeros(n_extra, dtype=bool)])
    companies = make_companies(rng, all_place, all_latin, unique=True)
    zh_rows = np.flatnonzero(~latin[comp])
    if n_extra and len(zh_rows):
        look = np.flatnonzero(rng.random(n_extra) < params.registry_lookalike)
        src = zh_rows[rng.integers(0, len(zh_rows), size=len(look))]
        companies = _copy_core(companies, n_comp + look, src, all_latin)
    domains = company_domains(rng, companies, PLACE_CC[all_place], take(_city_py, all_place))

    # addresses (households move together, so old addresses are shared too)
    cur = addresses(rng, place)[from_head]
    old_place = np.where(rng.random(n) >= params.moved_same_city, choose_places(rng, cc), place)[from_head]
    old = addresses(rng, old_place)[from_head]

    # phones: a person's primary is a mobile, a company's its switchboard landline
    mob_kind, mob_nsn = phones.mobiles(rng, place)
    old_mob_kind, old_mob_nsn = phones.mobiles(rng, place)
    land_kind, land_nsn = phones.landlines(rng, place)
    old_land_kind, old_land_nsn = phones.landlines(rng, place)
    land_kind, land_nsn = land_kind[from_head], land_nsn.gather(from_head)
    has_land = np.where(household >= 0, (rng.random(n) < params.household_landline)[head_of],
                        rng.random(n) < params.single_landline)
    ph_kind = np.where(is_company, land_kind, mob_kind)
    ph_nsn = _when(is_company, land_nsn, mob_nsn)
    old_kind = np.where(is_company, old_land_kind, old_mob_kind)
    old_nsn = _when(is_company, old_land_nsn, old_mob_nsn)
    cmob_kind, cmob_nsn = phones.mobiles(rng, place)

    # e-mail: personal addresses from names; companies use a role address at their domain
    local, is_qq = _email_locals(rng, family_py, given_py, latin, birth_year)
    dom = _when(is_qq & (cc == CN), pl.lit("qq.com"), _email_domains(rng, cc))
    shared = (household >= 0) & (rng.random(n) < params.shared_email_domain)
    fam_dom = pl.concat_str([family_py.str.to_lowercase().str.replace_all(r"[^a-z]", ""),
                             pl.lit("family"), take((".net", ".net", ".co.uk", ".com.au"), cc)])
    dom = _when(shared & (hh_role == 0) & latin & (rng.random(n) < 0.4), fam_dom, dom)
    dom = dom.gather(np.where(shared[head_of] & follows_head, head_of, ar))
    comp_domain = pl.Series([None] * n, dtype=pl.String).scatter(comp, domains[:n_comp])
    role_local = take(("info", "sales", "contact", "service", "office", "admin"), rng.integers(0, 6, size=n))
    no_email = rng.random(n) < np.where(latin, params.no_email_latin, params.no_email_zh)
    email = pl.select(
        pl.when(pl.Series(is_company)).then(pl.concat_str([role_local, pl.lit("@"), comp_domain]))
        .when(pl.Series(no_email)).then(None)
        .otherwise(pl.concat_str([local, pl.lit("@"), dom]))
    ).to_series()
    email = unique_suffix(email, rng, sep_at="@")

    # resident IDs (Chinese persons), USCC (Chinese companies and registry-only ones)
    year0, year1 = int(birth_year.min()), max(int(birth_year.max()), as_of.year)
    codes, offs, cnts = id_code_table(year0, year1)
    ny = year1 - year0 + 1
    born_place = np.where((cc == CN) & (rng.random(n) < params.born_in_city), place,
                          choose_places(rng, np.full(n, CN)))
    pick = flat_pick(rng, born_place * ny + (birth_year - year0), offs.ravel(), cnts.ravel())
    ric = resident_ids(codes[pick], birth, male, rng)
    reg_area = codes[flat_pick(rng, all_place * ny + (as_of.year - year0), offs.ravel(), cnts.ravel())]
    uscc_all = _unique_uscc(rng, uscc_codes(reg_area, rng), reg_area)
    uscc_ent = pl.Series([None] * n, dtype=pl.String).scatter(comp, uscc_all[:n_comp])
    id_number = pl.select(pl.when(pl.Series(~is_company & ~latin)).then(ric)
                          .when(pl.Series(is_company & ~latin)).then(uscc_ent)).to_series()

    # employers come from a shared pool (colleagues share one), including customer companies
    pool_n = max(50, n // 25)
    pool_latin = rng.random(pool_n) < params.latin_share
    pool_place = choose_places(rng, np.where(pool_latin, lat_cc[rng.integers(0, 3, size=pool_n)], CN))
    pool = make_companies(rng, pool_place, pool_latin, unique=True)
    pool_names = pl.concat([companies["company_name"][:n_comp], pool["company_name"]])
    pool_is_latin = np.concatenate([all_latin[:n_comp], pool_latin])
    emp_pick = np.zeros(n, dtype=np.int64)
    for flag in (False, True):
        cand = np.flatnonzero(pool_is_latin == flag)
        m = np.flatnonzero(latin == flag)
        emp_pick[m] = cand[rng.integers(0, len(cand), size=len(m))]
    employer = pool_names.gather(emp_pick)
    job = _when(latin, take(JOB_TITLES_LATIN, rng.integers(0, len(JOB_TITLES_LATIN), size=n)),
                take(JOB_TITLES_ZH, rng.integers(0, len(JOB_TITLES_ZH), size=n)))
    contact = names_for(rng, rng.random(n) < 0.5, latin)
    contact_name = full_name(contact.family, contact.given, latin)

    # when they became a customer, and the latent behaviour
    history_s = int(round(params.history_years * 365.25)) * 86400
    end = np.datetime64(datetime(as_of.year, as_of.month, as_of.day), "s")
    created = end - (rng.random(n) * history_s).astype(np.int64).astype("timedelta64[s]") - np.timedelta64(1, "s")
    lam = rng.gamma(params.bgnbd_r, 1.0 / params.bgnbd_alpha, size=n)
    p_drop = rng.beta(params.bgnbd_a, params.bgnbd_b, size=n)
    consent = rng.random(n) < params.consent
    created_d = created.astype("datetime64[D]")
    established = created_d - rng.integers(30, 365 * 25, size=n)

    comp_col = {c: pl.Series([None] * n, dtype=pl.String).scatter(comp, companies[c][:n_comp])
                for c in ("co_city", "co_core", "co_ind", "co_suffix", "co_loose", "company_name",
                          "industry", "company_size", "registered_capital")}
    person = ~is_company
    frame = pl.DataFrame({
        "kind": take(("person", "company"), is_company.astype(np.int64)),
        "script": take(("zh", "latin"), latin.astype(np.int64)),
        "is_company": is_company, "latin": latin,
        "household_no": household, "hh_role": hh_role,
        "full_name": _when(is_company, comp_col["company_name"], person_full),
        "given_name": _when(person, given), "family_name": _when(person, family),
        "given_py": _when(person, given_py), "family_py": _when(person, family_py),
        **comp_col,
        "email": email,
        "phone": phones.e164(ph_kind, ph_nsn),
        "ph_kind": ph_kind.astype(np.int8), "ph_nsn": ph_nsn,
        "old_kind": old_kind.astype(np.int8), "old_nsn": old_nsn,
        "tel_kind": land_kind.astype(np.int8), "tel_nsn": _when(has_land & person, land_nsn),
        "cmob_kind": cmob_kind.astype(np.int8), "cmob_nsn": _when(is_company & (rng.random(n) < 0.8), cmob_nsn),
        "birth_date": _when(person, pl.Series(birth)),
        "gender": _when(person, take(("F", "M"), male.astype(np.int64))),
        "id_number": id_number,
        "cc": cc, "place": place,
        "country": take(COUNTRIES, cc), "city": take(_city, place), "province": take(_province, place),
        "district": cur["district"], "street": cur["street"], "street_no": cur["street_no"],
        "postcode": cur["postcode"],
        "old_place": old_place,
        "old_district": old["district"], "old_street": old["street"], "old_street_no": old["street_no"],
        "old_postcode": old["postcode"],
        "employer": _when(person & (rng.random(n) < params.employed), employer),
        "job_title": _when(person, job),
        "contact_name": _when(is_company, contact_name),
        "contact_title": _when(is_company, job),
        "established": _when(is_company, pl.Series(established)),
        "created_at": created.astype("datetime64[ms]"),
        "consent": consent, "lam": lam, "p_drop": p_drop,
    }).with_columns(
        pl.when(pl.col("household_no") >= 0)
        .then(pl.concat_str([pl.lit("H"), pl.col("household_no").cast(pl.String).str.zfill(6)]))
        .alias("household_id"),
    )
    # shuffle so entity numbers say nothing about households or kinds
    frame = frame[rng.permutation(n)].with_columns(
        pl.concat_str([pl.lit("E"), pl.int_range(1, n + 1).cast(pl.String).str.zfill(7)]).alias("entity_id"),
        pl.int_range(0, n).alias("eid"),
    )
    extra = companies[n_comp:].with_columns(
        pl.Series("place", extra_place), take(_city, extra_place, "city"),
        take(_province, extra_place, "province"), uscc_all[n_comp:].alias("uscc"),
    )
    return frame, _registry_extras(rng, extra, extra_place, end)


def _copy_core(companies: pl.DataFrame, rows: np.ndarray, src: np.ndarray, latin: np.ndarray) -> pl.DataFrame:
    """Give `rows` the core and industry of `src`: same name, another city."""
    cols = ("co_core", "co_ind", "core_ascii", "industry_i", "industry")
    out = companies.with_columns(companies[c].scatter(rows, companies[c].gather(src)) for c in cols)
    zero = np.zeros(companies.height, dtype=np.int64)
    name = render_company_names(out, latin, zero)
    clash = np.flatnonzero((~name.is_first_distinct()).to_numpy())
    if len(clash):  # same city too: keep the original core
        out = out.with_columns(out[c].scatter(clash, companies[c].gather(clash)) for c in cols)
        name = render_company_names(out, latin, zero)
    return out.with_columns(name.alias("company_name"))


def _unique_uscc(rng: np.random.Generator, codes: pl.Series, area: np.ndarray) -> pl.Series:
    for _ in range(10):
        d = np.flatnonzero((~codes.is_first_distinct()).to_numpy())
        if not len(d):
            break
        codes = codes.scatter(d, uscc_codes(area[d], rng))
    return codes


def _registry_extras(rng: np.random.Generator, extra: pl.DataFrame, place: np.ndarray,
                     end: np.datetime64) -> pl.DataFrame:
    """Registry-only companies: address, switchboard, founding date."""
    n = extra.height
    kind, nsn = phones.landlines(rng, place)
    established = end.astype("datetime64[D]") - rng.integers(180, 365 * 25, size=n)
    return pl.concat([extra, addresses(rng, place)], how="horizontal").with_columns(
        pl.Series("ph_kind", kind.astype(np.int8)), nsn.alias("ph_nsn"),
        pl.Series("established", established),
    )
