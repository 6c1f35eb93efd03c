"""Resolve customer files with their mappings: the function behind `crm360 resolve` (and the benchmark).

Each input is read, mapped onto the canonical fields and standardized exactly as the staging
layer does it, then all are resolved together by the same engine as the core layer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from assets.resolve import engine
from assets.standardize.customers import standardize_customers
from assets.standardize.files import read_any, sibling, write_any
from assets.standardize.mapping import SourceMapping, check_columns, to_canonical
from quality.core_checks import core_checks
from quality.results import CheckOutcome

XREF_COLUMNS = ["source", "record_id", "golden_id", "match_probability", "cluster_size"]


@dataclass(frozen=True)
class ResolveFilesResult:
    records_in: int
    staged: int
    rejected: int
    candidate_pairs: int
    matched_pairs: int
    golden_customers: int
    seconds: float
    output: Path
    rejected_path: Path
    golden_path: Path
    pairs_path: Path
    stats: engine.ResolveStats
    failed_checks: list[CheckOutcome]  # core checks the result does not pass (the files are written all the same)
    resolution: engine.Resolution  # everything resolve() returned, for benchmarks and callers in-process


def pair_mappings(inputs: Sequence[Path], mappings: Sequence[SourceMapping]) -> list[tuple[Path, SourceMapping]]:
    """One mapping per input, in order; a single mapping serves every input."""
    if len(mappings) == 1:
        return [(path, mappings[0]) for path in inputs]
    if len(mappings) != len(inputs):
        raise ValueError(f"{len(inputs)} input files but {len(mappings)} mappings: give one --mapping per input, "
                         "in the same order, or a single --mapping for all of them")
    return list(zip(inputs, mappings))


def read_canonical(path: Path, mapping: SourceMapping, encoding: str = "auto") -> pl.DataFrame:
    frame = read_any(path, encoding)
    check_columns(mapping, frame.columns, str(path))
    frame = frame.with_columns(
        pl.lit(path.name).alias("_source_file"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row_number"),
    )
    return to_canonical(frame, mapping)


def split_repeated_ids(staged: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The first record of each (source, record_id) is kept; later ones are rejected, naming the first."""
    ranked = staged.with_columns(pl.int_range(pl.len()).over("source", "record_id").alias("_seen"),
                                 pl.col("_source_file").first().over("source", "record_id").alias("_first_file"),
                                 pl.col("_row_number").first().over("source", "record_id").alias("_first_row"))
    repeated = ranked.filter(pl.col("_seen") > 0).select(
        "source", "record_id",
        pl.format("duplicate_record_id: {} already has record {} at {} row {}", "source", "record_id", "_first_file",
                  "_first_row").alias("reason"),
        pl.struct([c for c in staged.columns if not c.startswith("_")]).struct.json_encode().alias("record"),
        "_source_file", "_row_number")
    return ranked.filter(pl.col("_seen") == 0).drop("_seen", "_first_file", "_first_row"), repeated


def resolve_files(inputs: Sequence[Path], mappings: Sequence[SourceMapping], output: Path, *,
                  settings: engine.ResolveSettings | None = None, as_of: date | None = None, encoding: str = "auto",
                  progress: engine.Progress | None = None) -> ResolveFilesResult:
    """Standardize and resolve ``inputs``; write the crosswalk to ``output`` and rejected records, golden customers
    and match pairs to its siblings ``.rejected``, ``.golden`` and ``.pairs``."""
    if output.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise ValueError(f"{output}: output must be .csv or .parquet")
    started = time.perf_counter()
    canonical = pl.concat([read_canonical(path, mapping, encoding) for path, mapping in pair_mappings(inputs, mappings)],
                          how="diagonal_relaxed")
    if progress:
        progress(f"standardizing {canonical.height:,} records")
    standardized = standardize_customers(canonical, as_of or date.today())
    staged, repeated = split_repeated_ids(standardized.staged)
    rejected = pl.concat([standardized.quarantined.drop("_loaded_at", strict=False), repeated], how="diagonal_relaxed")
    resolution = engine.resolve(staged, settings=settings, progress=progress)
    paths = {tag: sibling(output, tag) for tag in ("rejected", "golden", "pairs")}
    write_any(resolution.xref.select(XREF_COLUMNS).sort("golden_id", "source", "record_id"), output)
    write_any(rejected, paths["rejected"])
    write_any(resolution.golden, paths["golden"])
    write_any(resolution.pairs, paths["pairs"])
    stats = resolution.stats
    checks = core_checks(staged, resolution.xref, resolution.golden, resolution.pairs, stats.candidate_pairs)
    return ResolveFilesResult(
        records_in=canonical.height, staged=staged.height, rejected=rejected.height,
        candidate_pairs=stats.candidate_pairs, matched_pairs=resolution.pairs.filter(pl.col("decision") == "match").height,
        golden_customers=resolution.golden.height, seconds=time.perf_counter() - started, output=output,
        rejected_path=paths["rejected"], golden_path=paths["golden"], pairs_path=paths["pairs"], stats=stats,
        failed_checks=[c for c in checks if not c.passed], resolution=resolution,
    )
