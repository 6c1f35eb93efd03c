"""Resolution on person records we did not generate: names, birth dates, addresses and identifiers of
any scheme, no phones or emails. The hard cases of partial evidence (a changed surname, swapped name
parts, typos in both parts, a birth date one keystroke off) are resolved together with a small
population of persons written here, so the model learns its weights from data shaped unlike ours.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.resolve.blocking import RULE_LIBRARY, applicable_roles
from assets.resolve.fields import FIELD_LEVELS
from assets.resolve.engine import resolve
from assets.resolve.prepare import prepare
from assets.standardize.customers import standardize_customers
from assets.standardize.mapping import SourceMapping, to_canonical

AS_OF = date(2026, 11, 1)
GIVEN = ["james", "olivia", "william", "charlotte", "jack", "amelia", "thomas", "isla", "lachlan", "mia", "noah",
         "chloe", "liam", "ruby", "ethan", "sophie", "oscar", "grace", "henry", "zoe", "samuel", "emily", "harrison",
         "matilda", "joshua", "ella", "riley", "jasmine", "benjamin", "hannah"]
FAMILY = ["smith", "jones", "williams", "brown", "wilson", "taylor", "johnson", "white", "martin", "anderson",
          "thompson", "nguyen", "thomas", "walker", "harris", "lee", "ryan", "robinson", "kelly", "king", "campbell",
          "clarke", "mitchell", "young", "stewart", "morris", "murphy", "cook", "bailey", "ward"]
STREETS = ["george street", "wattle avenue", "banksia crescent", "river road", "hill street", "ocean parade",
           "station street", "church street", "park road", "kent street", "mcdonald crescent", "florey drive"]
SUBURBS = [("coolaroo", "3048", "vic"), ("blacktown", "2148", "nsw"), ("mayfield", "2304", "nsw"),
           ("north beach", "6020", "wa"), ("avalon", "2107", "nsw"), ("kyabram", "3620", "vic"),
           ("toowoomba", "4350", "qld"), ("latrobe", "7307", "tas")]
MAPPING = SourceMapping.model_validate({
    "source": "members", "id": "rec_id", "default_country": "AU", "kind": "person",
    "fields": {"given_name": "given", "family_name": "surname", "birth_date": "dob",
               "address_line1": ["number", "street"], "city": "suburb", "postcode": "postcode", "province": "state",
               "id_number": "legacy_id"},
    "identifiers": [{"column": "ssn", "scheme": "us.ssn"}, {"column": "member_no", "scheme": "opaque"}],
})
COLUMNS = ["rec_id", "given", "surname", "dob", "number", "street", "suburb", "postcode", "state", "legacy_id", "ssn",
           "member_no"]


def ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def typo(rng: random.Random, text: str) -> str:
    """One keystroke: a letter replaced, dropped, or two neighbours swapped."""
    i = rng.randrange(len(text) - 1)
    kind = rng.choice(["replace", "drop", "swap"])
    if kind == "replace":
        return text[:i] + rng.choice("aeioustrnl") + text[i + 1:]
    if kind == "drop":
        return text[:i] + text[i + 1:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def person(rng: random.Random, rec_id: str) -> dict:
    suburb, postcode, state = rng.choice(SUBURBS)
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    return {"rec_id": rec_id, "given": rng.choice(GIVEN), "surname": rng.choice(FAMILY), "dob": born.strftime("%Y%m%d"),
            "number": str(rng.randint(1, 300)), "street": rng.choice(STREETS), "suburb": suburb, "postcode": postcode,
            "state": state, "legacy_id": None, "ssn": ssn(rng) if rng.random() < 0.5 else None,
            "member_no": f"M{rng.randint(10000, 99999)}" if rng.random() < 0.3 else None}


def duplicate(rng: random.Random, record: dict, rec_id: str) -> dict:
    """The same person written again: one or two fields with a typo, one maybe left out."""
    copy = dict(record, rec_id=rec_id)
    for field in rng.sample(["given", "surname", "street", "suburb"], k=rng.randint(1, 2)):
        copy[field] = typo(rng, copy[field])
    if rng.random() < 0.3:
        copy[rng.choice(["dob", "postcode", "number"])] = None
    return copy


def population(seed: int = 11, people: int = 500) -> tuple[list[dict], dict[str, str]]:
    """Records and, per record id, the person it describes (a third of the persons written twice)."""
    rng = random.Random(seed)
    records, truth = [], {}
    for k in range(people):
        original = person(rng, f"P{k}-0")
        records.append(original)
        truth[original["rec_id"]] = f"P{k}"
        if rng.random() < 0.35:
            again = duplicate(rng, original, f"P{k}-1")
            records.append(again)
            truth[again["rec_id"]] = f"P{k}"
    return records, truth


def frame(records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in COLUMNS} for r in records], schema={c: pl.String for c in COLUMNS})


def resolved(records: list[dict]):
    canonical = to_canonical(frame(records), MAPPING)
    staged = standardize_customers(canonical, AS_OF).staged
    return staged, resolve(staged)


def golden_of(resolution, rec_id: str) -> str:
    return resolution.xref.filter(pl.col("record_id") == rec_id)["golden_id"].item()


def case(rec_id: str, given: str, surname: str, dob: str | None, number: str | None = "12",
         street: str = "banksia crescent", suburb: str = "avalon", postcode: str | None = "2107", **ids) -> dict:
    return {"rec_id": rec_id, "given": given, "surname": surname, "dob": dob, "number": number, "street": street,
            "suburb": suburb, "postcode": postcode, "state": "nsw", "legacy_id": None, "ssn": None, "member_no": None,
            **ids}


# (case, records, pairs that must share a golden id, pairs that must not)
HARD_CASES = [
    ("changed surname, same member number", [
        case("HC-S1", "rosalind", "prendergast", "19710304", member_no="LC-88213"),
        case("HC-S2", "rosalind", "okonkwo", "19710304", number="7", street="wattle avenue", suburb="mayfield",
             postcode="2304", member_no="lc 88213"),
    ], [("HC-S1", "HC-S2")], []),
    ("given and family name swapped", [
        case("HC-W1", "bartholomew", "featherstone", "19650819", number="41", street="ocean parade"),
        case("HC-W2", "featherstone", "bartholomew", "19650819", number="41", street="ocean parade"),
    ], [("HC-W1", "HC-W2")], []),
    ("a typo in both name parts", [
        case("HC-T1", "katherine", "wolstenholme", "19830502", number="9", street="kent street"),
        case("HC-T2", "katharine", "wolstenhlome", "19830502", number="9", street="kent street"),
    ], [("HC-T1", "HC-T2")], []),
    ("birth date one keystroke off", [
        case("HC-D1", "evangeline", "thistlewood", "19830721", number="3", street="river road"),
        case("HC-D2", "evangeline", "thistlewood", "19830712", number="3", street="river road"),
    ], [("HC-D1", "HC-D2")], []),
    ("household members, one id scheme each", [
        case("HC-H1", "marguerite", "oyelaran", "19580214", number="77", street="hill street", ssn="212-45-6781"),
        case("HC-H2", "desmond", "oyelaran", "19600930", number="77", street="hill street", ssn="212-45-6790"),
        case("HC-H3", "octavia", "oyelaran", "19890105", number="77", street="hill street", member_no="M-55120"),
    ], [], [("HC-H1", "HC-H2"), ("HC-H1", "HC-H3"), ("HC-H2", "HC-H3")]),
    ("one person, an id of each scheme on different records", [
        case("HC-X1", "leopold", "vanstone", "19770623", number="15", street="station street", ssn="318-22-4410"),
        case("HC-X2", "leopold", "vanstone", "19770623", number="15", street="station street", member_no="A99120"),
    ], [("HC-X1", "HC-X2")], []),
    ("same name and birth date, two different valid ids", [
        case("HC-I1", "priscilla", "abernethy", "19910311", ssn="401-33-2210"),
        case("HC-I2", "priscilla", "abernethy", "19910311", ssn="402-71-9305", number="88", street="george street",
             suburb="blacktown", postcode="2148"),
    ], [], [("HC-I1", "HC-I2")]),
]


@pytest.fixture(scope="module")
def background():
    return population()


@pytest.fixture(scope="module")
def hard(background):
    records, truth = background
    return resolved(records + [r for _, rs, _, _ in HARD_CASES for r in rs])


@pytest.mark.parametrize(("name", "together", "apart"), [(c, t, a) for c, _, t, a in HARD_CASES],
                         ids=[c for c, _, _, _ in HARD_CASES])
def test_hard_cases_of_partial_evidence(hard, name, together, apart):
    _, resolution = hard
    for left, right in together:
        assert golden_of(resolution, left) == golden_of(resolution, right), f"{name}: {left} and {right} are one person"
    for left, right in apart:
        assert golden_of(resolution, left) != golden_of(resolution, right), f"{name}: {left} and {right} are two people"


def test_the_evidence_of_each_hard_case_is_its_own_level(hard):
    _, resolution = hard
    pairs = resolution.pairs

    def pair(left: str, right: str) -> dict:
        found = pairs.filter(pl.col("record_id_l").is_in([left, right]) & pl.col("record_id_r").is_in([left, right]))
        return found.row(0, named=True)

    assert pair("HC-S1", "HC-S2")["member_id_level"] == "exact"  # 'lc 88213' normalizes to LC88213
    assert pair("HC-S1", "HC-S2")["family_name_level"] == "different"
    swapped = pair("HC-W1", "HC-W2")
    assert (swapped["family_name_level"], swapped["given_name_level"]) == ("exact", "exact")
    both = pair("HC-T1", "HC-T2")
    assert (both["family_name_level"], both["given_name_level"]) == ("one_typo", "one_typo")
    assert pair("HC-D1", "HC-D2")["birth_date_level"] == "one_character"
    assert pair("HC-I1", "HC-I2")["id_number_level"] == "different"
    # identifiers of two schemes are not compared with each other
    assert pair("HC-X1", "HC-X2")["id_number_level"] == pair("HC-X1", "HC-X2")["member_id_level"] == "missing"


def test_household_members_get_no_address_evidence(hard):
    _, resolution = hard
    pairs = resolution.pairs.filter(pl.col("record_id_l").str.starts_with("HC-H") & pl.col("record_id_r").str.starts_with("HC-H"))
    for row in pairs.iter_rows(named=True):
        assert row["given_name_level"] == "different"
        assert {row[f"{p}_level"] for p in ("street_number", "street", "locality", "postcode")} == {"missing"}


def test_resolution_finds_the_written_duplicates(hard, background):
    records, truth = background
    _, resolution = hard
    xref = resolution.xref.filter(pl.col("record_id").is_in(list(truth)))
    persons = xref.with_columns(pl.col("record_id").replace_strict(truth).alias("person"))
    true_pairs = persons.group_by("person").len().filter(pl.col("len") == 2).height
    found = persons.group_by("person").agg(pl.col("golden_id").n_unique() == 1, pl.len()).filter(
        (pl.col("len") == 2) & pl.col("golden_id")).height
    merged_apart = persons.group_by("golden_id").agg(pl.col("person").n_unique()).filter(pl.col("person") > 1).height
    assert found >= 0.95 * true_pairs, (found, true_pairs)
    assert merged_apart <= 0.01 * persons["person"].n_unique(), merged_apart


def test_every_staged_record_keeps_its_valid_identifiers_by_scheme(hard):
    staged, _ = hard
    ids = staged.filter(pl.col("record_id").is_in(["HC-S2", "HC-H1"])).sort("record_id")["identifiers"].to_list()
    assert ids == [[{"scheme": "us.ssn", "value": "212456781"}], [{"scheme": "opaque", "value": "LC88213"}]]


def test_blocking_rules_come_from_the_fields_present(background):
    records, _ = background
    canonical = to_canonical(frame(records), MAPPING)
    prepared = prepare(standardize_customers(canonical, AS_OF).staged)
    applicable = applicable_roles(prepared, RULE_LIBRARY)
    assert applicable["phone"] == applicable["email"] == applicable["company_name"] == ()  # no such fields here
    assert applicable["birth_date_number"] == ("person",) and applicable["member_id"] == ("person",)


def test_rules_report_their_pairs_and_the_matches_only_they_found(hard):
    _, resolution = hard
    blocking = resolution.stats.blocking
    ran = {name: report for name, report in blocking.items() if report["roles"]}
    assert sum(r["matched_alone"] for r in ran.values()) <= resolution.stats.matched_pairs
    assert all(r["pairs"] >= r["matched_alone"] for r in ran.values())
    assert {r["pairs"] for name, r in blocking.items() if not r["roles"]} == {0}


def test_a_level_no_pair_reached_weighs_nothing(hard):
    _, resolution = hard
    person = resolution.stats.model["person"]["fields"]
    unseen = [(f, lvl) for f, levels in person.items() for lvl, p in levels.items() if p["pairs"] == 0]
    assert unseen, "the phone and email fields of these records are never compared"
    assert all(person[f][lvl]["weight"] == 0.0 for f, lvl in unseen)
    assert set(person) == set(FIELD_LEVELS) - {"company"}


# --- properties: evidence that is not about the customer never costs a match --------------------------

PERTURBATIONS = ["foreign_id", "other_kind_id", "missing_birth_date", "missing_postcode", "missing_address",
                 "missing_given", "missing_surname", "missing_ssn"]


def perturb(record: dict, how: str, rng: random.Random) -> dict:
    copy = dict(record)
    if how == "foreign_id":  # a member number of a scheme the other record doesn't have
        copy["member_no"] = f"Z{rng.randint(100000, 999999)}"
    elif how == "other_kind_id":  # a valid company credit code on a person record: kept as an issue, not compared
        copy["legacy_id"] = "91350100M000100Y43"
    elif how == "missing_address":
        copy["number"] = copy["street"] = None
    else:
        copy[{"missing_birth_date": "dob", "missing_postcode": "postcode", "missing_given": "given",
              "missing_surname": "surname", "missing_ssn": "ssn"}[how]] = None
    return copy


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), hows=st.lists(st.sampled_from(PERTURBATIONS), min_size=4, max_size=8))
def test_foreign_ids_other_kinds_and_missing_fields_never_cost_a_match(background, seed, hows):
    """Twins of records (identical but for one perturbation) resolve with their original, as the
    unperturbed twins do."""
    records, _ = background
    rng = random.Random(seed)
    originals = rng.sample([r for r in records if r["rec_id"].endswith("-0")], k=len(hows))
    twins = [perturb(dict(r, rec_id=f"T{k}"), how, rng) for k, (r, how) in enumerate(zip(originals, hows))]
    _, resolution = resolved(records + twins)
    for k, original in enumerate(originals):
        assert golden_of(resolution, f"T{k}") == golden_of(resolution, original["rec_id"]), (hows[k], original)


def test_a_golden_customer_keeps_the_identifiers_of_every_scheme_its_records_hold(hard):
    _, resolution = hard
    golden = resolution.golden.filter(pl.col("golden_id") == golden_of(resolution, "HC-X1")).row(0, named=True)
    assert sorted((i["scheme"], i["value"]) for i in golden["identifiers"]) == [("opaque", "A99120"), ("us.ssn", "318224410")]


def test_a_copied_member_number_is_strong_evidence_though_few_records_hold_one(hard):
    """u is counted among random pairs that both hold a member number; duplicates hold copies far more
    often than strangers hold one, so the true matches taken out of u are scaled by that ratio."""
    _, resolution = hard
    member = resolution.stats.model["person"]["fields"]["member_id"]["exact"]
    assert member["u"] < 1e-4 and member["weight"] > 15, member
