"""Match keys for resolution: one narrow row per staged record, indexed by an integer ``rid``.

Everything later (blocking, comparison, clustering) works on these keys, never on the wide
staged table, which keeps a million records within the memory budget.
"""

from __future__ import annotations

import polars as pl

from assets.standardize.emails import MAIL_PROVIDERS

ROLE_MAILBOXES = ("info", "office", "admin", "contact", "contacts", "sales", "service", "support", "hr", "marketing",
                  "enquiries", "enquiry", "hello", "mail", "business", "kefu", "bd")

# Leading province / city / district of a Chinese address written as one line; ERP rows keep
# them in other columns, so the street part is what both forms share.
_ZH_ADMIN_PREFIX = r"^(?:[^省]{2,7}省|[^区]{2,8}自治区)?(?:[^市]{2,4}市)?(?:[^区县市]{1,4}[区县市])?"

PREPARED_SCHEMA = {
    "rid": pl.UInt32, "source": pl.String, "record_id": pl.String, "role": pl.String, "script": pl.String,
    "name_key": pl.String, "name_compact": pl.String, "phonetic_key": pl.String, "birth_date": pl.Date,
    "gender": pl.String, "phones": pl.List(pl.String), "fixed_phones": pl.List(pl.String),
    "phone_tails": pl.List(pl.String), "emails": pl.List(pl.String),
    "email_locals": pl.List(pl.String), "email_domains": pl.List(pl.String), "street_key": pl.String, "city": pl.String, "postcode": pl.String,
    "id_number": pl.String, "company_key": pl.String, "company_brand": pl.String, "name_tokens": pl.List(pl.String),
}


def _role() -> pl.Expr:
    """A contact row of a company customer names a company, carries no personal evidence (birth
    date, resident id, gender) and reaches the company through a company mailbox or none."""
    local = pl.col("email").str.extract(r"^([^@]+)@", 1)
    company_mail = pl.col("email").is_null() | local.is_in(list(ROLE_MAILBOXES)) | \
        ~pl.col("email_domain").is_in(list(MAIL_PROVIDERS))
    contact = (pl.col("company_key").is_not_null() & pl.col("birth_date").is_null() & pl.col("gender").is_null()
               & (pl.col("id_kind").is_null() | (pl.col("id_kind") == "uscc")) & company_mail)
    return pl.when((pl.col("record_kind") == "company") | contact).then(pl.lit("company")).otherwise(pl.lit("person"))


def _brand() -> pl.Expr:
    """The distinctive part of a company name: its first two characters in Chinese (the 字号
    once the place is dropped), its first word otherwise."""
    key = pl.col("company_key")
    return pl.when(key.str.contains(r"^\p{Han}")).then(key.str.slice(0, 2)).otherwise(key.str.extract(r"^(\S+)", 1))


def _street_key() -> pl.Expr:
    key = pl.col("address_key")
    latin = key.str.split(" ").list.sort().list.join(" ")
    zh = key.str.replace_all(r"\s+", "").str.replace(_ZH_ADMIN_PREFIX, "")
    street = pl.when(key.str.contains(r"\p{Han}")).then(zh).otherwise(latin)
    return pl.when(street.str.len_chars() >= 3).then(street)


# Landlines a household or an office shares: Chinese numbers that are not mobiles, Australian
# and British geographic numbers. North American numbers don't tell, and count as personal.
FIXED_LINE = r"^(?:\+86[2-9]\d{8,10}|\+86[1][0]\d{8}|\+61[2378]\d{8}|\+44[12]\d{8,9})$"


def _fixed_line(phone: pl.Expr) -> pl.Expr:
    return phone.str.contains(FIXED_LINE)


def shared_lines(staged: pl.DataFrame) -> pl.Series:
    """Numbers given by records of evidently different people (two birth dates or two genders):
    a family's or an office's line, whatever its number looks like (North American numbers
    don't tell a landline from a mobile)."""
    long = staged.select("phones", "birth_date", "gender").explode("phones").drop_nulls("phones")
    per_number = long.group_by("phones").agg(pl.col("birth_date").drop_nulls().n_unique().alias("births"),
                                             pl.col("gender").drop_nulls().n_unique().alias("genders"))
    return per_number.filter((pl.col("births") > 1) | (pl.col("genders") > 1))["phones"]


def prepare(staged: pl.DataFrame) -> pl.DataFrame:
    empty = pl.lit([], dtype=pl.List(pl.String))
    # The exact addresses only: a dotless gmail key is compared as the same local part instead.
    emails = pl.col("emails").fill_null(empty)
    phones = pl.col("phones").fill_null(empty)
    shared = shared_lines(staged.with_columns(phones.alias("phones"))).implode()
    household_line = _fixed_line(pl.element()) | pl.element().is_in(shared)
    person = _role() == "person"
    return staged.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("rid"),
        "source", "record_id",
        _role().alias("role"),
        pl.col("name_script").alias("script"),
        "name_key",
        pl.coalesce("pinyin_key", pl.col("name_key").str.replace_all("|", "", literal=True)).alias("name_compact"),
        pl.col("phonetic_key"),
        "birth_date", "gender",
        phones.list.unique(maintain_order=True).alias("phones"),
        pl.when(person).then(phones.list.eval(pl.element().filter(household_line))).otherwise(empty).alias("fixed_phones"),
        # persons block on their own numbers only: a shared landline is household evidence
        pl.when(person).then(phones.list.eval(pl.element().filter(~household_line)))
        .otherwise(phones).list.eval(pl.element().str.slice(-8)).list.unique(maintain_order=True).alias("phone_tails"),
        emails.list.unique(maintain_order=True).alias("emails"),
        emails.list.eval(pl.element().str.extract(r"^([^@+]+)", 1).str.replace_all(r"\.", ""))
        .list.eval(pl.element().filter(~pl.element().is_in(list(ROLE_MAILBOXES)) & (pl.element().str.len_chars() >= 4)))
        .list.unique(maintain_order=True).alias("email_locals"),
        emails.list.eval(pl.element().str.extract(r"@(.+)$", 1))
        .list.eval(pl.element().filter(~pl.element().is_in(list(MAIL_PROVIDERS)))).list.unique().alias("email_domains"),
        _street_key().alias("street_key"),
        pl.col("city"), pl.col("postcode"),
        "id_number",
        pl.col("company_key"),
        _brand().alias("company_brand"),
        pl.col("name_key").str.split("|").alias("name_tokens"),
    ).cast(PREPARED_SCHEMA)
