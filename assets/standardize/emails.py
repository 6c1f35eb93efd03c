"""Email addresses: trimmed and lower-cased, common domain typos corrected, plus a key for matching.

The regex fast path only accepts what ``email_validator`` would also accept. The validator runs on
the distinct leftovers only: per distinct domain when just the domain is unusual (internationalized
names), per distinct address otherwise. No DNS or network lookups are ever made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import polars as pl

from assets.standardize.distinct import distinct_lookup, per_distinct_text
from assets.standardize.reference.text import strip_invisible
from email_validator import EmailNotValidError, validate_email

# Explicit corrections; they win over the generated provider slips below.
DOMAIN_TYPOS: dict[str, str] = {
    "gmial.com": "gmail.com",
    "gmai.com": "gmail.com",
    "gmail.co": "gmail.com",
    "gamil.com": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmail.co": "hotmail.com",
    "hotmai.com": "hotmail.com",
    "yaho.com": "yahoo.com",
    "yahoo.co": "yahoo.com",
    "163.con": "163.com",
    "163.cm": "163.com",
    "163.co": "163.com",
    "126.con": "126.com",
    "qq.co": "qq.com",
    "qq.con": "qq.com",
    "qq.cm": "qq.com",
    "outlok.com": "outlook.com",
    "sina.con": "sina.com",
    "icloud.co": "icloud.com",
    "foxmial.com": "foxmail.com",
}

# Mailbox providers common in Chinese and English-speaking customer data.
MAIL_PROVIDERS: tuple[str, ...] = (
    "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com", "aol.com", "hotmail.co.uk", "yahoo.co.uk", "163.com", "126.com", "qq.com", "sina.com", "sina.cn", "sohu.com", "139.com",
    "189.cn", "yeah.net", "foxmail.com", "aliyun.com", "tom.com", "bigpond.com", "btinternet.com",
    "protonmail.com",
)
# Local parts of shared mailboxes: at a company's own domain they speak for the company, not a person.
ROLE_MAILBOXES: tuple[str, ...] = (
    "info", "office", "admin", "contact", "contactus", "sales", "service", "services", "support", "help",
    "helpdesk", "hr", "jobs", "careers", "marketing", "enquiries", "enquiry", "inquiries", "inquiry", "hello",
    "team", "billing", "accounts", "finance", "purchasing", "procurement", "orders", "customerservice", "cs",
    "kefu", "reception", "business", "bd", "webmaster", "postmaster",
)
# Real domains a slip of a provider's name could land on; never "corrected".
_REAL_LOOKALIKES = frozenset({"mail.com", "cloud.com", "gmx.com", "gail.com"})
_TLD_SLIPS: dict[str, tuple[str, ...]] = {
    "com": ("con", "cm", "co", "cmo", "comm", "vom", "xom", "ocm"),
    "net": ("ne", "nte", "met", "bet"),
    "cn": ("cm", "cnn"),
}


def _provider_slips(providers: tuple[str, ...]) -> dict[str, str]:
    """Swapped neighbours, a dropped or doubled inner letter, and TLD slips of each provider domain."""
    slips: dict[str, set[str]] = {}
    for domain in providers:
        label, tld = domain.split(".", 1)
        variants = {f"{label}.{slip}" for slip in _TLD_SLIPS.get(tld, ())}
        if len(label) >= 4:
            variants |= {label[:i] + label[i + 1] + label[i] + label[i + 2:] for i in range(len(label) - 1)}
            variants = {v if "." in v else f"{v}.{tld}" for v in variants}
        if len(label) >= 5:
            variants |= {f"{label[:i] + label[i + 1:]}.{tld}" for i in range(1, len(label))}
            variants |= {f"{label[:i] + label[i] + label[i:]}.{tld}" for i in range(len(label))}
        for variant in variants - set(providers) - _REAL_LOOKALIKES:
            slips.setdefault(variant, set()).add(domain)
    return {variant: targets.pop() for variant, targets in slips.items() if len(targets) == 1}


_DOMAIN_CORRECTIONS: dict[str, str] = {**_provider_slips(MAIL_PROVIDERS), **DOMAIN_TYPOS}
_CON_TLD = r"\.con(\.[a-z]{2})?$"  # .con is no TLD: .con, .con.cn, .con.au are slips of .com

# Domains whose mailboxes ignore dots in the local part; the value is the domain used in match keys.
DOTLESS_DOMAINS: dict[str, str] = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

EMAIL_FIELDS = pl.Struct(
    {"value": pl.String, "domain": pl.String, "corrected_from": pl.String, "match_key": pl.String, "issue": pl.String}
)

_FAST_LOCAL = r"^[a-z0-9_+\-]+(?:\.[a-z0-9_+\-]+)*$"
_FAST_DOMAIN = r"^(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
_RESERVED_TLD = r"\.(?:arpa|invalid|local|localhost|onion|test)$"
_MAX_ADDRESS_CHARS = 320
_MAX_ADDRESS_OCTETS = 254
_VALIDATED_DOMAIN = pl.Struct({"domain": pl.String, "octets": pl.Int64})


def _validated_address(address: str) -> str | None:
    """The validator's normalized form, lower-cased, or None when the syntax is unusable."""
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except (EmailNotValidError, ValueError, UnicodeError):
        return None


def _validated_domain(domain: str) -> dict[str, object] | None:
    """The validator's normalized domain and its longest encoding (for the whole address's length limit).

    Used for addresses whose local part the regex already accepts, so it runs once per domain.
    """
    try:
        checked = validate_email(f"x@{domain}", check_deliverability=False)
    except (EmailNotValidError, ValueError, UnicodeError):
        return None
    encodings = (domain.encode(), checked.domain.encode(), checked.ascii_domain.encode())
    return {"domain": checked.domain.lower(), "octets": max(map(len, encodings))}






def _before_last_at(address: str, domain: str) -> pl.Expr:
    return pl.col(address).str.slice(0, pl.col(address).str.len_chars() - pl.col(domain).str.len_chars() - 1)


def standardize_email(expr: pl.Expr) -> pl.Expr:
    """Struct of ``value`` (lower-cased address), ``domain``, ``corrected_from``, ``match_key``, ``issue``.

    ``value`` keeps dots and ``+tags`` so the address still delivers; ``match_key`` drops ``+tags``
    (and Gmail's ignored dots) so two spellings of one mailbox compare equal. Invisible characters
    (zero-width space, soft hyphen, bidi marks ...) are removed before parsing, silently.
    """
    transform = partial(per_distinct_text, transform=lambda distinct: _standardize_emails(distinct["raw"]))
    return expr.map_batches(transform, return_dtype=EMAIL_FIELDS)


def _standardize_emails(raw: pl.Series) -> pl.Series:
    """All fields in one pass over distinct texts, so the validator runs once per distinct leftover."""
    text = (
        strip_invisible(pl.col("raw"))
        .str.normalize("NFKC")
        .str.replace_all("。", ".", literal=True)
        .str.strip_chars()
        .str.to_lowercase()
        .str.strip_prefix("mailto:")
        .str.strip_chars("<> \t")
    )
    frame = raw.rename("raw").to_frame().select(text=text).with_columns(
        blank=pl.col("text").is_null() | (pl.col("text") == ""),
        domain=pl.col("text").str.extract(r"@([^@]*)$"),
    ).with_columns(local=_before_last_at("text", "domain"))
    corrected_domain = pl.col("domain").replace(_DOMAIN_CORRECTIONS).str.replace(_CON_TLD, ".com${1}")
    frame = frame.with_columns(corrected_domain=corrected_domain).with_columns(
        is_corrected=(pl.col("domain") != pl.col("corrected_domain")).fill_null(False)
    )
    candidate = (
        pl.when(pl.col("is_corrected"))
        .then(pl.col("local") + "@" + pl.col("corrected_domain"))
        .otherwise(pl.col("text"))
    )
    frame = frame.with_columns(candidate=candidate).with_columns(
        local_ok=(
            pl.col("local").str.contains(_FAST_LOCAL) & (pl.col("local").str.len_bytes() <= 64)
        ).fill_null(False),
        domain_ok=(
            pl.col("corrected_domain").str.contains(_FAST_DOMAIN)
            & ~pl.col("corrected_domain").str.contains(_RESERVED_TLD)
            & ~pl.col("corrected_domain").str.contains("--", literal=True)
        ).fill_null(False),
        length=pl.col("candidate").str.len_chars().fill_null(0),
    )
    fast_ok = pl.col("local_ok") & pl.col("domain_ok") & (pl.col("candidate").str.len_bytes() <= _MAX_ADDRESS_OCTETS)
    domain_route = pl.col("local_ok") & ~pl.col("domain_ok") & (pl.col("length") <= _MAX_ADDRESS_CHARS)
    address_route = ~pl.col("local_ok") & pl.col("candidate").str.contains("@", literal=True) & (
        pl.col("length") <= _MAX_ADDRESS_CHARS
    )
    frame = frame.with_columns(fast_ok=fast_ok.fill_null(False))
    odd_domains = frame.select(pl.when(domain_route).then(pl.col("corrected_domain"))).to_series()
    odd_addresses = frame.select(pl.when(address_route).then(pl.col("candidate"))).to_series()
    frame = frame.with_columns(
        valid_domain=distinct_lookup(odd_domains, _validated_domain, _VALIDATED_DOMAIN),
        valid_address=distinct_lookup(odd_addresses, _validated_address, pl.String),
    )
    domain_fits = pl.col("local").str.len_bytes() + 1 + pl.col("valid_domain").struct["octets"] <= _MAX_ADDRESS_OCTETS
    with_valid_domain = pl.when(domain_fits).then(pl.col("local") + "@" + pl.col("valid_domain").struct["domain"])
    frame = frame.with_columns(
        value=pl.when(pl.col("fast_ok"))
        .then(pl.col("candidate"))
        .otherwise(pl.coalesce(with_valid_domain, "valid_address"))
    ).with_columns(
        value_domain=pl.col("value").str.extract(r"@([^@]*)$"),
    ).with_columns(value_local=_before_last_at("value", "value_domain"))
    untagged = pl.col("value_local").str.replace(r"^([^+]+)\+.*$", "${1}")
    dotless_domain = pl.col("value_domain").replace_strict(DOTLESS_DOMAINS, default=None, return_dtype=pl.String)
    match_key = (
        pl.when(dotless_domain.is_not_null())
        .then(untagged.str.replace_all(".", "", literal=True) + "@" + dotless_domain)
        .otherwise(untagged + "@" + pl.col("value_domain"))
    )
    corrected_from = pl.when(pl.col("value").is_not_null() & pl.col("is_corrected")).then(pl.col("domain"))
    issue = (
        pl.when(pl.col("blank"))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("value").is_null())
        .then(pl.lit("email_syntax"))
        .when(pl.col("is_corrected"))
        .then(pl.lit("email_domain_corrected"))
    )
    return frame.select(
        pl.struct(
            value="value", domain="value_domain", corrected_from=corrected_from, match_key=match_key, issue=issue
        )
    ).to_series()


_ROLE_LOCAL = rf"^(?:{'|'.join(ROLE_MAILBOXES)})[\d._-]*@"
_PROVIDER_DOMAIN = rf"@(?:[^@]+\.)?(?:{'|'.join(map(re.escape, MAIL_PROVIDERS))})$"


def is_company_mailbox(address: pl.Expr) -> pl.Expr:
    """A standardized address that is a role mailbox (info@, sales2@ ...) at a domain no mailbox provider owns
    (office@huatianelec.com.cn, not info@163.com or info@vip.163.com): whoever writes from it, it speaks
    for a company."""
    return address.str.contains(_ROLE_LOCAL) & ~address.str.contains(_PROVIDER_DOMAIN)
