"""Severity of a check: declared with it, overridden by configuration per check or per asset."""

from __future__ import annotations

import pytest

from quality.results import CheckOutcome, with_severities

FAILED_WARN = CheckOutcome("quarantine_share", passed=False, blocking=False, description="d", failing_rows=7)
FAILED_ERROR = CheckOutcome("rows_reconcile", passed=False, blocking=True, description="d", failing_rows=1)
PASSED_ERROR = CheckOutcome("schema_valid", passed=True, blocking=True, description="d")


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, ["warn", "error", "error"]),
    ({"quarantine_share": "error"}, ["error", "error", "error"]),
    ({"staging.customer_records.quarantine_share": "error"}, ["error", "error", "error"]),
    ({"staging.orders.quarantine_share": "error"}, ["warn", "error", "error"]),  # another asset's
    ({"rows_reconcile": "warn", "staging.customer_records.rows_reconcile": "error"}, ["warn", "error", "error"]),
    ({"rows_reconcile": "warn", "schema_valid": "warn"}, ["warn", "warn", "warn"]),
])
def test_severity_comes_from_the_asset_entry_then_the_check_entry_then_the_declaration(overrides, expected):
    out = with_severities("staging.customer_records", [FAILED_WARN, FAILED_ERROR, PASSED_ERROR], overrides)
    assert [c.severity for c in out] == expected
    assert [c.stops_run for c in out] == [s == "error" and not c.passed for s, c in zip(expected, out)]


def test_a_changed_severity_keeps_what_was_declared():
    (out,) = with_severities("raw.x", [FAILED_WARN], {"quarantine_share": "error"})
    assert out.stops_run and out.metadata["declared_severity"] == "warn"
    assert out.failing_rows == 7 and out.name == "quarantine_share"
    (same,) = with_severities("raw.x", [FAILED_WARN], {"quarantine_share": "warn"})
    assert same is FAILED_WARN


def test_an_unknown_severity_is_refused_with_the_check_named():
    with pytest.raises(ValueError, match=r"raw\.x\.quarantine_share must be one of error, warn, not 'blocking'"):
        with_severities("raw.x", [FAILED_WARN], {"quarantine_share": "blocking"})
