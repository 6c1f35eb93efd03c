"""standardize_email: trimming and case, domain typo corrections, match keys, and the validator's role."""

from __future__ import annotations

import polars as pl
import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.standardize import emails
from assets.standardize.emails import DOMAIN_TYPOS, is_company_mailbox, standardize_email

EMAIL_ALPHABET = st.sampled_from(list("abcXYZ019._+-@＠。．\"' <>!#中文") + ["\x00", "\u3000"])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def standardized(values: list[str | None]) -> pl.DataFrame:
    frame = pl.DataFrame({"raw": values}, schema={"raw": pl.String})
    return frame.select(std=standardize_email(pl.col("raw"))).unnest("std")


@pytest.mark.parametrize(
    ("raw", "value", "domain", "corrected_from", "match_key", "issue"),
    [
        ("wangwei@163.com", "wangwei@163.com", "163.com", None, "wangwei@163.com", None),
        ("  WangWei@163.COM ", "wangwei@163.com", "163.com", None, "wangwei@163.com", None),
        ("John.Smith+news@Gmail.com", "john.smith+news@gmail.com", "gmail.com", None, "johnsmith@gmail.com", None),
        ("j.o.h.n@googlemail.com", "j.o.h.n@googlemail.com", "googlemail.com", None, "john@gmail.com", None),
        ("mary.jones+crm@outlook.com", "mary.jones+crm@outlook.com", "outlook.com", None, "mary.jones@outlook.com", None),
        ("12345678@qq.com", "12345678@qq.com", "qq.com", None, "12345678@qq.com", None),
        ("wang_wei-1@sina.com.cn", "wang_wei-1@sina.com.cn", "sina.com.cn", None, "wang_wei-1@sina.com.cn", None),
        ("ｗａｎｇ＠１６３．ｃｏｍ", "wang@163.com", "163.com", None, "wang@163.com", None),
        ("li.na＠qq。com", "li.na@qq.com", "qq.com", None, "li.na@qq.com", None),
        ("mailto:info@acme.co.uk", "info@acme.co.uk", "acme.co.uk", None, "info@acme.co.uk", None),
        ("<info@acme.com>", "info@acme.com", "acme.com", None, "info@acme.com", None),
        ("john.smith@gmial.com", "john.smith@gmail.com", "gmail.com", "gmial.com", "johnsmith@gmail.com",
         "email_domain_corrected"),
        ("WangWei@163.con", "wangwei@163.com", "163.com", "163.con", "wangwei@163.com", "email_domain_corrected"),
        ("zhang@qq.co", "zhang@qq.com", "qq.com", "qq.co", "zhang@qq.com", "email_domain_corrected"),
        ("x@hotmial.com", "x@hotmail.com", "hotmail.com", "hotmial.com", "x@hotmail.com", "email_domain_corrected"),
        ("li@sian.com", "li@sina.com", "sina.com", "sian.com", "li@sina.com", "email_domain_corrected"),
        ("a@icoud.com", "a@icloud.com", "icloud.com", "icoud.com", "a@icloud.com", "email_domain_corrected"),
        ("sales@acme.con.cn", "sales@acme.com.cn", "acme.com.cn", "acme.con.cn", "sales@acme.com.cn",
         "email_domain_corrected"),
        ("jo@optusnet.con.au", "jo@optusnet.com.au", "optusnet.com.au", "optusnet.con.au", "jo@optusnet.com.au",
         "email_domain_corrected"),
        ("jo@falcon.com", "jo@falcon.com", "falcon.com", None, "jo@falcon.com", None),
        ("o'neil@example.com", "o'neil@example.com", "example.com", None, "o'neil@example.com", None),
        ("用户@例子.中国", "用户@例子.中国", "例子.中国", None, "用户@例子.中国", None),
        ("user@xn--fsqu00a.xn--fiqs8s", "user@例子.中国", "例子.中国", None, "user@例子.中国", None),
        ("wangwei163.com", None, None, None, None, "email_syntax"),
        ("wang wei@163.com", None, None, None, None, "email_syntax"),
        ("wang..wei@163.com", None, None, None, None, "email_syntax"),
        ("wang@@163.com", None, None, None, None, "email_syntax"),
        ("wang@163", None, None, None, None, "email_syntax"),
        ("wang@host.test", None, None, None, None, "email_syntax"),
        ("无", None, None, None, None, "email_syntax"),
        ("", None, None, None, None, None),
        (None, None, None, None, None, None),
    ],
)
def test_real_world_email_spellings(raw, value, domain, corrected_from, match_key, issue):
    row = standardized([raw]).row(0, named=True)
    assert row == {"value": value, "domain": domain, "corrected_from": corrected_from, "match_key": match_key,
                   "issue": issue}


@pytest.mark.parametrize(
    ("address", "company"),
    [
        ("office@huatianelec.com.cn", True),
        ("sales2@acme.co.uk", True),
        ("hr@acme.com", True),
        ("info@163.com", False),
        ("info@vip.163.com", False),
        ("support@gmail.com", False),
        ("john.smith@acme.com", False),
        ("sales.john@acme.com", False),
        ("information@acme.com", False),
        (None, None),
    ],
)
def test_role_mailboxes_at_company_domains(address, company):
    frame = pl.DataFrame({"address": [address]}, schema={"address": pl.String})
    assert frame.select(is_company_mailbox(pl.col("address"))).item() is company


@pytest.mark.parametrize(("typo", "domain"), sorted(DOMAIN_TYPOS.items()))
def test_every_listed_domain_typo_is_corrected(typo, domain):
    row = standardized([f"someone@{typo}"]).row(0, named=True)
    assert (row["value"], row["corrected_from"], row["issue"]) == (f"someone@{domain}", typo, "email_domain_corrected")


def test_plausible_country_domains_are_not_guessed_at():
    assert standardized(["info@acme.cm"])["value"].to_list() == ["info@acme.cm"]


def test_validator_runs_once_per_distinct_leftover(monkeypatch):
    addresses: list[str] = []
    domains: list[str] = []
    validate_address, validate_domain = emails._validated_address, emails._validated_domain
    monkeypatch.setattr(emails, "_validated_address", lambda a: addresses.append(a) or validate_address(a))
    monkeypatch.setattr(emails, "_validated_domain", lambda d: domains.append(d) or validate_domain(d))
    values = ["a@qq.com", "\"quoted\"@x.com", "用户@例子.中国", "li@例子.中国", " LI@例子.中国", "o'neil@x.com"] * 1_000
    out = standardized(values)
    assert out["value"].null_count() == 1_000
    assert sorted(addresses) == ["\"quoted\"@x.com", "o'neil@x.com", "用户@例子.中国"]
    assert domains == ["例子.中国"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.emails(), min_size=1, max_size=20))
def test_valid_addresses_are_kept(addresses):
    out = standardized(addresses)
    assert out["value"].null_count() == 0


@FUZZ
@given(st.lists(st.one_of(st.none(), st.text(), st.text(EMAIL_ALPHABET, max_size=30), st.emails()), max_size=20))
def test_never_raises_is_idempotent_and_every_value_passes_the_validator(values):
    first = standardized(values)
    for value in first["value"].drop_nulls():
        validate_email(value, check_deliverability=False)
    again = standardized(first["value"].to_list())
    assert again["value"].to_list() == first["value"].to_list()
    assert again["issue"].drop_nulls().to_list() == []
