"""The scale-out harness in its reduced form: 2 workers, 20 users, one SIGKILL, both restarts.

Real processes (PostgreSQL, redis-server, nginx with deploy/nginx/chatkit.conf, the units of
deploy/systemd); ``make scale-test`` is the full run (3 workers, 200 users x 5 turns).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("fleet") / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fleet",
            "--workers",
            "2",
            "--users",
            "20",
            "--turns",
            "3",
            "--json",
            str(path),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert path.exists(), (
        f"the harness failed before reporting:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return json.loads(path.read_text())


def test_nginx_serves_static_files_and_proxies_health(report):
    assert report["nginx"] == {"static": 200, "health": 200, "redis": "ok"}


def test_the_load_run_loses_and_duplicates_nothing(report):
    load = report["load"]
    assert load["all_users"]["errors"] == 0, load["error_samples"]
    assert load["threads"] == 20
    assert load["lost_or_duplicated_count"] == 0, load["lost_or_duplicated"]


def test_a_socket_on_one_worker_hears_a_request_on_another(report):
    assert report["events"]["worker_to_worker"]["ok"], report["events"]
    assert report["events"]["through_nginx"]["ok"], report["events"]


def test_a_sigkilled_worker_leaves_consistent_threads_and_restarts(report):
    kill = report["sigkill"]
    assert kill["inconsistent_count"] == 0, kill["inconsistent"]
    assert kill["restarted"]
    assert kill["restarted_worker_errors"] == 0


def test_sigterm_lets_open_streams_finish_while_new_requests_go_elsewhere(report):
    graceful = report["graceful"]
    assert graceful["open_streams_finished"] == graceful["open_streams"] == 5, graceful
    assert graceful["new_request_errors"] == 0, graceful["error_samples"]
    assert graceful["migrate_while_serving"] == "ok"


def test_the_database_outage_is_a_503_with_a_detail_then_recovers(report):
    database = report["database"]
    assert database["during"]["health_status"] == 503
    assert database["during"]["chatkit_status"] == 503
    assert database["during"]["chatkit_detail"]
    assert database["server_errors"] == 0, database["outcomes"]
    assert database["recovered_seconds_after_restart"] is not None
    assert database["same_worker_processes"]
    assert database["inconsistent"] == []


def test_a_redis_outage_degrades_then_recovers(report):
    redis = report["redis"]
    assert redis["during"] == {"health_status": 200, "health": "degraded", "redis": "unreachable"}
    assert redis["failed_turns"] == 0, redis["outcomes"]
    assert redis["same_worker_processes"]
    assert redis["events_after_restart"]["ok"], redis["events_after_restart"]


def test_the_whole_report_is_ok(report):
    assert report["ok"]
