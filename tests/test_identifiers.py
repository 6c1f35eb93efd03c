"""Identifiers of any scheme: declared in the mapping, checked by that scheme, kept as {scheme, value}."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.standardize.customers import standardize_customers
from assets.standardize.identifiers import normalize_opaque
from assets.standardize.mapping import MappingError, check_columns, load_mapping, to_canonical

AS_OF = date(2026, 11, 20)
COLUMNS = ["id", "name", "mail", "kind", "idno", "ssn", "nhs", "member", "card"]
MAPPING = """
source: shop
id: id
kind: {column: kind, person: [P], company: [C]}
fields:
  full_name: name
  email: mail
  id_number: idno
identifiers:
  - {column: ssn, scheme: us.ssn}
  - {column: nhs, scheme: gb.nhs}
  - {column: member, scheme: opaque}
  - {column: card, scheme: opaque}
"""
RESIDENT = "11010519491231002X"
USCC = "91110000600037341L"


def write(tmp_path, text: str = MAPPING):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def standardized(tmp_path, *rows: dict):
    frame = pl.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], schema={c: pl.String for c in COLUMNS})
    return standardize_customers(to_canonical(frame, load_mapping(write(tmp_path))), AS_OF)


def one(tmp_path, **row) -> tuple[dict, list[dict]]:
    result = standardized(tmp_path, {"id": "1", "kind": "P", "name": "John Smith", "mail": "js@example.com", **row})
    return result.staged.row(0, named=True), result.issues.to_dicts()


def test_mapping_with_identifiers_loads_and_names_its_columns(tmp_path):
    mapping = load_mapping(write(tmp_path))
    assert [(i.column, i.scheme) for i in mapping.identifiers] == [
        ("ssn", "us.ssn"), ("nhs", "gb.nhs"), ("member", "opaque"), ("card", "opaque")]
    with pytest.raises(MappingError, match=r"column 'card' named by the mapping"):
        check_columns(mapping, [c for c in COLUMNS if c != "card"], "raw.shop")


@pytest.mark.parametrize(("scheme", "message"), [
    ("us.sssn", r"m\.yaml: identifiers\.0\.scheme: unknown identifier scheme 'us\.sssn' \(did you mean 'us\.ssn'\?\)"),
    ("social_security", r"m\.yaml: identifiers\.0\.scheme: unknown identifier scheme 'social_security'"),
    ("util", r"unknown identifier scheme 'util'"),  # a stdnum module that checks nothing
    ("../os", r"unknown identifier scheme '\.\./os'"),
])
def test_unknown_scheme_fails_at_load_in_one_line(tmp_path, scheme, message):
    with pytest.raises(MappingError, match=message) as error:
        load_mapping(write(tmp_path, f"source: s\nid: id\nfields: {{}}\nidentifiers:\n  - {{column: c, scheme: {scheme}}}\n"))
    assert "\n" not in str(error.value)


# column, raw value -> the staged {scheme, value}, or the issue reason when the value is not valid
CASES = [
    ("ssn", "536-90-4399", ("us.ssn", "536904399"), None),
    ("ssn", "536 90 4399", None, "invalid_identifier: not a valid us.ssn"),  # stdnum's format: dashes only
    ("ssn", "５３６-９０-４３９９", ("us.ssn", "536904399"), None),  # full-width digits
    ("ssn", "000-12-3456", None, "invalid_identifier: not a valid us.ssn"),
    ("ssn", "078-05-1120", None, "invalid_identifier: not a valid us.ssn"),  # the famous wallet-card number
    ("nhs", "943 476 5870", ("gb.nhs", "9434765870"), None),
    ("nhs", "943 476 5871", None, "invalid_identifier: not a valid gb.nhs"),
    ("member", "m-00123 ", ("opaque", "M00123"), None),
    ("member", "ab.12/34 56", ("opaque", "AB123456"), None),
    ("member", "ｍ００１２３", ("opaque", "M00123"), None),
]


@pytest.mark.parametrize(("column", "raw", "expected", "reason"), CASES)
def test_identifier_checked_by_its_scheme(tmp_path, column, raw, expected, reason):
    record, issues = one(tmp_path, **{column: raw})
    assert record["identifiers"] == ([{"scheme": expected[0], "value": expected[1]}] if expected else [])
    mine = [i for i in issues if i["field"] == f"identifier:{column}"]
    if reason is None:
        assert mine == []
    else:
        assert [(i["original_value"], i["value"], i["action"], i["reason"]) for i in mine] == [
            (raw.strip(), None, "nulled", reason)]


def test_several_identifiers_per_record_deduplicated(tmp_path):
    record, issues = one(tmp_path, idno=RESIDENT, ssn="536-90-4399", nhs="9434765870", member="m-00123", card="M 00123")
    assert record["identifiers"] == [
        {"scheme": "cn_resident", "value": RESIDENT}, {"scheme": "us.ssn", "value": "536904399"},
        {"scheme": "gb.nhs", "value": "9434765870"}, {"scheme": "opaque", "value": "M00123"}]
    assert record["id_number"] == RESIDENT and record["id_kind"] == "resident_id" and issues == []


@pytest.mark.parametrize(("kind", "idno", "scheme", "id_kind"), [
    ("P", RESIDENT.lower(), "cn_resident", "resident_id"),
    ("C", USCC, "cn_uscc", "uscc"),
])
def test_legacy_id_number_lands_in_identifiers(tmp_path, kind, idno, scheme, id_kind):
    record, _ = one(tmp_path, kind=kind, idno=idno)
    assert (record["id_number"], record["id_kind"]) == (idno.upper(), id_kind)
    assert record["identifiers"] == [{"scheme": scheme, "value": idno.upper()}]


@pytest.mark.parametrize(("kind", "idno", "reason"), [
    ("P", USCC, "wrong_kind: a valid cn_uscc on a person record"),
    ("C", RESIDENT, "wrong_kind: a valid cn_resident on a company record"),
])
def test_valid_number_of_the_other_kind_is_kept_not_called_invalid(tmp_path, kind, idno, reason):
    record, issues = one(tmp_path, kind=kind, idno=idno, name="Acme Ltd" if kind == "C" else "John Smith")
    assert record["id_number"] is None and record["identifiers"] == []
    assert [(i["field"], i["value"], i["action"], i["reason"]) for i in issues] == [("id_number", idno, "kept", reason)]


@pytest.mark.parametrize(("kind", "reason"), [("P", "invalid_id_number"), ("C", "invalid_uscc")])
def test_invalid_id_number_keeps_its_reason(tmp_path, kind, reason):
    _, issues = one(tmp_path, kind=kind, idno="123456")
    assert [(i["field"], i["action"], i["reason"]) for i in issues] == [("id_number", "nulled", reason)]


def test_record_with_only_an_identifier_is_not_quarantined(tmp_path):
    result = standardized(tmp_path, {"id": "1", "kind": "P", "member": "M-1"}, {"id": "2", "kind": "P", "ssn": "000-12-3456"},
                          {"id": "3", "kind": "P", "name": "John Smith"})
    assert result.staged.select("record_id", "identifiers").rows() == [("1", [{"scheme": "opaque", "value": "M1"}])]
    assert sorted(result.quarantined["record_id"]) == ["2", "3"]


def test_sources_without_identifiers_stage_an_empty_list(tmp_path):
    mapping = load_mapping(write(tmp_path, "source: s\nid: id\nfields: {email: mail}\n"))
    staged = standardize_customers(to_canonical(pl.DataFrame({"id": ["1"], "mail": ["a@example.com"]}), mapping), AS_OF).staged
    assert staged["identifiers"].to_list() == [[]]
    assert staged["identifiers"].dtype == pl.List(pl.Struct({"scheme": pl.String, "value": pl.String}))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_opaque_normalization_is_idempotent(texts):
    once = normalize_opaque(pl.Series(texts, dtype=pl.String))
    assert normalize_opaque(once).to_list() == once.to_list()
    assert all(v is None or (v and v == v.upper() and "-" not in v and " " not in v) for v in once.to_list())
