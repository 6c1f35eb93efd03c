"""Alerts for on-call: one Slack-compatible message per run that failed or had a failed check,
posted to a webhook. Posting is best effort: retried, logged, never an exception."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

SHOWN_FAILURES = 10


@dataclass(frozen=True)
class FailedCheck:
    asset: str
    check: str
    severity: str  # error | warn
    failing_rows: int | None = None
    sample: dict[str, Any] | None = None  # one failing row, lineage included
    message: str | None = None  # what the check found, in one line


@dataclass(frozen=True)
class RunAlert:
    run_id: str
    job: str
    failed: bool  # the run itself failed (a step error or a check of severity error)
    failures: list[FailedCheck] = field(default_factory=list)
    error: str | None = None  # the run's one-line error, when it failed
    url: str | None = None  # the run in the Dagster UI
    partition: str | None = None


def _line(check: FailedCheck) -> str:
    rows = f" ({check.failing_rows:,} rows)" if check.failing_rows else ""
    what = f": {check.message}" if check.message else ""
    sample = f"\n    e.g. `{json.dumps(check.sample, ensure_ascii=False, default=str)}`" if check.sample else ""
    return f"• *{check.severity}* `{check.asset}` {check.check}{rows}{what}{sample}"


def alert_payload(alert: RunAlert) -> dict[str, Any]:
    """Slack's incoming-webhook shape: ``text`` for notifications, ``blocks`` for the message."""
    errors = sum(f.severity == "error" for f in alert.failures)
    head = (f"crm360 run {alert.run_id[:8]}" + (f" ({alert.partition})" if alert.partition else "")
            + (" failed" if alert.failed else " succeeded with failed checks")
            + f": {errors} error, {len(alert.failures) - errors} warn")
    lines = [_line(f) for f in sorted(alert.failures, key=lambda f: (f.severity != "error", f.asset, f.check))]
    if len(lines) > SHOWN_FAILURES:
        lines = [*lines[:SHOWN_FAILURES], f"… and {len(lines) - SHOWN_FAILURES} more"]
    body = "\n".join(([f"*{alert.error}*"] if alert.error else []) + lines) or "no check failed; see the run"
    link = f"<{alert.url}|run {alert.run_id}>" if alert.url else f"run {alert.run_id}"
    return {
        "text": head,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{head}*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:2900]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{alert.job} · {link}"}]},
        ],
    }


def post_json(url: str, payload: dict[str, Any], attempts: int = 3, backoff_seconds: float = 1.0,
              timeout: float = 10.0, sleep: Callable[[float], None] = time.sleep) -> bool:
    """POST ``payload``; retried with a growing pause on an error or a non-2xx answer. True when delivered."""
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the operator's URL
                if 200 <= response.status < 300:
                    return True
                problem = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            problem = str(getattr(exc, "reason", exc))
        log.warning("alert webhook: attempt %d of %d failed (%s)", attempt, attempts, problem)
        if attempt < attempts:
            sleep(backoff_seconds * 2 ** (attempt - 1))
    log.error("alert webhook: not delivered after %d attempts; the run's outcome is unchanged", attempts)
    return False
