"""Customer records onto the canonical fields, standardized; unusable records to quarantine.

One pure function over Polars frames serves the staging asset, ``crm360 standardize`` and
the tests. Every change to a value is recorded (field, original, new value, reason); a record
with no usable identifier left goes to quarantine with its reason, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from assets.standardize.companies import (
    standardize_company_name,
    standardize_company_size,
    standardize_industry,
    validate_resident_id,
    validate_uscc,
)
from assets.standardize.dates import standardize_date, standardize_timestamp
from assets.standardize.emails import is_company_mailbox, standardize_email
from assets.standardize.genders import gender_from_honorific, standardize_gender
from assets.standardize.identifiers import IDENTIFIER, RAW_IDENTIFIER, check_identifiers
from assets.standardize.names import standardize_person_name
from assets.standardize.phones import standardize_phone
from assets.standardize.places import (
    standardize_address_line,
    standardize_city,
    standardize_country,
    standardize_postcode,
    standardize_province,
)

ISSUE_SCHEMA = {"source": pl.String, "record_id": pl.String, "field": pl.String, "original_value": pl.String,
                "value": pl.String, "action": pl.String, "reason": pl.String}
STAGED_COLUMNS = [
    "source", "record_id", "record_kind",
    "full_name", "given_name", "family_name", "name_script", "name_key", "family_key", "given_key", "pinyin_key",
    "phonetic_key", "company_name", "company_legal_form", "company_key",
    "email", "email_key", "email_domain", "emails",
    "phone", "phone_line_type", "phone_extension", "phones",
    "address_line1", "address_line2", "address_key", "city", "province", "province_code", "postcode", "country",
    "birth_date", "gender", "id_number", "id_kind", "identifiers", "industry", "industry_code", "company_size", "job_title",
    "created_at", "updated_at", "attributes", "linked_records", "issue_count",
]
LINEAGE = ["_source_file", "_row_number", "_loaded_at"]


@dataclass(frozen=True)
class StandardizedCustomers:
    staged: pl.DataFrame
    quarantined: pl.DataFrame  # source, record_id, reason, record (JSON of the canonical input), lineage
    issues: pl.DataFrame  # one row per changed or nulled field value


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text)


def _contact_values(frame: pl.DataFrame, field: str) -> pl.DataFrame:
    """The field's values and its ``more_<field>s`` values, one row each, in priority order."""
    more = f"more_{field}s"
    # A null list would null the whole concatenation: sources without extra columns have none.
    extra = [pl.col(more).fill_null(pl.lit([], dtype=pl.List(pl.String)))] if more in frame.columns else []
    values = pl.concat_list([pl.col(field), *extra])
    return (frame.select("_row", "country", values.alias("original_value"))
            .explode("original_value").with_columns(pl.int_range(pl.len()).over("_row").alias("_position"))
            .filter(_blank_to_null(pl.col("original_value")).is_not_null()))


def _phones(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    long = _contact_values(frame, "phone").with_columns(
        std=standardize_phone(pl.col("original_value"), default_region=pl.col("country"))).unnest("std")
    valid = long.filter(pl.col("value").is_not_null())
    # The primary phone is the first mobile, else the first valid number.
    best = (valid.sort("_row", pl.col("line_type") != "mobile", "_position").group_by("_row", maintain_order=True)
            .agg(pl.col("value").first().alias("phone"), pl.col("line_type").first().alias("phone_line_type"),
                 pl.col("extension").first().alias("phone_extension"),
                 pl.col("value").unique(maintain_order=True).alias("phones")))
    return best, long.select("_row", pl.lit("phone").alias("field"), "original_value", "value", "issue")


def _emails(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    long = _contact_values(frame, "email").with_columns(std=standardize_email(pl.col("original_value"))).unnest("std")
    valid = long.filter(pl.col("value").is_not_null())
    best = (valid.sort("_row", "_position").group_by("_row", maintain_order=True)
            .agg(pl.col("value").first().alias("email"), pl.col("match_key").first().alias("email_key"),
                 pl.col("domain").first().alias("email_domain"),
                 pl.col("value").unique(maintain_order=True).alias("emails")))
    return best, long.select("_row", pl.lit("email").alias("field"), "original_value", "value", "issue")


def _identifiers(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each record's valid identifiers, the id_number's first, deduplicated; and the mapping's identifier
    columns as issue rows. Needs the ``resident_id`` and ``uscc`` structs."""
    empty = pl.lit([], dtype=pl.List(RAW_IDENTIFIER))
    raw = pl.col("identifiers_raw").fill_null(empty) if "identifiers_raw" in frame.columns else empty
    long = (frame.select("_row", raw.alias("raw")).explode("raw").unnest("raw")
            .filter(pl.col("value").is_not_null()).rename({"value": "original_value"})
            .with_row_index("_position").with_columns(pl.col("_position").cast(pl.Int64)))
    long = check_identifiers(long)
    resident, uscc = pl.col("resident_id").struct.field("value"), pl.col("uscc").struct.field("value")
    legacy = frame.select(
        "_row", pl.lit(-1, dtype=pl.Int64).alias("_position"),
        pl.when(resident.is_not_null()).then(pl.lit("cn_resident")).otherwise(pl.lit("cn_uscc")).alias("scheme"),
        pl.coalesce(resident, uscc).alias("value"),
    )
    valid = pl.concat([legacy, long.select("_row", "_position", "scheme", "value")]).filter(pl.col("value").is_not_null())
    identifiers = (valid.sort("_row", "_position").group_by("_row", maintain_order=True)
                   .agg(pl.struct("scheme", "value").unique(maintain_order=True).alias("identifiers")))
    issues = long.select("_row", (pl.lit("identifier:") + pl.col("column")).alias("field"), "original_value", "value", "issue")
    return identifiers, issues


def _legacy_id_issue() -> pl.Expr:
    """The id_number's reason: a valid number of the other kind (a credit code on a person) is kept as
    wrong_kind, not called invalid. Needs the four id structs."""
    person = pl.col("record_kind") == "person"
    return (pl.when(person & pl.col("resident_id").struct.field("value").is_null()
                    & pl.col("uscc_on_person").struct.field("value").is_not_null())
            .then(pl.lit("wrong_kind: a valid cn_uscc on a person record"))
            .when(~person & pl.col("uscc").struct.field("value").is_null()
                  & pl.col("resident_on_company").struct.field("value").is_not_null())
            .then(pl.lit("wrong_kind: a valid cn_resident on a company record")))


def _scalar_steps(as_of: date) -> dict[str, pl.Expr]:
    """Standardizer structs for the single-valued fields; ``country`` and ``record_kind`` are already decided."""
    person = pl.col("record_kind") == "person"
    return {
        "resident_id": validate_resident_id(pl.when(person).then(pl.col("id_number"))),
        "uscc": validate_uscc(pl.when(~person).then(pl.col("id_number"))),
        # the other kind's number: a valid one is kept as wrong_kind, not called invalid
        "uscc_on_person": validate_uscc(pl.when(person).then(pl.col("id_number"))),
        "resident_on_company": validate_resident_id(pl.when(~person).then(pl.col("id_number"))),
        "birth": standardize_date(pl.col("birth_date"), kind="birth", as_of=as_of),
        "gender_std": standardize_gender(pl.col("gender")),
        "province_std": standardize_province(pl.col("province"), country=pl.col("country")),
        "city_std": standardize_city(pl.col("city"), country=pl.col("country")),
        "postcode_std": standardize_postcode(pl.col("postcode"), country=pl.col("country")),
        "address1": standardize_address_line(pl.col("address_line1")),
        "address2": standardize_address_line(pl.col("address_line2")),
        "industry_std": standardize_industry(pl.col("industry")),
        "size_std": standardize_company_size(pl.col("company_size")),
        "created": standardize_timestamp(pl.col("created_at")),
        "updated": standardize_timestamp(pl.col("updated_at")),
    }


# (canonical field, struct column) pairs whose changes are recorded as issues (full_name on its own: it may move).
ISSUE_FIELDS = [
    ("company_name", "company_own"), ("birth_date", "birth"), ("gender", "gender_std"),
    ("province", "province_std"), ("city", "city_std"), ("postcode", "postcode_std"), ("address_line1", "address1"),
    ("address_line2", "address2"), ("industry", "industry_std"), ("company_size", "size_std"),
    ("created_at", "created"), ("updated_at", "updated"),
]


def _names_and_companies(frame: pl.DataFrame) -> pl.DataFrame:
    """Person name (unless the mapping declared a company) and company name structs. In a mixed source a
    name field that names a company ("金祥物流", "Morris Technologies") is the company's name: it fills a
    missing or unusable company name (``moved``) rather than being lost."""
    not_company = pl.col("record_kind").fill_null("person") == "person"
    frame = frame.with_columns(
        name=standardize_person_name(pl.when(not_company).then(pl.col("full_name")),
                                     pl.when(not_company).then(pl.col("given_name")),
                                     pl.when(not_company).then(pl.col("family_name"))),
        company_own=standardize_company_name(pl.col("company_name")),
    )
    names_company = (pl.col("record_kind").is_null()
                     & (pl.col("name").struct.field("issue") == "looks_like_company")
                     & pl.col("company_own").struct.field("value").is_null())
    frame = frame.with_columns(
        company_from_name=standardize_company_name(pl.when(names_company).then(pl.col("full_name"))))
    moved = pl.col("company_from_name").struct.field("value").is_not_null()
    return frame.with_columns(moved=moved, company=pl.when(moved).then("company_from_name").otherwise("company_own"))


def _record_kind() -> pl.Expr:
    """What the mapping declared; in a mixed source a company when the name field names one, or when there is
    no person name but a company name or a role mailbox at a company domain (office@huatianelec.com.cn);
    else a person. Needs the name and company structs and ``company_mailbox``."""
    name = pl.col("name").struct
    nameless = name.field("value").is_null()
    company = ((name.field("issue") == "looks_like_company")
               | (nameless & (pl.col("company").struct.field("value").is_not_null() | pl.col("company_mailbox"))))
    guess = pl.when(company.fill_null(False)).then(pl.lit("company")).otherwise(pl.lit("person"))
    return pl.coalesce(pl.col("record_kind"), guess)


INFERABLE_COUNTRIES = ("CN", "US", "AU", "GB")


def _country_from_place() -> pl.Expr:
    """A record without a country (a contact export has none) gets the first country whose provinces
    know its province and whose postcode format fits its postcode as written; else null."""
    inferred = pl.lit(None, dtype=pl.String)
    for country in reversed(INFERABLE_COUNTRIES):
        province = standardize_province(pl.col("province"), country=country)
        postcode = standardize_postcode(pl.col("postcode"), country=country)
        fits = province.struct.field("value").is_not_null() & (
            pl.col("postcode").is_null()
            | (postcode.struct.field("value").is_not_null() & postcode.struct.field("issue").is_null()))
        inferred = pl.when(fits).then(pl.lit(country)).otherwise(inferred)
    return inferred


def standardize_customers(canonical: pl.DataFrame, as_of: date) -> StandardizedCustomers:
    """Standardize records already renamed onto the canonical fields (see ``mapping.to_canonical``)."""
    frame = canonical.with_row_index("_row").with_columns(
        pl.col("country").alias("country_raw"),
        country_std=standardize_country(pl.col("country")),
    ).with_columns(
        pl.coalesce(pl.col("country_std").struct.field("value"),
                    pl.when(pl.col("country").is_null()).then(_country_from_place()),
                    pl.col("default_country")).alias("country"),
    )
    phones, phone_issues = _phones(frame)
    emails, email_issues = _emails(frame)
    mailbox = emails.select("_row", is_company_mailbox(pl.col("email")).alias("company_mailbox"))
    frame = _names_and_companies(frame.join(mailbox, on="_row", how="left"))
    frame = frame.with_columns(_record_kind().alias("record_kind")).with_columns(**_scalar_steps(as_of))
    identifiers, identifier_issues = _identifiers(frame)

    def field(struct: str, name: str = "value") -> pl.Expr:
        return pl.col(struct).struct.field(name)

    person = pl.col("record_kind") == "person"
    company_name = field("company")
    staged = (frame.drop("phone", "email").join(phones, on="_row", how="left").join(emails, on="_row", how="left")
              .join(identifiers, on="_row", how="left")).select(
        "_row", "source", "record_id", "record_kind",
        field("name").alias("full_name"), field("name", "given_name").alias("given_name"),
        field("name", "family_name").alias("family_name"), field("name", "script").alias("name_script"),
        field("name", "name_key").alias("name_key"), field("name", "family_key").alias("family_key"),
        field("name", "given_key").alias("given_key"), field("name", "pinyin_key").alias("pinyin_key"),
        field("name", "phonetic_key").alias("phonetic_key"),
        company_name.alias("company_name"), field("company", "legal_form").alias("company_legal_form"),
        field("company", "name_key").alias("company_key"),
        "email", "email_key", "email_domain", pl.col("emails").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        "phone", "phone_line_type", "phone_extension", pl.col("phones").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        field("address1").alias("address_line1"), field("address2").alias("address_line2"),
        field("address1", "key").alias("address_key"),
        field("city_std").alias("city"), field("province_std").alias("province"),
        field("province_std", "code").alias("province_code"), field("postcode_std").alias("postcode"), "country",
        pl.coalesce(field("birth"), pl.when(person).then(field("resident_id", "birth_date"))).alias("birth_date"),
        pl.coalesce(field("gender_std"), field("resident_id", "gender"), gender_from_honorific(pl.col("full_name"))).alias("gender"),
        pl.coalesce(field("resident_id"), field("uscc")).alias("id_number"),
        pl.when(field("resident_id").is_not_null()).then(pl.lit("resident_id"))
          .when(field("uscc").is_not_null()).then(pl.lit("uscc")).alias("id_kind"),
        pl.col("identifiers").fill_null(pl.lit([], dtype=pl.List(IDENTIFIER))),
        field("industry_std").alias("industry"), field("industry_std", "code").alias("industry_code"),
        field("size_std").alias("company_size"),
        _blank_to_null(pl.col("job_title").str.normalize("NFKC").str.replace_all(r"\s+", " ")).alias("job_title"),
        field("created").alias("created_at"), field("updated").alias("updated_at"),
        "attributes",
        (pl.col("linked_records").fill_null(pl.lit([], dtype=pl.List(pl.String))) if "linked_records" in frame.columns
         else pl.lit([], dtype=pl.List(pl.String))).alias("linked_records"),
        *[c for c in LINEAGE if c in frame.columns],
    )

    moved = pl.col("moved")
    scalar_issues = [
        frame.select("_row", pl.lit("full_name").alias("field"), pl.col("full_name").alias("original_value"),
                     pl.when(moved).then(field("company")).otherwise(field("name")).alias("value"),
                     field("name", "issue").alias("issue"),
                     pl.when(moved).then(pl.lit("moved_to_company_name")).alias("action")),
    ] + [
        frame.select("_row", pl.lit(name).alias("field"), pl.col(name).cast(pl.String).alias("original_value"),
                     field(struct).cast(pl.String).alias("value"), field(struct, "issue").alias("issue"))
        for name, struct in ISSUE_FIELDS
    ] + [
        frame.select("_row", pl.lit("id_number").alias("field"), pl.col("id_number").alias("original_value"),
                     pl.coalesce(field("resident_id"), field("uscc"), field("uscc_on_person"),
                                 field("resident_on_company")).alias("value"),
                     pl.coalesce(_legacy_id_issue(), field("resident_id", "issue"), field("uscc", "issue")).alias("issue"),
                     pl.when(_legacy_id_issue().is_not_null()).then(pl.lit("kept")).alias("action")),
        frame.select("_row", pl.lit("country").alias("field"), pl.col("country_raw").alias("original_value"),
                     pl.col("country").alias("value"), field("country_std", "issue").alias("issue")),
    ]
    issues = (pl.concat([*scalar_issues, phone_issues, email_issues, identifier_issues], how="diagonal_relaxed")
              .filter(pl.col("issue").is_not_null())
              .join(frame.select("_row", "source", "record_id"), on="_row"))

    usable = (pl.col("phone").is_not_null() | pl.col("email").is_not_null() | pl.col("id_number").is_not_null()
              | (pl.col("identifiers").list.len() > 0)
              | pl.col("company_name").is_not_null()
              | (pl.col("full_name").is_not_null()
                 & (pl.col("birth_date").is_not_null() | pl.col("address_line1").is_not_null() | pl.col("postcode").is_not_null())))
    issue_count = issues.group_by("_row").agg(pl.len().cast(pl.Int64).alias("issue_count"))
    staged = staged.join(issue_count, on="_row", how="left").with_columns(pl.col("issue_count").fill_null(0))

    missing_id = pl.col("record_id").is_null()
    reason = (pl.when(missing_id).then(pl.lit("missing_record_id: the source row has no id"))
              .when(~usable).then(pl.lit("no_usable_identifier: no valid phone, email, id number, identifier or company, "
                                         "and no name with a birth date, address or postcode")))
    staged = staged.with_columns(reason.alias("_reason"))
    keep = staged.filter(pl.col("_reason").is_null())
    dropped_rows = staged.filter(pl.col("_reason").is_not_null()).select("_row", "_reason")
    quarantined = (canonical.with_row_index("_row").join(dropped_rows, on="_row")
                   .select("source", "record_id", pl.col("_reason").alias("reason"),
                           pl.struct([c for c in canonical.columns if not c.startswith("_")]).struct.json_encode().alias("record"),
                           *[c for c in LINEAGE if c in canonical.columns]))
    issues = (issues.with_columns(pl.coalesce("action", pl.when(pl.col("value").is_null()).then(pl.lit("nulled"))
                                              .otherwise(pl.lit("corrected"))).alias("action"))
              .select("source", "record_id", "field", "original_value", "value", "action", pl.col("issue").alias("reason"))
              .cast(ISSUE_SCHEMA))
    return StandardizedCustomers(
        staged=keep.select(*STAGED_COLUMNS, *[c for c in LINEAGE if c in keep.columns]),
        quarantined=quarantined,
        issues=issues,
    )
