"""Mapping files: the DESIGN.md contract, its extensions, and clear errors for bad files."""

from __future__ import annotations

import json

import polars as pl
import pytest

from assets.standardize.mapping import MappingError, check_columns, load_mapping, load_mappings, to_canonical

CONTRACT_EXAMPLE = """
source: erp_customers        # the source's name, kept as lineage
id: cust_no                  # the column holding the record's id within the source
default_country: CN          # region for phones without a country code
fields:                      # canonical field: source column, or a list joined by spaces
  full_name: name
  phone: mobile
  address_line1: [street_number, street]
"""


def write(tmp_path, text: str):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_contract_example_maps_and_joins_lists_with_spaces(tmp_path):
    mapping = load_mapping(write(tmp_path, CONTRACT_EXAMPLE))
    frame = pl.DataFrame({"cust_no": ["1", "2"], "name": [" 王伟 ", ""], "mobile": ["138", None],
                          "street_number": ["88", None], "street": ["建国路", "Market St"]})
    canonical = to_canonical(frame, mapping)
    assert canonical.select("source", "record_id", "full_name", "phone", "address_line1", "default_country").rows() == [
        ("erp_customers", "1", "王伟", "138", "88 建国路", "CN"),
        ("erp_customers", "2", None, None, "Market St", "CN"),
    ]
    assert canonical["email"].dtype == pl.String and canonical["email"].null_count() == 2


def test_extensions_kind_also_attributes(tmp_path):
    mapping = load_mapping(write(tmp_path, CONTRACT_EXAMPLE + """
kind: {column: cust_type, person: [P], company: [C]}
also: {phone: [tel, fax]}
attributes: {owner: sales_owner}
"""))
    frame = pl.DataFrame({"cust_no": ["1", "2", "3"], "name": ["a", "b", "c"], "mobile": ["1", None, "3"],
                          "street_number": [None] * 3, "street": [None] * 3, "cust_type": ["P", "C", "X"],
                          "tel": ["t1", "t2", None], "fax": [None, "f2", None], "sales_owner": ["李娜", None, "x"]})
    canonical = to_canonical(frame, mapping)
    assert canonical["record_kind"].to_list() == ["person", "company", None]
    assert canonical["more_phones"].to_list() == [["t1"], ["t2", "f2"], []]
    assert json.loads(canonical["attributes"][0]) == {"owner": "李娜"}


def test_composite_id_and_lineage_kept(tmp_path):
    mapping = load_mapping(write(tmp_path, CONTRACT_EXAMPLE.replace("id: cust_no", "id: [branch, cust_no]")))
    frame = pl.DataFrame({"branch": ["SH"], "cust_no": ["7"], "name": ["x"], "mobile": [None], "street_number": [None],
                          "street": [None], "_source_file": ["f.csv"], "_row_number": [3]})
    canonical = to_canonical(frame, mapping)
    assert canonical.select("record_id", "_source_file", "_row_number").row(0) == ("SH:7", "f.csv", 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CONTRACT_EXAMPLE.replace("full_name:", "fullname:"), r"fields: 'fullname' is not a canonical field \(did you mean 'full_name'\?\)"),
        (CONTRACT_EXAMPLE.replace("default_country: CN", "default_country: China"), r"default_country: .*alpha-2"),
        (CONTRACT_EXAMPLE.replace("id: cust_no", ""), r"m\.yaml: id: Field required"),
        (CONTRACT_EXAMPLE + "\nunknown_key: 1\n", r"unknown_key: Extra inputs are not permitted"),
        ("source: [unclosed", r"not valid YAML"),
        ("- just\n- a list\n", r"expected a mapping"),
    ],
)
def test_bad_mapping_files_name_file_and_key(tmp_path, text, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(write(tmp_path, text))


def test_missing_source_column_is_named(tmp_path):
    mapping = load_mapping(write(tmp_path, CONTRACT_EXAMPLE))
    with pytest.raises(MappingError, match=r"in\.csv: column 'mobile' named by the mapping of 'erp_customers' is not in the data"):
        check_columns(mapping, ["cust_no", "name", "street_number", "street"], "in.csv")


def test_shipped_mappings_cover_every_customer_bearing_source():
    mappings = {m.source: m for m in load_mappings()}
    assert set(mappings) == {"erp_customers", "crm_contacts", "service_tickets", "company_registry"}
    assert mappings["erp_customers"].id == "cust_no" and mappings["crm_contacts"].id == "联系人编号"


def test_attribute_columns_may_be_missing_from_older_deliveries():
    """An export from before a source added a column the mapping carries as an attribute (同意时间,
    mkt_consent) still maps: the attribute is null. Fields, ids and the rest stay required."""
    mappings = {m.source: m for m in load_mappings()}
    crm, erp = mappings["crm_contacts"], mappings["erp_customers"]
    assert crm.attributes["marketing_consent_at"] == "同意时间"
    assert erp.attributes == {"marketing_consent": "mkt_consent", "marketing_consent_at": "mkt_consent_at"}
    old_crm = [c for c in crm.source_columns() if c != "同意时间"]
    check_columns(crm, old_crm, "crm_contacts_2025.csv")
    frame = pl.DataFrame({c: ["是" if c == "营销同意" else "x"] for c in old_crm})
    assert json.loads(to_canonical(frame, crm)["attributes"][0]) == {
        "owner": "x", "tags": "x", "lifecycle_stage": "x", "marketing_consent": "是", "marketing_consent_at": None}
    old_erp = [c for c in erp.source_columns() if c not in ("mkt_consent", "mkt_consent_at")]
    check_columns(erp, old_erp, "erp#customers")
    with pytest.raises(MappingError, match="column 'mobile'"):
        check_columns(erp, [c for c in old_erp if c != "mobile"], "erp#customers")
