"""The comparison fields of resolution and their levels, in one place: compare writes them, the
model weighs them, the pairs table names them."""

from __future__ import annotations

FIELD_LEVELS: dict[str, tuple[str, ...]] = {
    "family_name": ("missing", "exact", "one_typo", "close", "similar", "different"),
    "given_name": ("missing", "exact", "one_typo", "close", "initial", "similar", "different"),
    "birth_date": ("missing", "exact", "one_character", "day_month_swapped", "same_year_month", "within_3_years",
                   "different"),
    "gender": ("missing", "same", "different"),
    "phone": ("missing", "exact", "same_last_8_digits", "household_line", "different"),
    "email": ("missing", "exact", "same_local_part", "same_company_domain", "different"),
    "street_number": ("missing", "exact", "different"),
    "street": ("missing", "exact", "close", "different"),
    "locality": ("missing", "exact", "close", "different"),
    "postcode": ("missing", "exact", "one_character", "different"),
    # identifiers compared within one scheme; checked (resident id, credit code, a python-stdnum
    # scheme) and opaque (a member number) apart, as only the first is trusted to tell two parties
    "id_number": ("missing", "exact", "one_character", "different"),
    "member_id": ("missing", "exact", "one_character", "different"),
    "company": ("missing", "exact", "close", "one_character", "same_brand", "different"),
    # a source's own link (a ticket's customer number): one names the other, both name the same
    # record, or one names another record of the other's source
    "link": ("missing", "names_the_other", "same_record_named", "names_another"),
}
PERSON_ONLY = ("family_name", "given_name", "birth_date", "gender")
# Fields a company pair is compared on; a company's contact person is not its identity.
ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "person": tuple(f for f in FIELD_LEVELS if f != "company"),
    "company": tuple(f for f in FIELD_LEVELS if f not in PERSON_ONLY),
}
ADDRESS_PARTS = ("street_number", "street", "locality", "postcode")



def level(field: str, name: str) -> int:
    return FIELD_LEVELS[field].index(name)
