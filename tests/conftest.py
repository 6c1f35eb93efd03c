"""Small hand-made landing folders: every source, a few rows each, in its real delivery format.

Tests never touch the user's instance: DAGSTER_HOME points at a folder of its own for the whole
session (runs a test starts are recorded there, not in the checkout's .dagster), and the session
fails if the checkout's .dagster or data/ changed while it ran.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from pipelines import warehouse as wh

ROOT = Path(__file__).resolve().parents[1]
USER_STATE = (ROOT / ".dagster", ROOT / "data")  # the instance and demo data `make run` / `make dev` use


def _isolated_dagster_home() -> Path:
    """A DAGSTER_HOME for this test process, with the project's instance settings."""
    home = Path(tempfile.mkdtemp(prefix="crm360-test-dagster-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    shutil.copyfile(ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    return home


os.environ["DAGSTER_HOME"] = str(_isolated_dagster_home())


def state_fingerprint(paths=USER_STATE) -> str:
    """Every file's path, size and modification time under ``paths``."""
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def pytest_sessionstart(session):
    session.config._user_state = state_fingerprint()


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller checks once
        return
    if state_fingerprint() != getattr(session.config, "_user_state", None):
        session.exitstatus = 1
        print(f"\nERROR: the tests changed the user's instance or demo data ({', '.join(map(str, USER_STATE))})")


CONTACTS_HEADER = "联系人编号,姓名,性别,手机,电话,邮箱,公司,职位,省份,城市,地址,邮编,生日,负责人,标签,生命周期阶段,营销同意,同意时间,创建时间,更新时间"
CONTACT_ROWS = [
    "C000001,王伟,男,+86 138 0013 8000,(020) 8888 8888,WangWei@163.com,星辰科技有限公司,经理,广东省,广州,天河路1号,510000,1985/3/7,李娜,高价值;展会,活跃客户,是,2024/03/02 10:15,2024-01-05,2024-06-01",
    "C000002,John Smith,M,(415) 555-0123,,john.smith@gmial.com,Acme Co.,CTO,,San Francisco,1 Market St,94105,05-01-1980,张伟,,潜在客户,否,2024/02/01 00:00,2024/2/1,2024/2/1",
    "C000003,欧阳娜娜,女,０１３９１２３４５６７８,,,,,,北京,朝阳区建国路88号,100020,1990年1月5日,李娜,老客户,新客户,,,45296,45296",
]


def write_erp(path: Path, customers: list[tuple] | None = None) -> None:
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE customers(cust_no TEXT PRIMARY KEY, cust_type TEXT, name TEXT, gender TEXT, birthday TEXT,
            id_number TEXT, mobile TEXT, tel TEXT, email TEXT, country TEXT, province TEXT, city TEXT, district TEXT,
            street TEXT, street_number TEXT, zip TEXT, company TEXT, industry TEXT, company_size TEXT, job_title TEXT,
            created_at TEXT, updated_at TEXT, mkt_consent TEXT, mkt_consent_at TEXT);
        CREATE TABLE products(product_id INTEGER PRIMARY KEY, sku TEXT, name TEXT, category TEXT, unit_price REAL);
        CREATE TABLE orders(order_id INTEGER PRIMARY KEY, cust_no TEXT, order_date TEXT, status TEXT, currency TEXT,
            total_amount REAL, channel TEXT);
        CREATE TABLE order_items(order_id INTEGER, line_no INTEGER, product_id INTEGER, quantity INTEGER,
            unit_price REAL, amount REAL, PRIMARY KEY(order_id, line_no));
    """)
    customers = customers or [
        ("E0001", "P", "王伟", "男", "1985-03-07", "11010519491231002X", "13800138000", None, "wangwei@163.com", "CN",
         "广东", "广州", "天河区", "天河路", "1号", "510000", None, None, None, None, "2023-01-01", "2024-01-01",
         "Y", "2023-01-01 09:12:45"),
        ("E0002", "C", "星辰科技有限公司", None, None, "91350100M000100Y43", "020-88888888", None, "info@xingchen.cn",
         "CN", "广东省", "广州市", None, "天河路", "100号", "510000", "星辰科技有限公司", "软件和信息技术服务业", "中型",
         None, "2022-05-01", "2024-02-01", None, None),  # an older row: never asked for consent
    ]
    # rows of 22 values are an ERP from before the consent columns: those stay NULL
    columns = [row[1] for row in con.execute("PRAGMA table_info(customers)")][:len(customers[0])]
    con.executemany(f"INSERT INTO customers({','.join(columns)}) VALUES ({','.join('?' * len(columns))})", customers)
    con.executemany("INSERT INTO products VALUES (?,?,?,?,?)", [(1, "SKU-1", "路由器", "网络", 199.0), (2, "SKU-2", "交换机", "网络", 899.0)])
    con.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?,?)",
                    [(1, "E0001", "2024-03-01 10:00:00", "paid", "CNY", 1297.0, "online"),
                     (2, "E0002", "2024-04-01 11:00:00", "paid", "CNY", 899.0, "offline")])
    con.executemany("INSERT INTO order_items VALUES (?,?,?,?,?,?)",
                    [(1, 1, 1, 2, 199.0, 398.0), (1, 2, 2, 1, 899.0, 899.0), (2, 1, 2, 1, 899.0, 899.0)])
    con.commit()
    con.close()


def write_landing(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_erp(root / "erp.sqlite")
    (root / "crm_contacts.csv").write_bytes(("\n".join([CONTACTS_HEADER, *CONTACT_ROWS]) + "\n").encode("gbk"))
    tickets = [
        {"ticket_id": "T1", "customer_name": "王先生", "phone": "13800138000", "email": None, "cust_no": "E0001",
         "type": "complaint", "channel": "phone", "subject": "路由器断线", "status": "resolved", "priority": "high",
         "opened_at": "2024-05-01T09:00:00+08:00", "resolved_at": "2024-05-03T18:00:00+08:00"},
        {"ticket_id": "T2", "customer_name": "John Smith", "phone": "+1 415-555-0123", "email": "JOHN.SMITH@gmail.com",
         "cust_no": None, "type": "consultation", "channel": "email", "subject": "pricing", "status": "open",
         "priority": "low", "opened_at": "2024-06-01T01:00:00Z", "resolved_at": None},
    ]
    (root / "service_tickets.jsonl").write_text("\n".join(json.dumps(t, ensure_ascii=False) for t in tickets) + "\n", encoding="utf-8")
    (root / "surveys.csv").write_text(
        "response_id,respondent_email,respondent_phone,ticket_id,order_id,survey_date,csat,nps,comment\n"
        "S1,wangwei@163.com,13800138000,T1,,2024-05-04,2,3,断线太多\n"
        "S2,john.smith@gmail.com,,,1,2024-06-02,5,10,great\n", encoding="utf-8")
    pl.DataFrame({
        "event_id": [1, 2, 3], "campaign_id": ["CMP1"] * 3, "campaign_name": ["双十一"] * 3,
        "channel": ["email"] * 3, "email": ["wangwei@163.com"] * 3, "phone": [None] * 3,
        "event_type": ["sent", "open", "click"],
        "event_time": [datetime(2024, 11, 1, h, tzinfo=timezone.utc) for h in (1, 2, 3)],
    }).write_parquet(root / "campaign_events.parquet")
    registry = [
        {"company_name": "星辰科技有限公司", "uscc": "91350100M000100Y43", "legal_representative": "王伟",
         "registered_capital": "500万人民币", "established": "2010-05-01", "industry": "软件和信息技术服务业",
         "size": "中型", "province": "广东省", "city": "广州市", "address": "天河路100号", "phone": "020-88888888"},
    ]
    (root / "company_registry.json").write_text(json.dumps(registry, ensure_ascii=False), encoding="utf-8")
    return root


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return write_landing(tmp_path / "landing")


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def con(warehouse_file):
    """A warehouse connection with the layer schemas in place."""
    connection = wh.connect(warehouse_file)
    wh.ensure_schemas(connection)
    yield connection
    connection.close()
