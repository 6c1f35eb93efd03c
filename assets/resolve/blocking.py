"""Blocking: candidate pairs are the records that share at least one key under some rule.

Each rule names the keys it blocks on; pairs are built per rule by a self-join within the
record's role (persons with persons, companies with companies) and then deduplicated, keeping
which rules found each pair. A key shared by more than ``max_block_size`` records (a company
switchboard, a placeholder value) is skipped and reported: it would add pairs quadratically
and carries little evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class BlockingRule:
    name: str
    keys: tuple[str, ...]  # prepared columns; a list column is exploded (any shared element)
    roles: tuple[str, ...] = ("person", "company")


# Chosen by what each rule finds that no other does, on generated data with its truth (bench/
# bench_resolve.py): name+city, birth date+city and name part+birth date added 2.5M pairs per
# million records for under 0.1% of the true pairs, which other rules mostly link transitively.
BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("phone", ("phone_tails",)),
    BlockingRule("email", ("emails",)),
    BlockingRule("id_number", ("id_number",)),
    BlockingRule("linked_record", ("link_keys",)),  # one names the other, or both name the same record
    BlockingRule("name_birth_date", ("name_key", "birth_date"), ("person",)),
    BlockingRule("name_postcode", ("name_key", "postcode"), ("person",)),
    BlockingRule("phonetic_birth_date", ("phonetic_key", "birth_date"), ("person",)),
    BlockingRule("birth_date_postcode", ("birth_date", "postcode"), ("person",)),
    BlockingRule("company_name", ("company_key",), ("company",)),
    BlockingRule("company_brand_city", ("company_brand", "city"), ("company",)),
    BlockingRule("company_domain", ("email_domains",), ("company",)),
    BlockingRule("street_city", ("street_key", "city"), ("company",)),
)


@dataclass
class Blocked:
    pairs: pl.DataFrame  # rid_l < rid_r, role, rule_mask (bit i: found by rules[i])
    pairs_per_rule: dict[str, int]
    skipped_keys: dict[str, int]


def _rule_keys(prepared: pl.DataFrame, rule: BlockingRule) -> pl.DataFrame:
    frame = prepared.filter(pl.col("role").is_in(list(rule.roles))).select("rid", "role", *rule.keys)
    for key in rule.keys:
        if isinstance(frame.schema[key], pl.List):
            frame = frame.explode(key)
    frame = frame.drop_nulls(list(rule.keys))
    return frame.select("rid", "role", pl.struct(list(rule.keys)).hash(seed=7).alias("key")).unique(["rid", "key"])


def rule_pairs(prepared: pl.DataFrame, rule: BlockingRule, max_block_size: int) -> tuple[pl.DataFrame, int]:
    keys = _rule_keys(prepared, rule)
    sizes = keys.group_by("role", "key").agg(pl.len().alias("n"))
    skipped = sizes.filter(pl.col("n") > max_block_size).height
    keep = sizes.filter((pl.col("n") > 1) & (pl.col("n") <= max_block_size)).select("role", "key")
    keys = keys.join(keep, on=["role", "key"], how="semi")
    pairs = (keys.join(keys, on=["role", "key"], suffix="_r")
             .filter(pl.col("rid") < pl.col("rid_r"))
             .select(pl.col("rid").alias("rid_l"), "rid_r", "role")
             .unique(["rid_l", "rid_r"]))
    return pairs, skipped


def block(prepared: pl.DataFrame, max_block_size: int, rules: tuple[BlockingRule, ...] = BLOCKING_RULES) -> Blocked:
    found, per_rule, skipped = [], {}, {}
    for bit, rule in enumerate(rules):
        pairs, skipped_keys = rule_pairs(prepared, rule, max_block_size)
        per_rule[rule.name] = pairs.height
        if skipped_keys:
            skipped[rule.name] = skipped_keys
        found.append(pairs.with_columns(pl.lit(1 << bit, dtype=pl.UInt32).alias("rule_mask")))
    everything = pl.concat(found) if found else pl.DataFrame(
        schema={"rid_l": pl.UInt32, "rid_r": pl.UInt32, "role": prepared.schema["role"], "rule_mask": pl.UInt32})
    pairs = (everything.group_by("rid_l", "rid_r")
             .agg(pl.col("role").first(), pl.col("rule_mask").sum())
             .sort("rid_l", "rid_r"))
    return Blocked(pairs, per_rule, skipped)


def rule_bit(name: str, rules: tuple[BlockingRule, ...] = BLOCKING_RULES) -> int:
    return 1 << [r.name for r in rules].index(name)


def rule_names(mask: pl.Expr, rules: tuple[BlockingRule, ...] = BLOCKING_RULES) -> pl.Expr:
    """The names of the rules set in a rule mask, as a list."""
    names = [pl.when((mask & (1 << bit)) != 0).then(pl.lit(rule.name)) for bit, rule in enumerate(rules)]
    return pl.concat_list(names).list.drop_nulls()
