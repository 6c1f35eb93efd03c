"""`crm360 resolve`: files and mappings in, a crosswalk plus golden customers, pairs and rejects out."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.cli import main

MAPPING = """
source: {source}
id: cust_id
default_country: CN
fields:
  full_name: name
  birth_date: born
  id_number: idno
  address_line1: addr
  city: city
"""
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平"]
STREETS = ["建国路", "人民路", "解放路", "中山路", "天河路", "长安街", "南京路", "淮海路"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都"]
AREAS = ["110105", "310104", "440106", "440304", "330106", "510107"]
RIC_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]


def resident_id(area: str, born: date, sequence: int) -> str:
    body = f"{area}{born:%Y%m%d}{sequence:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, RIC_WEIGHTS)) % 11]


def people(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
        city = rng.randrange(len(CITIES))
        rows.append({"name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES) + i) % len(GIVEN)],
                     "born": born.isoformat(), "idno": resident_id(AREAS[city], born, rng.randrange(1, 999)),
                     "addr": f"{STREETS[rng.randrange(len(STREETS))]}{rng.randrange(1, 300)}号", "city": CITIES[city]})
    return rows


def write_csv(path, rows: list[dict]) -> None:
    pl.DataFrame(rows, schema={c: pl.String for c in ("cust_id", "name", "born", "idno", "addr", "city")}).write_csv(path)


@pytest.fixture
def two_shops(tmp_path):
    """Shop A knows 150 people; shop B knows 60 of them again (birth date written another way) and 60 others.
    Two of B's others share a name and birth date with one of A's people but have another id number."""
    known, others = people(150, seed=1), people(60, seed=2)
    a_rows = [{"cust_id": f"A{i}", **p} for i, p in enumerate(known)]
    twin = {**known[0], "idno": resident_id("440106", date.fromisoformat(known[0]["born"]), 998), "addr": "人民路8号"}
    b_rows = ([{"cust_id": f"B{i}", **p, "born": p["born"].replace("-", "/")} for i, p in enumerate(known[:60])]
              + [{"cust_id": f"B{60 + i}", **p} for i, p in enumerate(others)] + [{"cust_id": "B999", **twin}])
    write_csv(tmp_path / "a.csv", a_rows)
    write_csv(tmp_path / "b.csv", b_rows)
    for source in ("shop_a", "shop_b"):
        (tmp_path / f"{source}.yaml").write_text(MAPPING.format(source=source), encoding="utf-8")
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(main, ["resolve", *map(str, args)])


def test_same_person_in_two_files_shares_a_golden_id_and_different_people_do_not(two_shops):
    out = two_shops / "xref.csv"
    result = invoke(two_shops / "a.csv", two_shops / "b.csv", "--mapping", two_shops / "shop_a.yaml",
                    "--mapping", two_shops / "shop_b.yaml", "--output", out, "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    xref = pl.read_csv(out, infer_schema=False)
    assert xref.columns == ["source", "record_id", "golden_id", "match_probability", "cluster_size"]
    assert xref.height == 150 + 121 and xref.select("source", "record_id").is_unique().all()
    golden_of = dict(zip(xref["record_id"], xref["golden_id"]))
    assert all(golden_of[f"A{i}"] == golden_of[f"B{i}"] for i in range(60))
    assert len({golden_of[f"A{i}"] for i in range(150)}) == 150  # nobody within shop A merged
    assert golden_of["B999"] != golden_of["A0"]  # same name and birth date, another id number
    golden = pl.read_csv(two_shops / "xref.golden.csv", infer_schema=False)
    assert golden.height == xref["golden_id"].n_unique() == 150 + 61
    pairs = pl.read_csv(two_shops / "xref.pairs.csv", infer_schema=False)
    assert {"family_name_level", "given_name_level", "id_number_weight", "match_probability", "decision"} <= set(pairs.columns)
    assert pairs.filter(pl.col("decision") == "match").height >= 60
    for words in ("records in", "271", "golden customers", "211", "matched pairs"):
        assert words in result.output


def test_one_mapping_serves_every_input_and_repeated_record_ids_are_rejected_with_reasons(two_shops, tmp_path):
    rows = people(2, seed=5)
    write_csv(tmp_path / "c1.csv", [{"cust_id": "1", **rows[0]}, {"cust_id": "2", **rows[0]}, {"cust_id": "3", "name": "无名"}])
    write_csv(tmp_path / "c2.csv", [{"cust_id": "2", **rows[1]}])
    out = tmp_path / "out.parquet"
    result = invoke(tmp_path / "c1.csv", tmp_path / "c2.csv", "--mapping", two_shops / "shop_a.yaml", "--output", out)
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out)["record_id"].sort().to_list() == ["1", "2"]
    rejected = pl.read_parquet(tmp_path / "out.rejected.parquet").sort("_source_file")
    assert rejected.select("record_id", "_source_file", "_row_number").rows() == [("3", "c1.csv", 3), ("2", "c2.csv", 1)]
    assert rejected["reason"][0].startswith("no_usable_identifier")
    assert rejected["reason"][1] == "duplicate_record_id: shop_a already has record 2 at c1.csv row 2"


def test_records_without_any_candidate_pair_resolve_each_to_their_own_customer(two_shops, tmp_path):
    rows = people(2, seed=5)
    write_csv(tmp_path / "c.csv", [{"cust_id": "1", **rows[0]}, {"cust_id": "2", **rows[1]}])
    result = invoke(tmp_path / "c.csv", "--mapping", two_shops / "shop_a.yaml", "--output", tmp_path / "x.csv")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(tmp_path / "x.csv")["golden_id"].n_unique() == 2


def test_mapping_count_that_fits_no_input_is_one_clear_line(two_shops):
    result = invoke(two_shops / "a.csv", two_shops / "b.csv", two_shops / "a.csv", "--mapping", two_shops / "shop_a.yaml",
                    "--mapping", two_shops / "shop_b.yaml", "--output", two_shops / "x.csv")
    assert result.exit_code == 2
    assert "3 input files but 2 mappings" in result.output and "Traceback" not in result.output


def test_missing_column_names_the_file_and_column(two_shops, tmp_path):
    (tmp_path / "bad.csv").write_text("cust_id,name\n1,王伟\n", encoding="utf-8")
    result = invoke(tmp_path / "bad.csv", "--mapping", two_shops / "shop_a.yaml", "--output", tmp_path / "x.csv")
    assert result.exit_code == 2
    assert "bad.csv: column 'born' named by the mapping of 'shop_a' is not in the data" in result.output
