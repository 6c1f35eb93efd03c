"""Entity resolution: hand-labelled hard cases inside generated data, and the engine's invariants.

The match model learns from the data it resolves, so the hard cases are resolved together with
a few thousand generated records, as they would be in production.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from stdnum.cn import ric

from assets.resolve.engine import ResolveSettings, resolve
from assets.resolve.evaluate import pairwise_accuracy
from assets.standardize.customers import standardize_customers
from assets.standardize.landing import canonical_records
from assets.standardize.mapping import CANONICAL_FIELDS
from pipelines.generator import generate

AS_OF = date(2026, 11, 1)


def resident_id(prefix17: str) -> str:
    return prefix17 + ric.calc_check_digit(prefix17 + "0")  # it ignores the last character


def person(record_id: str, source: str = "crm_contacts", country: str = "CN", **fields) -> dict:
    return {"source": source, "record_id": record_id, "record_kind": "person", "default_country": country, **fields}


# (case, records, groups that must share a golden id, pairs that must not)
HARD_CASES = [
    ("same name, different people (zh)", [
        person("HC-W1", full_name="王伟", phone="13911110001", email="wangwei.a@qq.com", birth_date="1980-02-03", city="北京"),
        person("HC-W2", source="erp_customers", full_name="王伟", phone="13822220002", email="ww1991@163.com",
               birth_date="1991-08-19", city="广州"),
     ], [], [("HC-W1", "HC-W2")]),
    ("same name, different people (latin)", [
        person("HC-J1", country="US", full_name="John Smith", phone="(212) 555-0101", email="john.smith@gmail.com",
               birth_date="1975-01-02", city="New York", province="NY", postcode="10001"),
        person("HC-J2", source="erp_customers", country="US", full_name="John Smith", phone="(415) 555-0199",
               email="jsmith88@yahoo.com", birth_date="1988-11-30", city="San Francisco", province="CA", postcode="94105"),
     ], [], [("HC-J1", "HC-J2")]),
    ("family at one address", [
        person("HC-F1", source="erp_customers", full_name="李建国", gender="男", birth_date="1962-03-01",
               phone="13700000011", tel="0571-88886666", email="lijianguo62@163.com",
               address_line1="文三路 88号3栋502室", address_line2="西湖区", city="杭州", province="浙江", postcode="310012"),
        person("HC-F2", source="erp_customers", full_name="李娜", gender="女", birth_date="1990-07-12",
               phone="13700000022", tel="0571-88886666", email="lina90@163.com",
               address_line1="文三路 88号3栋502室", address_line2="西湖区", city="杭州", province="浙江", postcode="310012"),
        person("HC-F3", full_name="李浩", gender="男", birth_date="1993-12-05", phone="13700000033", tel="057188886666",
               address_line1="浙江省杭州市西湖区文三路88号3栋502室", city="杭州", postcode="310012"),
     ], [], [("HC-F1", "HC-F2"), ("HC-F1", "HC-F3"), ("HC-F2", "HC-F3")]),
    ("latin family, same name, shared line", [
        person("HC-A1", source="erp_customers", country="US", full_name="Angela Johnson", birth_date="1975-12-22",
               gender="F", phone="415-467-0439", email="angela.johnson@yahoo.com", address_line1="7502 Lincoln Ave",
               city="San Francisco", province="CA", postcode="94105"),
        person("HC-A2", country="US", full_name="Angela Johnson", birth_date="2002-07-23", gender="F",
               phone="415-467-0439", email="angelaj02@comcast.net", address_line1="7502 Lincoln Avenue",
               city="San Francisco", province="CA", postcode="94105"),
     ], [], [("HC-A1", "HC-A2")]),
    ("same person, new phone and address", [
        person("HC-M1", source="erp_customers", full_name="陈静", gender="女", birth_date="1985-04-02",
               id_number=resident_id("33010619850402004"), phone="13611112222", email="chenjing85@163.com",
               address_line1="解放路 12号", city="杭州", province="浙江"),
        person("HC-M2", full_name="陈静", gender="女", birth_date="1985/4/2", phone="18922223333",
               email="chenjing85@163.com", address_line1="广东省深圳市南山区科技园路100号", city="深圳", postcode="518057"),
     ], [("HC-M1", "HC-M2")], []),
    ("pinyin vs characters", [
        person("HC-P1", source="erp_customers", full_name="张晓明", phone="+86 135 5555 6666", birth_date="1979-09-09",
               city="上海"),
        person("HC-P2", source="service_tickets", full_name="Zhang Xiaoming", phone="135-5555-6666"),
     ], [("HC-P1", "HC-P2")], []),
    ("day and month swapped", [
        person("HC-D1", source="erp_customers", country="GB", full_name="Olivia Brown", birth_date="1990-03-04",
               email="olivia.brown77@hotmail.co.uk", city="Leeds", postcode="LS1 4AP"),
        person("HC-D2", country="GB", full_name="Olivia Brown", birth_date="04/03/1990", email="olivia.brown77@hotmail.co.uk",
               city="Leeds", postcode="LS1 4AP"),
     ], [("HC-D1", "HC-D2")], []),
    ("names, address, birth date and id only", [
        person("HC-I1", source="erp_customers", full_name="赵敏", birth_date="1983-06-15",
               id_number=resident_id("11010519830615002"), address_line1="朝阳路 5号", city="北京"),
        person("HC-I2", full_name="趙敏", birth_date="1983年6月15日", id_number=resident_id("11010519830615002"),
               address_line1="北京市朝阳区朝阳路5号", city="北京"),
        person("HC-I3", full_name="赵敏", birth_date="1983-06-15", id_number=resident_id("11010519830615010"),
               address_line1="朝阳路 5号", city="北京"),
     ], [("HC-I1", "HC-I2")], [("HC-I1", "HC-I3"), ("HC-I2", "HC-I3")]),
]


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    landing = tmp_path_factory.mktemp("resolve") / "landing"
    generate(landing, customers=1500, seed=5)
    hard = pl.DataFrame([r for _, records, _, _ in HARD_CASES for r in records], infer_schema_length=None)
    canonical = pl.concat([canonical_records(landing), hard.rename({"tel": "more_phones"}).with_columns(
        pl.concat_list("more_phones").fill_null(pl.lit([], dtype=pl.List(pl.String))))], how="diagonal_relaxed")
    staged = standardize_customers(canonical, AS_OF).staged
    truth = {name: pl.read_parquet(landing / "truth" / f"{name}.parquet") for name in ("records", "entities")}
    return staged, resolve(staged), truth


def golden(resolution, record_id: str) -> str:
    return resolution.xref.filter(pl.col("record_id") == record_id)["golden_id"].item()


@pytest.mark.parametrize(("case", "together", "apart"), [(c, t, a) for c, _, t, a in HARD_CASES],
                         ids=[c for c, _, _, _ in HARD_CASES])
def test_hard_cases(resolved, case, together, apart):
    _, resolution, _ = resolved
    for left, right in together:
        assert golden(resolution, left) == golden(resolution, right), f"{case}: {left} and {right} should be one customer"
    for left, right in apart:
        assert golden(resolution, left) != golden(resolution, right), f"{case}: {left} and {right} are different people"


def test_family_shares_a_household_but_not_a_golden_id(resolved):
    _, resolution, _ = resolved
    ids = [golden(resolution, r) for r in ("HC-F1", "HC-F2", "HC-F3")]
    household = resolution.households.filter(pl.col("golden_id").is_in(ids))
    assert household["household_id"].n_unique() == 1
    assert household["household_size"].min() >= 3


def test_every_record_in_the_crosswalk_exactly_once(resolved):
    staged, resolution, _ = resolved
    assert resolution.xref.height == staged.height
    assert resolution.xref.select("source", "record_id").is_duplicated().sum() == 0
    assert set(resolution.golden["golden_id"]) == set(resolution.xref["golden_id"])


def test_no_golden_customer_holds_two_valid_ids(resolved):
    staged, resolution, _ = resolved
    ids = staged.select("source", "record_id", "id_number").join(resolution.xref, on=["source", "record_id"])
    per_golden = ids.drop_nulls("id_number").group_by("golden_id").agg(pl.col("id_number").n_unique())
    assert per_golden["id_number"].max() == 1


def test_accuracy_against_the_generated_truth(resolved):
    _, resolution, truth = resolved
    scores = {row["group"]: row for row in pairwise_accuracy(resolution.xref, truth["records"], truth["entities"]).to_dicts()}
    for script in ("zh", "latin"):
        assert scores[script]["precision"] >= 0.97, scores[script]
        assert scores[script]["recall"] >= 0.85, scores[script]


def test_every_pair_is_explained(resolved):
    _, resolution, _ = resolved
    pairs = resolution.pairs
    weights = [c for c in pairs.columns if c.endswith("_weight") and c != "match_weight"]
    explained = pairs.group_by("role").agg((pl.col("match_weight") - pl.sum_horizontal(weights)).round(6).n_unique())
    assert explained["match_weight"].to_list() == [1] * explained.height  # the role's prior is the only other term
    assert set(pairs["decision"]) <= {"match", "non_match", "cut_conflict"}
    assert (pairs.filter(pl.col("decision") == "match")["match_probability"] >= ResolveSettings().threshold).all()


def test_same_input_same_golden_ids_and_ids_survive_a_rerun(resolved):
    staged, first, _ = resolved
    again = resolve(staged)
    assert again.xref.sort("source", "record_id").equals(first.xref.sort("source", "record_id"))
    carried = resolve(staged, previous_xref=first.xref)
    assert carried.xref.sort("source", "record_id")["golden_id"].equals(first.xref.sort("source", "record_id")["golden_id"])
    assert carried.history.filter(pl.col("event") != "created").height == 0


@pytest.mark.parametrize("rows", [0, 1, 2])
def test_no_candidate_pairs_each_record_is_its_own_customer(rows):
    records = [person("X1", full_name="刘洋", phone="13900000001"), person("X2", full_name="Emma Stone", country="GB",
                                                                        email="emma@example.co.uk")][:rows]
    canonical = pl.DataFrame(records or [person("X0")], infer_schema_length=None).head(rows)
    canonical = canonical.with_columns(pl.lit(None, dtype=pl.String).alias(f) for f in [*CANONICAL_FIELDS, "attributes"]
                                       if f not in canonical.columns)
    staged = standardize_customers(canonical, AS_OF).staged
    resolution = resolve(staged)
    assert resolution.xref.height == rows == resolution.golden.height
    assert resolution.pairs.height == 0
    assert resolution.xref["golden_id"].n_unique() == rows


def test_survivorship_prefers_trusted_recent_values_and_characters_over_pinyin():
    from assets.resolve.survive import golden_records

    rows = [
        person("S1", source="erp_customers", full_name="Xu Na", birth_date="1990-01-02", phone="13900001111",
               email="xuna@163.com", address_line1="解放路 1号", city="杭州", updated_at="2025-01-01 10:00:00"),
        person("S2", source="crm_contacts", full_name="徐娜", birth_date="1990-02-01", phone="13900002222",
               email="xuna90@qq.com", address_line1="浙江省杭州市西湖区文三路9号", city="杭州",
               updated_at="2026-01-01 10:00:00"),
    ]
    canonical = pl.DataFrame(rows, infer_schema_length=None)
    canonical = canonical.with_columns(pl.lit(None, dtype=pl.String).alias(f) for f in [*CANONICAL_FIELDS, "attributes"]
                                       if f not in canonical.columns)
    staged = standardize_customers(canonical, AS_OF).staged.with_columns(pl.lit("G1").alias("golden_id"))
    golden = golden_records(staged, pl.DataFrame({"golden_id": ["G1"], "customer_kind": ["person"]}),
                            {"erp_customers": 40, "crm_contacts": 30}).row(0, named=True)
    assert golden["full_name"] == "徐娜"  # characters over pinyin
    assert golden["birth_date"] == date(1990, 1, 2)  # the ERP is trusted over the CRM
    assert golden["address_line1"] == "解放路 1号" and golden["city"] == "杭州"  # the address moves as one piece
    assert golden["phones"] == ["+8613900001111", "+8613900002222"] and golden["phone"] == "+8613900001111"
    assert golden["emails"] == ["xuna@163.com", "xuna90@qq.com"] and golden["record_count"] == 2
    assert golden["sources"] == ["crm_contacts", "erp_customers"]
