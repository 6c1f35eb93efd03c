"""Staging: customer records standardized with every change recorded, activity tables typed, nothing lost."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import polars as pl
import pytest
from click.testing import CliRunner

from assets.standardize import activity
from assets.standardize.customers import standardize_customers
from assets.standardize.mapping import load_mapping, to_canonical
from pipelines.cli import main

AS_OF = date(2026, 11, 20)
MAPPING = """
source: shop
id: id
default_country: CN
fields:
  full_name: name
  phone: mobile
  email: mail
  birth_date: born
  id_number: idno
  address_line1: addr
also:
  phone: [tel]
"""


def staged(rows: list[dict], tmp_path, mapping: str = MAPPING) -> tuple:
    path = tmp_path / "m.yaml"
    path.write_text(mapping, encoding="utf-8")
    columns = ["id", "name", "mobile", "mail", "born", "idno", "addr", "tel"]
    frame = pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema={c: pl.String for c in columns})
    result = standardize_customers(to_canonical(frame, load_mapping(path)), AS_OF)
    return result, {r["record_id"]: r for r in result.staged.to_dicts()}


def test_customer_fields_standardized_and_changes_recorded(tmp_path):
    result, by_id = staged([
        {"id": "1", "name": "王伟先生", "mobile": "0086 138-0013-8000", "mail": " WangWei@GMIAL.com ",
         "born": "1985年3月7日", "tel": "(020) 8888 8888"},
        {"id": "2", "name": "John Smith", "mobile": "not a phone", "mail": "john.smith@example.com", "born": "2999-01-01"},
    ], tmp_path)
    first = by_id["1"]
    assert first["phone"] == "+8613800138000" and first["phones"] == ["+8613800138000", "+862088888888"]
    assert first["email"] == "wangwei@gmail.com" and first["birth_date"] == date(1985, 3, 7)
    assert first["full_name"] == "王伟" and first["gender"] == "M"
    issues = {(r["record_id"], r["field"], r["reason"]): r for r in result.issues.to_dicts()}
    assert issues[("1", "email", "email_domain_corrected")]["action"] == "corrected"
    bad_phone = next(r for (rid, f, _), r in issues.items() if rid == "2" and f == "phone")
    assert bad_phone["original_value"] == "not a phone" and bad_phone["action"] == "nulled"
    assert issues[("2", "birth_date", "birth_date_in_future")]["value"] is None
    assert by_id["2"]["phone"] is None and by_id["2"]["issue_count"] == 2


# name, email -> record_kind, full_name, company_name, in a mixed source (the mapping declares no kind)
KIND_CASES = [
    ("王伟", "wangwei@qq.com", "person", "王伟", None),
    ("金祥物流", "contact@jinxianglogistics.com", "company", None, "金祥物流"),
    ("北京华天电子有限公司", None, "company", None, "北京华天电子有限公司"),
    ("Morris Technologies", "info@morris.com", "company", None, "Morris Technologies"),
    (None, "office@huatianelec.com.cn", "company", None, None),
    ("客户", "SALES@huatianelec.com.cn", "company", None, None),
    (None, "info@163.com", "person", None, None),
    ("王伟", "office@huatianelec.com.cn", "person", "王伟", None),
]


@pytest.mark.parametrize(("name", "mail", "kind", "full_name", "company_name"), KIND_CASES)
def test_mixed_source_tells_companies_from_persons(tmp_path, name, mail, kind, full_name, company_name):
    _, by_id = staged([{"id": "1", "name": name, "mail": mail, "mobile": "13800138000"}], tmp_path)
    record = by_id["1"]
    assert (record["record_kind"], record["full_name"], record["company_name"]) == (kind, full_name, company_name)


def test_company_name_in_name_field_moves_and_the_move_is_recorded(tmp_path):
    result, by_id = staged([{"id": "1", "name": "金祥物流", "mobile": "13800138000"}], tmp_path)
    assert by_id["1"]["company_key"] == "金祥物流"
    (issue,) = result.issues.filter(pl.col("field") == "full_name").to_dicts()
    assert (issue["original_value"], issue["value"], issue["action"], issue["reason"]) == (
        "金祥物流", "金祥物流", "moved_to_company_name", "looks_like_company")


@pytest.mark.parametrize(("name", "mail"), [("金祥物流", None), (None, "office@huatianelec.com.cn")])
def test_declared_kind_is_kept(tmp_path, name, mail):
    result, by_id = staged([{"id": "1", "name": name, "mail": mail, "mobile": "13800138000"}], tmp_path,
                           MAPPING + "kind: person\n")
    assert (by_id["1"]["record_kind"], by_id["1"]["full_name"], by_id["1"]["company_name"]) == ("person", None, None)
    assert result.issues.filter(pl.col("action") == "moved_to_company_name").is_empty()


def test_record_without_usable_identifier_is_quarantined_with_reason(tmp_path):
    result, by_id = staged([
        {"id": "1", "name": "李娜", "mobile": "12345"},
        {"id": "2", "name": "李娜", "addr": "朝阳区建国路88号"},
        {"id": None, "mail": "someone@qq.com"},
    ], tmp_path)
    assert set(by_id) == {"2"}
    reasons = dict(zip(result.quarantined["record_id"].fill_null("<none>"), result.quarantined["reason"]))
    assert reasons["1"].startswith("no_usable_identifier") and reasons["<none>"].startswith("missing_record_id")
    assert json.loads(result.quarantined.filter(pl.col("record_id") == "1")["record"][0])["phone"] == "12345"


def test_resident_id_fills_birth_date_and_gender(tmp_path):
    _, by_id = staged([{"id": "1", "name": "张三", "idno": "11010519491231002X"}], tmp_path)
    assert by_id["1"]["id_kind"] == "resident_id"
    assert by_id["1"]["birth_date"] == date(1949, 12, 31) and by_id["1"]["gender"] == "F"


def raw(rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(rows)
    return frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns).with_columns(
        pl.col("order_id").alias("_record_id") if "order_id" in frame.columns else pl.col(frame.columns[0]).alias("_record_id"),
        pl.lit("f.csv").alias("_source_file"), pl.int_range(1, pl.len() + 1).alias("_row_number"))


def test_orders_get_utc_times_decimal_amounts_and_known_status():
    result = activity.stage_orders(raw([
        {"order_id": 1, "cust_no": "E1", "order_date": "2024-03-01 10:00:00", "status": "PAID", "currency": "cny",
         "total_amount": "1,297.50", "channel": "online"},
        {"order_id": 2, "cust_no": "E1", "order_date": "2024-03-02", "status": "lost", "currency": "CNY",
         "total_amount": "9", "channel": None},
        {"order_id": 3, "cust_no": None, "order_date": "2024-03-02", "status": "paid", "currency": "CNY",
         "total_amount": "9", "channel": None},
    ]))
    order = result.table.row(0, named=True)
    assert order["ordered_at"] == datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
    assert order["total_amount"] == Decimal("1297.50") and order["status"] == "paid" and order["currency"] == "CNY"
    assert dict(zip(result.quarantined["record_id"], result.quarantined["reason"])) == {
        "2": "unknown_order_status", "3": "missing_customer"}


@pytest.mark.parametrize(("csat", "nps", "kept"), [("5", "10", True), ("0", "11", False), ("", "7", True), ("4.5", "", False)])
def test_survey_scores_must_be_on_their_scales(csat, nps, kept):
    result = activity.stage_survey_responses(raw([
        {"response_id": "S1", "respondent_email": "a@b.cn", "respondent_phone": None, "ticket_id": None,
         "order_id": None, "survey_date": "2024/5/4", "csat": csat, "nps": nps, "comment": None}]))
    assert (result.table.height == 1) is kept and result.table.height + result.quarantined.height == 1


def test_tickets_resolved_before_opened_are_quarantined():
    result = activity.stage_service_tickets(raw([
        {"ticket_id": "T1", "cust_no": None, "type": "投诉", "channel": "电话", "status": "已解决", "priority": "high",
         "opened_at": "2024-05-01T09:00:00+08:00", "resolved_at": "2024-05-02T09:00:00+08:00"},
        {"ticket_id": "T2", "cust_no": None, "type": "repair", "channel": "web", "status": "closed", "priority": "low",
         "opened_at": "2024-05-03T09:00:00Z", "resolved_at": "2024-05-01T09:00:00Z"},
    ]))
    ticket = result.table.row(0, named=True)
    assert (ticket["ticket_type"], ticket["channel"], ticket["status"], ticket["hours_to_resolve"]) == (
        "complaint", "phone", "resolved", 24.0)
    assert result.quarantined["reason"].to_list() == ["resolved_before_opened"]


def test_standardize_command_writes_output_rejects_and_issues(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    source = tmp_path / "customers.csv"
    source.write_bytes("id,name,mobile,mail,born,idno,addr,tel\n1,王伟,13800138000,a@qq.co,2024/1/5,,,\n2,,,,,,,\n".encode("gbk"))
    result = CliRunner().invoke(main, ["standardize", str(source), "--mapping", str(mapping), "--output", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    rejected = pl.read_csv(tmp_path / "out.rejected.csv", infer_schema=False)
    issues = pl.read_csv(tmp_path / "out.issues.csv", infer_schema=False)
    assert out.select("record_id", "phone", "email", "birth_date").row(0) == ("1", "+8613800138000", "a@qq.com", "2024-01-05")
    assert rejected.select("record_id", "_row_number").row(0) == ("2", "2") and rejected["reason"][0].startswith("no_usable")
    assert issues.filter(pl.col("field") == "email")["reason"].to_list() == ["email_domain_corrected"]
    assert "1 standardized" in result.output and "1 rejected" in result.output


def test_standardize_command_names_missing_column(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    source = tmp_path / "customers.csv"
    source.write_text("id,name\n1,王伟\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["standardize", str(source), "--mapping", str(mapping), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "column 'mobile' named by the mapping of 'shop' is not in the data" in result.output
    assert "Traceback" not in result.output


def test_records_without_country_take_it_from_province_and_postcode(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("source: s\nid: id\nfields: {full_name: name, phone: tel, province: state, postcode: zip}\n")
    frame = pl.DataFrame({"id": ["1", "2", "3", "4", "5"], "name": ["Mary Jones"] * 4 + ["王芳"],
                          "tel": ["(415) 555-0132", "0412 345 678", "020 7946 0958", None, "13800138000"],
                          "state": ["California", "NSW", "England", "WA", "广东"],
                          "zip": ["94105", "2000", "SW1A 1AA", "6000", "510000"]})
    result = standardize_customers(to_canonical(frame, load_mapping(mapping)), AS_OF)
    rows = {r["record_id"]: r for r in result.staged.to_dicts()}
    assert {k: r["country"] for k, r in rows.items()} == {"1": "US", "2": "AU", "3": "GB", "4": "AU", "5": "CN"}
    assert rows["1"]["phone"] == "+14155550132" and rows["2"]["phone"] == "+61412345678"
    assert rows["4"]["postcode"] == "6000"


def test_validating_in_slices_reports_what_validating_whole_reports():
    """A first load validated slice by slice merges its outcomes into the one a whole validation gives."""
    import pandera.polars as pa

    from quality.pandera_checks import merge_validations, validate_frame

    class Positive(pa.DataFrameModel):
        """Values are positive."""
        record_id: str
        value: int = pa.Field(gt=0)

    frame = pl.DataFrame({"record_id": [f"r{i}" for i in range(10)], "value": [1, -1, 2, -3, 4, 5, -6, 7, 8, 9]})
    whole = validate_frame(Positive, frame, name="schema_valid", key_columns=("record_id",))
    merged = merge_validations([validate_frame(Positive, frame.slice(start, 4), name="schema_valid",
                                               key_columns=("record_id",)) for start in (0, 4, 8)])
    assert (merged.passed, merged.failing_rows, merged.metadata) == (whole.passed, whole.failing_rows, whole.metadata)
    assert merged.sample == whole.sample
    clean = validate_frame(Positive, frame.filter(pl.col("value") > 0), name="schema_valid")
    assert merge_validations([clean, clean]) == clean
