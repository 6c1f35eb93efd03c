"""Alerts: one Slack-compatible message per failed run (or run with failed checks), posted to the
webhook in CRM360_ALERT_WEBHOOK, retried, never failing anything; nothing when it is unset."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from pipelines.config import ENV_ALERT_WEBHOOK
from pipelines.definitions import build_definitions
from pipelines.jobs import DAILY_JOB_NAME
from pipelines.sensors import alert_on_failed_checks, alert_on_run_failure
from quality.alerts import FailedCheck, RunAlert, alert_payload, post_json


class Webhook:
    """A local HTTP server that records every POST; the first ``fail`` answers are 500s."""

    def __init__(self, fail: int = 0):
        self.received: list[dict] = []
        self.attempts = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                hook.attempts += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.attempts <= fail:
                    self.send_response(500)
                else:
                    hook.received.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


ALERT = RunAlert("0123456789abcdef", "daily", failed=True, partition="2026-11-20", url="http://ui/runs/0123456789abcdef",
                 error="raw__crm_contacts: raw.crm_contacts not published",
                 failures=[FailedCheck("raw.crm_contacts", "schema_drift", "error", 1,
                                       {"source_file": "a.csv", "expected_column": "手机"}, "a.csv: column '手机' missing"),
                           FailedCheck("raw.surveys", "record_id_unique", "warn", 4)])


def test_the_message_names_asset_check_count_sample_run_and_link():
    payload = alert_payload(ALERT)
    assert set(payload) == {"text", "blocks"}  # what Slack's incoming webhooks take
    assert payload["text"] == "crm360 run 01234567 (2026-11-20) failed: 1 error, 1 warn"
    text = "\n".join(json.dumps(b, ensure_ascii=False) for b in payload["blocks"][:1]) + "\n".join(
        [payload["blocks"][1]["text"]["text"], payload["blocks"][2]["elements"][0]["text"]])
    for needle in ("raw.crm_contacts", "schema_drift", "(1 rows)", "a.csv: column '手机' missing", '"expected_column": "手机"',
                   "raw.surveys", "record_id_unique", "<http://ui/runs/0123456789abcdef|run 0123456789abcdef>"):
        assert needle in text, needle
    assert text.index("schema_drift") < text.index("record_id_unique")  # errors first


def test_a_failed_post_is_retried_then_delivered():
    hook, pauses = Webhook(fail=2), []
    try:
        assert post_json(hook.url, {"text": "x"}, attempts=3, backoff_seconds=0.5, sleep=pauses.append)
    finally:
        hook.close()
    assert hook.attempts == 3 and hook.received == [{"text": "x"}] and pauses == [0.5, 1.0]


def test_an_unreachable_webhook_is_logged_not_raised(caplog):
    hook = Webhook()
    hook.close()  # nothing listens there any more
    assert post_json(hook.url, {"text": "x"}, attempts=2, sleep=lambda s: None) is False
    assert "not delivered after 2 attempts" in caplog.text


# ---------------------------------------------------------------- the sensors, on real runs


def run_daily(landing, warehouse_file, instance) -> dg.ExecuteInProcessResult:
    job = build_definitions(landing, warehouse_file).resolve_job_def(DAILY_JOB_NAME)
    return job.execute_in_process(partition_key="2026-11-20", instance=instance, raise_on_error=False)


def test_one_message_per_failed_run_naming_what_failed(landing, warehouse_file, webhook, monkeypatch):
    (landing / "crm_contacts.csv").write_bytes("联系人编号,姓名,手机\nC1,王伟,138\n".encode("gbk"))  # no 邮箱 column
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_daily(landing, warehouse_file, instance)
        assert not result.success
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure", dagster_instance=instance, dagster_run=result.dagster_run,
            dagster_event=result.get_run_failure_event()).for_run_failure()
        alert_on_run_failure(context)  # webhook unset: nothing sent
        assert webhook.received == []
        monkeypatch.setenv(ENV_ALERT_WEBHOOK, webhook.url)
        alert_on_run_failure(context)
    (message,) = webhook.received
    text = json.dumps(message, ensure_ascii=False)
    assert message["text"].endswith("failed: 1 error, 0 warn") and result.run_id in text
    assert "raw.crm_contacts" in text and "schema_drift" in text and "column '邮箱' missing" in text


def test_a_successful_run_with_failed_checks_sends_one_message_and_a_clean_one_none(landing, warehouse_file, webhook,
                                                                                   monkeypatch):
    monkeypatch.setenv(ENV_ALERT_WEBHOOK, webhook.url)
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_daily(landing, warehouse_file, instance)
        assert result.success
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_failed_checks", dagster_instance=instance, dagster_run=result.dagster_run,
            dagster_event=result.get_run_success_event())
        alert_on_failed_checks(context)
        # a handful of customers is too few for the CLV and churn models: those checks warn
        (message,) = webhook.received
        assert "succeeded with failed checks: 0 error, 3 warn" in message["text"]
        monkeypatch.setattr("pipelines.sensors.failed_checks", lambda instance, run_id: [])
        alert_on_failed_checks(context)
    assert len(webhook.received) == 1
