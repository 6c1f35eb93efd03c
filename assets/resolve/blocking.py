"""Blocking: candidate pairs are the records that share at least one key under some rule.

The rules are derived from the data at hand, not fixed: a library lists every rule the
comparisons could use (single strong fields, and combinations of weaker ones), and a run keeps
those whose fields its records actually hold. Each kept rule is then cut where its keys are too
common: a key shared by more than ``max_block_size`` records (a switchboard, a placeholder) is
skipped, and so are the most common keys past a pair budget per record, so a weak rule (a name
alone) blocks on its rare values and never on 王伟 or John Smith. Pairs are built per rule by a
self-join within the record's role and deduplicated, keeping which rules found each pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

MIN_PRESENT = 0.01  # a rule needs its fields in at least this share of a role's records (and 2 of them)
PAIRS_PER_RECORD = 0.5  # a weak rule's pair budget; past it its most common keys are skipped


@dataclass(frozen=True)
class BlockingRule:
    name: str
    keys: tuple[str, ...]  # prepared columns; a list column is exploded (any shared element)
    agrees: tuple[str, ...]  # comparison fields the rule makes agree: no evidence within its own pairs
    roles: tuple[str, ...] = ("person", "company")
    # a key that names one party (a phone, an id, a company name) is cut only past max_block_size;
    # a combination of weaker fields also past the pair budget
    identifying: bool = False


PERSON = ("person",)
COMPANY = ("company",)
NAME = ("family_name", "given_name")
# Bit i of a pair's rule mask is RULE_LIBRARY[i]; at most 32 rules.
RULE_LIBRARY: tuple[BlockingRule, ...] = (
    BlockingRule("phone", ("phone_tails",), ("phone",), identifying=True),
    BlockingRule("email", ("emails",), ("email",), identifying=True),
    BlockingRule("id_number", ("checked_ids",), ("id_number",), identifying=True),
    BlockingRule("member_id", ("opaque_ids",), ("member_id",), identifying=True),
    # one names the other, or both name the same record
    BlockingRule("linked_record", ("link_keys",), ("link",), identifying=True),
    BlockingRule("name_birth_date", ("name_key", "birth_date"), (*NAME, "birth_date"), PERSON),
    BlockingRule("name_postcode", ("name_key", "postcode"), (*NAME, "postcode"), PERSON),
    BlockingRule("phonetic_birth_date", ("phonetic_key", "birth_date"), ("birth_date",), PERSON),
    BlockingRule("birth_date_postcode", ("birth_date", "postcode"), ("birth_date", "postcode"), PERSON),
    BlockingRule("family_birth_date", ("family_key", "birth_date"), ("family_name", "birth_date"), PERSON),
    BlockingRule("given_birth_date", ("given_key", "birth_date"), ("given_name", "birth_date"), PERSON),
    BlockingRule("name", ("name_key",), NAME, PERSON),
    BlockingRule("given_postcode", ("given_key", "postcode"), ("given_name", "postcode"), PERSON),
    BlockingRule("family_locality", ("family_key", "city"), ("family_name", "locality"), PERSON),
    BlockingRule("number_postcode", ("street_number", "postcode"), ("street_number", "postcode"), PERSON),
    BlockingRule("number_street", ("street_number", "street_name"), ("street_number", "street"), PERSON),
    BlockingRule("street_postcode", ("street_name", "postcode"), ("street", "postcode"), PERSON),
    BlockingRule("birth_date_number", ("birth_date", "street_number"), ("birth_date", "street_number"), PERSON),
    BlockingRule("family_postcode", ("family_key", "postcode"), ("family_name", "postcode"), PERSON),
    BlockingRule("given_number", ("given_key", "street_number"), ("given_name", "street_number"), PERSON),
    BlockingRule("family_number", ("family_key", "street_number"), ("family_name", "street_number"), PERSON),
    BlockingRule("birth_date_locality", ("birth_date", "city"), ("birth_date", "locality"), PERSON),
    BlockingRule("street_locality", ("street_name", "city"), ("street", "locality"), PERSON),
    BlockingRule("postcode_locality", ("postcode", "city"), ("postcode", "locality"), PERSON),
    BlockingRule("birth_date", ("birth_date",), ("birth_date",), PERSON),
    BlockingRule("company_name", ("company_key",), ("company",), COMPANY, identifying=True),
    BlockingRule("company_brand_city", ("company_brand", "city"), ("locality",), COMPANY),
    BlockingRule("company_domain", ("email_domains",), (), COMPANY),
    BlockingRule("street_city", ("street_key", "city"), ("locality",), COMPANY),
)
assert len(RULE_LIBRARY) <= 32, "a pair's rule mask is 32 bits wide"


@dataclass
class RuleReport:
    roles: tuple[str, ...]  # roles the rule ran for (empty: its fields are absent)
    pairs: int = 0
    block_cap: int = 0  # the largest block the rule compared within
    skipped_keys: int = 0  # keys shared by more records than the cap
    matched_alone: int = 0  # accepted pairs no other rule found (filled in after scoring)


@dataclass
class Blocked:
    pairs: pl.DataFrame  # rid_l < rid_r, role, rule_mask (bit i: found by RULE_LIBRARY[i])
    report: dict[str, RuleReport] = field(default_factory=dict)

    @property
    def pairs_per_rule(self) -> dict[str, int]:
        return {name: r.pairs for name, r in self.report.items() if r.roles}

    @property
    def skipped_keys(self) -> dict[str, int]:
        return {name: r.skipped_keys for name, r in self.report.items() if r.skipped_keys}


def _present(prepared: pl.DataFrame, key: str) -> pl.Expr:
    column = pl.col(key)
    return column.list.len() > 0 if isinstance(prepared.schema[key], pl.List) else column.is_not_null()


def applicable_roles(prepared: pl.DataFrame, rules: tuple[BlockingRule, ...]) -> dict[str, tuple[str, ...]]:
    """Per rule, the roles whose records hold its fields often enough to block on (one pass)."""
    having = prepared.group_by("role").agg(
        pl.len().alias("_records"),
        *(pl.all_horizontal(_present(prepared, k) for k in rule.keys).sum().alias(rule.name) for rule in rules))
    counts = {row["role"]: row for row in having.iter_rows(named=True)}
    out = {}
    for rule in rules:
        out[rule.name] = tuple(
            role for role in rule.roles
            if role in counts and counts[role]["_records"] >= 2 and counts[role][rule.name] >= 2
            and counts[role][rule.name] >= MIN_PRESENT * counts[role]["_records"])
    return out


def _has_lists(prepared: pl.DataFrame, rule: BlockingRule) -> bool:
    return any(isinstance(prepared.schema[k], pl.List) for k in rule.keys)


def _rule_keys(prepared: pl.DataFrame, rule: BlockingRule, roles: tuple[str, ...]) -> pl.DataFrame:
    frame = prepared.lazy().filter(pl.col("role").is_in(list(roles))).select("rid", "role", *rule.keys)
    for key in rule.keys:
        if isinstance(prepared.schema[key], pl.List):
            frame = frame.explode(key)
    keys = frame.drop_nulls(list(rule.keys)).select(
        "rid", "role", pl.struct(list(rule.keys)).hash(seed=7).alias("key"))
    # a record holds one key of a rule on scalar fields; several (some repeated) on list fields
    return (keys.unique(["rid", "key"]) if _has_lists(prepared, rule) else keys).collect()


def block_cap(sizes: pl.Series, records: int, max_block_size: int) -> int:
    """The largest block size whose blocks, with all smaller ones, stay within the pair budget."""
    sizes = sizes.filter((sizes > 1) & (sizes <= max_block_size)).sort()
    if sizes.len() == 0:
        return max_block_size
    pairs = (sizes * (sizes - 1) // 2).cum_sum()
    within = sizes.filter(pairs <= PAIRS_PER_RECORD * max(records, 1))
    if within.len() == sizes.len():
        return max_block_size
    return int(within.max()) if within.len() else 1


def rule_pairs(prepared: pl.DataFrame, rule: BlockingRule, roles: tuple[str, ...],
               max_block_size: int, focus: pl.Series | None = None) -> tuple[pl.DataFrame, RuleReport]:
    """The rule's pairs; with ``focus`` (rids), only the pairs with at least one of them, out of the
    same blocks (cut at the same caps) as without it."""
    keys = _rule_keys(prepared, rule, roles)
    sizes = keys.group_by("role", "key").agg(pl.len().alias("n"))
    cap = max_block_size if rule.identifying else block_cap(sizes["n"].cast(pl.Int64), keys["rid"].n_unique(), max_block_size)
    skipped = sizes.filter(pl.col("n") > cap).height
    keep = sizes.filter((pl.col("n") > 1) & (pl.col("n") <= cap)).select("role", "key")
    keys = keys.join(keep, on=["role", "key"], how="semi")
    if focus is None:
        pairs = (keys.lazy().join(keys.lazy(), on=["role", "key"], suffix="_r")
                 .filter(pl.col("rid") < pl.col("rid_r"))
                 .select(pl.col("rid").alias("rid_l"), "rid_r", "role"))
        # two records sharing several list elements (two phones) meet once
        pairs = (pairs.unique(["rid_l", "rid_r"]) if _has_lists(prepared, rule) else pairs).collect()
    else:
        pairs = (keys.lazy().filter(pl.col("rid").is_in(focus.implode()))
                 .join(keys.lazy(), on=["role", "key"], suffix="_r").filter(pl.col("rid") != pl.col("rid_r"))
                 .select(pl.min_horizontal("rid", "rid_r").alias("rid_l"), pl.max_horizontal("rid", "rid_r").alias("rid_r"),
                         "role")
                 .unique(["rid_l", "rid_r"]).collect())
    return pairs, RuleReport(roles, pairs.height, cap, skipped)


PAIR_BASE = 1 << 32  # a pair as one 64-bit key: rid_l * PAIR_BASE + rid_r


def block(prepared: pl.DataFrame, max_block_size: int, rules: tuple[BlockingRule, ...] = RULE_LIBRARY,
          focus: pl.Series | None = None) -> Blocked:
    """Candidate pairs of ``prepared``; with ``focus`` (rids), only those involving one of them."""
    found, report = [], {}
    applicable = applicable_roles(prepared, rules)
    for rule in rules:
        roles = applicable[rule.name]
        if not roles:
            report[rule.name] = RuleReport(())
            continue
        pairs, report[rule.name] = rule_pairs(prepared, rule, roles, max_block_size, focus)
        # each rule's pairs as bare 64-bit keys: the union of millions of pairs is one integer group-by
        found.append(pairs.select((pl.col("rid_l").cast(pl.UInt64) * PAIR_BASE + pl.col("rid_r")).alias("pair"),
                                  pl.lit(rule_bit(rule.name), dtype=pl.UInt32).alias("rule_mask")))
        del pairs
    everything = pl.concat(found) if found else pl.DataFrame(schema={"pair": pl.UInt64, "rule_mask": pl.UInt32})
    del found
    union = everything.group_by("pair").agg(pl.col("rule_mask").sum()).sort("pair")
    del everything
    rid_l = (union["pair"] // PAIR_BASE).cast(pl.UInt32)
    pairs = pl.DataFrame({"rid_l": rid_l, "rid_r": (union["pair"] % PAIR_BASE).cast(pl.UInt32),
                          "role": prepared["role"].gather(rid_l), "rule_mask": union["rule_mask"]})
    return Blocked(pairs, report)


def rule_bit(name: str) -> int:
    return 1 << [r.name for r in RULE_LIBRARY].index(name)


def rule_names(masks: pl.Series) -> pl.Series:
    """The names of the rules set in each rule mask, as a list (worked out once per distinct mask)."""
    distinct = masks.unique().to_list()
    names = {m: [r.name for bit, r in enumerate(RULE_LIBRARY) if m is not None and m & (1 << bit)] for m in distinct}
    lookup = pl.DataFrame({"mask": distinct, "rules": [names[m] for m in distinct]},
                          schema={"mask": masks.dtype, "rules": pl.List(pl.String)})
    return masks.to_frame("mask").join(lookup, on="mask", how="left", maintain_order="left")["rules"]


def count_matched_alone(report: dict[str, RuleReport], accepted_masks: pl.Series) -> None:
    """For each rule, the accepted pairs it found and no other rule did: what the rule is for."""
    counts = accepted_masks.value_counts()
    alone = dict(zip(counts[accepted_masks.name].to_list(), counts["count"].to_list()))
    for rule in RULE_LIBRARY:
        if rule.name in report:
            report[rule.name].matched_alone = int(alone.get(rule_bit(rule.name), 0))
