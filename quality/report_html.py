"""The quality report: one self-contained HTML page (no scripts, no links out) with what the checks
of the latest run said, by layer and asset, failures first with their samples, and each check's
trend over the runs before; written beside the warehouse after every run."""

from __future__ import annotations

import json
from html import escape

import polars as pl

from quality.history import RunReport, run_report, runs

LAYERS = ("raw", "staging", "core", "marts", "quality")
TREND_RUNS = 30

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;color:#1f2328;padding:0 1rem}
h1{font-size:1.4rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
.meta{color:#59636e}table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}.pass{color:#1a7f37}
.pill{display:inline-block;border-radius:1rem;padding:0 .6rem;margin-right:.4rem;font-weight:600}
.pill.error{background:#ffebe9}.pill.warn{background:#fff8c5}.pill.pass{background:#dafbe1}
pre{margin:0;white-space:pre-wrap;font-size:12px;color:#424a53}details summary{cursor:pointer}
"""


def trend_svg(counts: list[int | None], passed: list[bool], width: int = 150, height: int = 24) -> str:
    """A sparkline of failing rows per run: a dot per run, green when it passed, red when it failed."""
    if not counts:
        return ""
    top = max([c or 0 for c in counts] + [1])
    step = width / max(len(counts) - 1, 1)
    points = [(i * step if len(counts) > 1 else width / 2, height - 3 - (c or 0) / top * (height - 6))
              for i, c in enumerate(counts)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{"#1a7f37" if ok else "#cf222e"}"/>'
                   for (x, y), ok in zip(points, passed))
    return (f'<svg width="{width}" height="{height}" role="img" aria-label="failing rows over the last {len(counts)} runs">'
            f'<polyline points="{line}" fill="none" stroke="#8c959f" stroke-width="1"/>{dots}</svg>')


def _sample(raw) -> str:
    rows = json.loads(raw) if isinstance(raw, str) else (raw or [])
    if not rows:
        return ""
    text = "\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows[:5])
    return f"<details><summary>{len(rows)} sample row{'s' if len(rows) != 1 else ''}</summary><pre>{escape(text)}</pre></details>"


def _status(row: dict) -> str:
    if row["passed"]:
        return '<span class="pass">passed</span>'
    return f'<span class="{row["severity"]}">{"error" if row["severity"] == "error" else "warn"}</span>'


def _layer(asset: str) -> str:
    return asset.split(".", 1)[0] if asset.split(".", 1)[0] in LAYERS else "other"


def _trends(results: pl.DataFrame, report: RunReport) -> dict[tuple[str, str], str]:
    recent = runs(results).filter(pl.col("started") <= report.started).tail(TREND_RUNS).select("run_id", "started")
    history = (results.join(recent, on="run_id").sort("started")
               .group_by("asset", "check_name", maintain_order=True)
               .agg(pl.col("failing_rows"), pl.col("passed")))
    return {(r["asset"], r["check_name"]): trend_svg(r["failing_rows"], r["passed"]) for r in history.iter_rows(named=True)}


def health_section(health: pl.DataFrame) -> str:
    """The latest customer data health figures, each with its trend over the runs before."""
    if health.is_empty():
        return ""
    recent = health.tail(TREND_RUNS)
    latest = recent.row(-1, named=True)
    rows = []
    for column, label, as_share in (("customers", "golden customers", False), ("share_complete", "complete", True),
                                    ("share_stale", "stale", True), ("share_conflicting", "conflicting values", True),
                                    ("share_invalid", "invalid values nulled", True),
                                    ("mean_health_score", "mean health score", False)):
        value = f"{latest[column]:.1%}" if as_share else f"{latest[column]:,}"
        series = [round((v or 0) * 100) if as_share else round(v or 0) for v in recent[column].to_list()]
        rows.append(f"<tr><th>{label}</th><td class='n'>{value}</td><td>{trend_svg(series, [True] * len(series))}</td></tr>")
    return ("<h2>Customer data health</h2><p class='meta'>as of " + escape(str(latest["as_of"]))
            + "; per customer in quality.customer_data_health, per sales owner in quality.data_health_by_owner</p>"
            + "<table><tr><th></th><th>latest</th><th>trend</th></tr>" + "".join(rows) + "</table>")


def render(results: pl.DataFrame, warehouse: str, run_id: str | None = None,
           health: pl.DataFrame | None = None) -> str:
    """The page for ``run_id`` (default the latest run) from ``quality.check_results`` rows."""
    head = f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>crm360 quality</title><style>{STYLE}</style></head><body>"
    report = run_report(results, run_id) if not results.is_empty() else None
    if report is None:
        return f"{head}<h1>crm360 data quality</h1><p class='meta'>No checks recorded yet in {escape(warehouse)}.</p></body></html>"
    failures = report.failures
    warnings = failures.height - report.errors
    parts = [head, "<h1>crm360 data quality</h1>",
             f"<p class='meta'>warehouse {escape(warehouse)} &middot; run {escape(report.run_id)} &middot; "
             f"started {report.started:%Y-%m-%d %H:%M %Z} &middot; {report.previous_runs} runs before it</p>",
             f"<p><span class='pill error'>{report.errors} error</span><span class='pill warn'>{warnings} warn</span>"
             f"<span class='pill pass'>{report.checks.height - failures.height} passed</span></p>"]
    trends = _trends(results, report)
    if not failures.is_empty():
        parts.append("<h2>Failures</h2><table><tr><th>severity</th><th>asset</th><th>check</th><th>failing rows</th>"
                     "<th>failing since</th><th>what</th><th>trend</th></tr>")
        for f in failures.iter_rows(named=True):
            metadata = json.loads(f["metadata"]) if isinstance(f.get("metadata"), str) else (f.get("metadata") or {})
            what = escape(metadata.get("message") or f["description"] or "")
            since = "" if f["failing_since"] is None else f"{f['failing_since']:%Y-%m-%d %H:%M} ({f['failing_runs']} runs)"
            parts.append(f"<tr><td>{_status(f)}</td><td>{escape(f['asset'])}</td><td>{escape(f['check_name'])}</td>"
                         f"<td class='n'>{f['failing_rows'] or 0:,}</td><td>{since}</td><td>{what}{_sample(f['sample'])}</td>"
                         f"<td>{trends.get((f['asset'], f['check_name']), '')}</td></tr>")
        parts.append("</table>")
    if health is not None:
        parts.append(health_section(health))
    checks = report.checks.with_columns(pl.col("asset").map_elements(_layer, return_dtype=pl.String).alias("layer"))
    for layer in [*LAYERS, "other"]:
        rows = checks.filter(pl.col("layer") == layer).sort("asset", "check_name")
        if rows.is_empty():
            continue
        parts.append(f"<h2>{layer}</h2><table><tr><th>asset</th><th>check</th><th>result</th><th>failing rows</th>"
                     "<th>description</th><th>trend</th></tr>")
        for r in rows.iter_rows(named=True):
            parts.append(f"<tr><td>{escape(r['asset'])}</td><td>{escape(r['check_name'])}</td><td>{_status(r)}</td>"
                         f"<td class='n'>{r['failing_rows'] or 0:,}</td><td>{escape(r['description'] or '')}</td>"
                         f"<td>{trends.get((r['asset'], r['check_name']), '')}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
