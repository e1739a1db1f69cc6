"""The classroom bench works end to end, briefly: two students (one in a browser, one over the websocket),
a few seconds, direct and through nginx; directly, a third student trains in the training lesson (a whole
run alone first, then in the class, leaving mid-run when the class ends).

Only that it runs and reports: no timing is asserted here (figures come from
``python -m bench.classroom`` on a quiet machine; see README, Performance).
"""

import json
import subprocess
import sys

import pytest

from bench.classroom import lesson_script
from bench.replicas import nginx_path
from tests.e2e.harness import ROOT, chromium_path, require

QUICK = ["--in-browsers", "1", "--minutes", "0.15", "--think", "0.3", "--ramp", "1", "--solo-passes", "1",
         "--session-ttl", "2"]


@pytest.mark.parametrize("through_nginx", [False, True], ids=["direct", "through-nginx"])
def test_a_short_class_runs_without_errors(tmp_path, through_nginx):
    require("Chromium", chromium_path())
    if through_nginx:
        require("nginx", nginx_path())
    results = tmp_path / "classroom.json"
    sessions = ["--sessions", "2", "--through-nginx"] if through_nginx else ["--sessions", "3", "--training", "1"]
    command = [sys.executable, "-m", "bench.classroom", *QUICK, *sessions, "--json", str(results)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert last.startswith(f"classroom: {sessions[1]} sessions, p95 "), done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(results.read_text())
    assert result["errors"] == {}, result["error_details"]
    assert result["passes"]["solo"] == result["passes"]["sockets_solo"] == 1
    assert result["server_class"]["n"] > 0 and result["sockets_class"]["n"] > 0
    assert 0 < result["memory"]["start_mb"] <= result["memory"]["peak_mb"]
    browser_steps, socket_steps, _ = lesson_script()
    for step in browser_steps:
        assert result["interactions"][step.label]["solo"]["n"] == 1, step.label
    for step in socket_steps:
        assert result["interactions"][step.label]["sockets_solo"]["n"] == 1, step.label
    if through_nginx:
        assert result["nginx"]["browsers_split_across_replicas"] == 0
        assert result["nginx"]["browsers_seen"] >= 2
        return
    training = result["training"]
    assert "1 training: poll p95" in last
    assert training["solo"]["ended"] == {"done": 1}
    assert training["solo"]["curve_moved_every"]["n"] >= 2 and training["solo"]["steps_per_s_median"] > 0
    assert training["class"]["runs"] >= 1 and training["class"]["polls"]["n"] > 0
    assert result["memory"]["peak_with_children_mb"] > result["memory"]["peak_mb"]
