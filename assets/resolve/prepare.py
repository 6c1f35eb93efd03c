"""Match keys for resolution: one narrow row per staged record, indexed by an integer ``rid``.

Everything later (blocking, comparison, clustering) works on these keys, never on the wide
staged table, which keeps a million records within the memory budget.
"""

from __future__ import annotations

import phonenumbers
import polars as pl

from assets.standardize.emails import MAIL_PROVIDERS

ROLE_MAILBOXES = ("info", "office", "admin", "contact", "contacts", "sales", "service", "support", "hr", "marketing",
                  "enquiries", "enquiry", "hello", "mail", "business", "kefu", "bd")

# Leading province / city / district of a Chinese address written as one line; ERP rows keep
# them in other columns, so the street part is what both forms share.
_ZH_ADMIN_PREFIX = r"^(?:[^省]{2,7}省|[^区]{2,8}自治区)?(?:[^市]{2,4}市)?(?:[^区县市]{1,4}[区县市])?"

ROLE = pl.Enum(["person", "company"])
# Identifier schemes checked by a check digit or format; any other (a member number) is opaque:
# compared, never trusted to keep two clusters apart.
OPAQUE_SCHEME = "opaque"
LEGACY_SCHEMES = {"resident_id": "cn_resident", "uscc": "cn_uscc"}
PREPARED_SCHEMA = {
    "rid": pl.UInt32, "source": pl.String, "record_id": pl.String, "role": ROLE,
    "name_key": pl.String, "phonetic_key": pl.String,
    "family_key": pl.String, "given_key": pl.String, "family_phonetic": pl.String, "given_phonetic": pl.String,
    "given_han": pl.String,
    "birth_date": pl.Date, "birth_text": pl.String,
    "gender": pl.String, "phones": pl.List(pl.String), "fixed_phones": pl.List(pl.String),
    "phone_tails": pl.List(pl.String), "emails": pl.List(pl.String),
    "email_locals": pl.List(pl.String), "email_domains": pl.List(pl.String), "street_key": pl.String, "street_number": pl.String, "street_name": pl.String,
    "city": pl.String, "postcode": pl.String,
    "checked_ids": pl.List(pl.String), "opaque_ids": pl.List(pl.String), "company_key": pl.String, "company_brand": pl.String,
    "self_key": pl.String, "links": pl.List(pl.String), "link_keys": pl.List(pl.String),
}


def _role() -> pl.Expr:
    """A contact row of a company customer carries no personal evidence (birth date, resident id,
    gender) and either names a company reached through a company mailbox (or none), or is
    reached through a role mailbox (office@, info@) at a company domain."""
    local = pl.col("email").str.extract(r"^([^@]+)@", 1)
    company_mail = pl.col("email").is_null() | local.is_in(list(ROLE_MAILBOXES)) | \
        ~pl.col("email_domain").is_in(list(MAIL_PROVIDERS))
    role_mailbox = local.is_in(list(ROLE_MAILBOXES)) & ~pl.col("email_domain").is_in(list(MAIL_PROVIDERS))
    impersonal = pl.col("birth_date").is_null() & pl.col("gender").is_null() & \
        (pl.col("id_kind").is_null() | (pl.col("id_kind") == "uscc"))
    contact = impersonal & ((pl.col("company_key").is_not_null() & company_mail) | role_mailbox)
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


_UNIT_WORDS = r"^(?:unit|apt|apartment|flat|suite|ste|level|lvl|lot|shop|room|rm|po|box|no)$"


def _street_parts() -> tuple[pl.Expr, pl.Expr]:
    """An address line as two pieces of evidence: its numbers (house, unit, room, in the order
    written) and its street words (sorted, unit words dropped). Chinese: the digit runs, and the
    text between them once the province/city/district prefix is gone."""
    key = pl.col("address_key")
    han = key.str.contains(r"\p{Han}")
    tokens = key.str.split(" ")
    latin_number = tokens.list.eval(pl.element().filter(pl.element().str.contains(r"\d"))).list.join(" ")
    latin_street = (tokens.list.eval(pl.element().filter(~pl.element().str.contains(r"\d")
                                                         & ~pl.element().str.contains(_UNIT_WORDS)))
                    .list.sort().list.join(" "))
    zh = key.str.replace_all(r"\s+", "").str.replace(_ZH_ADMIN_PREFIX, "")
    zh_number = zh.str.extract_all(r"\d+").list.join(" ")
    zh_street = zh.str.replace_all(r"[\d#\-]+", "")
    number = pl.when(han).then(zh_number).otherwise(latin_number)
    street = pl.when(han).then(zh_street).otherwise(latin_street)
    return pl.when(number.str.len_chars() > 0).then(number), pl.when(street.str.len_chars() >= 2).then(street)


def _identifier_lists(staged: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """Valid identifiers as ``scheme:value``: those a check validated, and opaque ones. Staging puts the
    ``id_number`` among them; records staged before identifiers of any scheme were kept have it alone."""
    if "identifiers" in staged.columns:
        every = pl.col("identifiers").fill_null(pl.lit([], dtype=staged.schema["identifiers"])).list.eval(
            pl.element().struct.field("scheme") + ":" + pl.element().struct.field("value")).list.drop_nulls()
    else:
        every = pl.when(pl.col("id_number").is_not_null()).then(pl.concat_list(
            pl.col("id_kind").replace_strict(LEGACY_SCHEMES, default=pl.col("id_kind")) + ":" + pl.col("id_number")
        )).otherwise(pl.lit([], dtype=pl.List(pl.String)))
    opaque = f"{OPAQUE_SCHEME}:"
    return (every.list.eval(pl.element().filter(~pl.element().str.starts_with(opaque))),
            every.list.eval(pl.element().filter(pl.element().str.starts_with(opaque))))


def _part_phonetics() -> tuple[pl.Expr, pl.Expr]:
    """The phonetic key holds the metaphone of the family name, then of the given name, either
    missing when its part is: split it back into the two."""
    parts = pl.col("phonetic_key").str.split(" ")
    both = pl.col("family_key").is_not_null() & pl.col("given_key").is_not_null()
    family = pl.when(both).then(parts.list.first()).when(pl.col("family_key").is_not_null()).then(pl.col("phonetic_key"))
    given = pl.when(both).then(parts.list.last()).when(pl.col("given_key").is_not_null()).then(pl.col("phonetic_key"))
    return family, given


# Landlines a household or an office shares: Chinese numbers that are not mobiles, Australian
# and British geographic numbers. North American numbers don't tell, and count as personal.
FIXED_LINE = r"^(?:\+86[2-9]\d{8,10}|\+86[1][0]\d{8}|\+61[2378]\d{8}|\+44[12]\d{8,9})$"


# Country calling codes are prefix-free, so the first that matches is the one.
CALLING_CODE = r"^\+(?:" + "|".join(sorted(map(str, phonenumbers.COUNTRY_CODE_TO_REGION_CODE), key=len, reverse=True)) + ")"


def _fixed_line(phone: pl.Expr) -> pl.Expr:
    return phone.str.contains(FIXED_LINE)


def shared_lines(long: pl.DataFrame) -> pl.DataFrame:
    """Numbers given by records of evidently different people (two birth dates or two genders):
    a family's or an office's line, whatever its number looks like (North American numbers
    don't tell a landline from a mobile). ``long``: one row per record and phone."""
    per_number = long.group_by("phone").agg(pl.col("birth_date").drop_nulls().n_unique().alias("births"),
                                            pl.col("gender").drop_nulls().n_unique().alias("genders"))
    return per_number.filter((pl.col("births") > 1) | (pl.col("genders") > 1)).select("phone")


def _phone_lists(staged: pl.DataFrame, person: pl.Series) -> pl.DataFrame:
    """Per record: its phones as national numbers, the household lines among them (persons only)
    and the last eight digits of each, which blocking uses. A number read with the wrong country
    code (a US number in a ticket without a country reads as a Chinese landline) is still the
    same national number."""
    long = (staged.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("rid"), pl.col("phones").alias("phone"),
                          "birth_date", "gender", person.alias("person"))
            .explode("phone").drop_nulls("phone").unique(["rid", "phone"], maintain_order=True))
    shared = shared_lines(long).with_columns(pl.lit(True).alias("shared"))
    long = long.join(shared, on="phone", how="left").with_columns(
        (pl.col("person") & (_fixed_line(pl.col("phone")) | pl.col("shared").fill_null(False))).alias("household"))
    # compared without the country code: a number read with the wrong one is the same number
    long = long.with_columns(pl.col("phone").str.replace(CALLING_CODE, "").alias("national"))
    lists = long.group_by("rid").agg(
        pl.col("national").unique(maintain_order=True).alias("phones"),
        pl.col("national").filter("household").unique(maintain_order=True).alias("fixed_phones"),
        pl.col("phone").str.slice(-8).unique(maintain_order=True).alias("phone_tails"),
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    return (pl.DataFrame({"rid": pl.int_range(staged.height, dtype=pl.UInt32, eager=True)})
            .join(lists, on="rid", how="left", maintain_order="left")
            .with_columns(pl.col(c).fill_null(empty) for c in ("phones", "fixed_phones", "phone_tails")))


def prepare(staged: pl.DataFrame) -> pl.DataFrame:
    empty = pl.lit([], dtype=pl.List(pl.String))
    for column in ("family_key", "given_key"):  # staged tables written before the name parts were kept
        if column not in staged.columns:
            staged = staged.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    checked_ids, opaque_ids = _identifier_lists(staged)
    street_number, street_name = _street_parts()
    family_phonetic, given_phonetic = _part_phonetics()
    # The exact addresses only: a dotless gmail key is compared as the same local part instead.
    emails = pl.col("emails").fill_null(empty)
    role = staged.select(_role()).to_series()
    phones = _phone_lists(staged, role == "person")
    self_key = pl.concat_str("source", pl.lit(":"), "record_id")
    links = (pl.col("linked_records") if "linked_records" in staged.columns else empty).fill_null(empty)
    prepared = staged.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("rid"),
        "source", "record_id",
        role.alias("role"),
        "name_key",
        pl.col("phonetic_key"),
        "family_key", "given_key", family_phonetic.alias("family_phonetic"), given_phonetic.alias("given_phonetic"),
        # a Chinese given name in characters: one character off is a typo that its pinyin hides
        pl.when(pl.col("given_name").str.contains(r"^\p{Han}+$")).then(pl.col("given_name")).alias("given_han"),
        "birth_date", pl.col("birth_date").dt.strftime("%Y%m%d").alias("birth_text"), "gender",
        phones["phones"], phones["fixed_phones"], phones["phone_tails"],
        emails.list.unique(maintain_order=True).alias("emails"),
        emails.list.eval(pl.element().str.extract(r"^([^@+]+)", 1).str.replace_all(r"\.", ""))
        .list.eval(pl.element().filter(~pl.element().is_in(list(ROLE_MAILBOXES)) & (pl.element().str.len_chars() >= 4)))
        .list.unique(maintain_order=True).alias("email_locals"),
        emails.list.eval(pl.element().str.extract(r"@(.+)$", 1))
        .list.eval(pl.element().filter(~pl.element().is_in(list(MAIL_PROVIDERS)))).list.unique().alias("email_domains"),
        _street_key().alias("street_key"), street_number.alias("street_number"), street_name.alias("street_name"),
        pl.col("city"), pl.col("postcode"),
        checked_ids.alias("checked_ids"), opaque_ids.alias("opaque_ids"),
        pl.col("company_key"),
        _brand().alias("company_brand"),
        self_key.alias("self_key"),
        links.alias("links"),
        pl.concat_list(self_key, links).alias("link_keys"),
    ).cast(PREPARED_SCHEMA)
    # one chunk per column: every later stage gathers rows by rid, and a chunked column gathers up to 50x
    # slower; a column at a time, so the copy never holds more than one column twice
    for column in prepared.columns:
        prepared = prepared.with_columns(prepared[column].rechunk())
    return prepared
