"""The training pool with fake jobs: the slot limit, the queue, cancelling, the watchdog, failures.

The jobs run in other processes, so they talk to the test through files in a
temporary folder: a job holds its slot until its gate file appears, and marks
that it started, that it holds a slot, and that it saw the stop request.
Every wait is for a condition, with a generous timeout, never a fixed sleep.
"""

import os
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from cnnviz import training_pool
from cnnviz.errors import InvalidInput
from cnnviz.training_pool import TrainingPool

TIMEOUT = 20.0


def gated_job(config, report, should_stop, pause_pending):
    """Holds its slot until its gate opens or it must stop; reports how many jobs hold a slot beside it."""
    folder, name = Path(config["folder"]), config["name"]
    marker = folder / f"slot-{name}"
    marker.touch()
    try:
        with open(folder / "order", "a") as order:
            order.write(name + "\n")
        report({"name": name, "holding": len(list(folder.glob("slot-*")))})
        while not (folder / f"gate-{name}").exists():
            if should_stop():
                (folder / f"saw-stop-{name}").touch()
                return
            time.sleep(0.01)
    finally:
        marker.unlink()


def counting_job(config, report, should_stop, pause_pending):
    for step in range(config["steps"]):
        report(step)


def flooding_job(config, report, should_stop, pause_pending):
    while not should_stop():
        report(list(range(100)))


def failing_job(config, report, should_stop, pause_pending):
    report("started")
    if config == "invalid":
        raise InvalidInput("errors.at_least_one", name="stride", value=0)
    raise RuntimeError("the job broke")


def dying_job(config, report, should_stop, pause_pending):
    os._exit(3)


def threads_job(config, report, should_stop, pause_pending):
    import torch
    report({"threads": torch.get_num_threads(), "nice": os.nice(0) if hasattr(os, "nice") else None})


def stepping_job(config, report, should_stop, pause_pending):
    """Counts its steps, reporting each one when it is about to pause, as cnnviz.learning.run does."""
    steps = 0
    report(steps)
    while not should_stop():
        steps += 1
        time.sleep(0.005)
        if pause_pending():
            report(steps)


def wait_for(predicate, timeout=TIMEOUT, message=lambda: ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"the condition did not come true in time {message()}")


@pytest.fixture
def make_pool():
    pools = []

    def make(job=gated_job, **options):
        options.setdefault("unwatched_after", 60.0)
        options.setdefault("niceness", 0)        # other work on a test machine must not starve the fake jobs
        pools.append(TrainingPool(job, **options))
        return pools[-1]

    yield make
    for pool in pools:
        pool.close()


def gated(tmp_path, name):
    return {"folder": str(tmp_path), "name": name}


def open_gate(tmp_path, name):
    (tmp_path / f"gate-{name}").touch()


def started(tmp_path):
    path = tmp_path / "order"
    return path.read_text().split() if path.exists() else []


def test_at_most_k_run_at_once_the_rest_queue_in_order(make_pool, tmp_path):
    pool = make_pool(slots=2)
    names = [f"r{i}" for i in range(5)]
    handles = [pool.submit(f"owner-{name}", gated(tmp_path, name)) for name in names]
    most = 0

    def states():
        nonlocal most
        most = max(most, pool.counts()[0])
        return [(s.state, s.position) for s in (h.status() for h in handles)]

    wait_for(lambda: len(started(tmp_path)) == 2)
    assert states() == [("running", None)] * 2 + [("queued", 1), ("queued", 2), ("queued", 3)]
    open_gate(tmp_path, "r0")
    wait_for(lambda: states()[0][0] == "done" and len(started(tmp_path)) == 3)
    assert states()[3:] == [("queued", 1), ("queued", 2)]
    for opened, name in enumerate(names[1:3], start=4):
        open_gate(tmp_path, name)           # one at a time: each frees the slot of the next in line
        wait_for(lambda: len(started(tmp_path)) == opened and states()[opened - 3][0] == "done")
    for name in names[3:]:
        open_gate(tmp_path, name)
    wait_for(lambda: all(state == "done" for state, _ in states()))
    assert set(started(tmp_path)[:2]) == {"r0", "r1"} and started(tmp_path)[2:] == names[2:]
    assert most <= 2
    assert all(h.status().snapshots[0]["holding"] <= 2 for h in handles)
    assert pool.counts() == (0, 0)


def test_one_run_per_owner(make_pool, tmp_path):
    pool = make_pool(slots=1)
    first = pool.submit("alice", gated(tmp_path, "a"))
    wait_for(lambda: first.status().state == "running")
    assert pool.submit("alice", gated(tmp_path, "changed settings")) is first
    other = pool.submit("bob", gated(tmp_path, "b"))
    assert other is not first and other.status().position == 1
    open_gate(tmp_path, "a")
    open_gate(tmp_path, "b")
    wait_for(lambda: other.status().state == "done")
    assert first.status().state == "done"
    again = pool.submit("alice", gated(tmp_path, "a"))
    assert again is not first
    wait_for(lambda: again.status().state == "done")
    assert started(tmp_path) == ["a", "b", "a"]


def test_cancel_a_queued_run(make_pool, tmp_path):
    pool = make_pool(slots=1)
    running, leaving, staying = (pool.submit(name, gated(tmp_path, name)) for name in ("r0", "r1", "r2"))
    wait_for(lambda: started(tmp_path) == ["r0"])
    leaving.cancel()
    assert leaving.status().state == "stopped" and leaving.status().position is None
    assert staying.status().position == 1
    open_gate(tmp_path, "r0")
    open_gate(tmp_path, "r2")
    wait_for(lambda: staying.status().state == "done")
    assert started(tmp_path) == ["r0", "r2"]
    assert leaving.status().state == "stopped"


def one_running_one_waiting(make_pool, tmp_path):
    pool = make_pool(slots=1)
    running = pool.submit("r0", gated(tmp_path, "r0"))
    waiting = pool.submit("r1", gated(tmp_path, "r1"))
    wait_for(lambda: running.status().snapshots)
    return pool, running, waiting


def test_cancel_a_running_run(make_pool, tmp_path):
    _, running, waiting = one_running_one_waiting(make_pool, tmp_path)
    running.cancel()
    assert running.status().state == "stopped"
    wait_for(lambda: (tmp_path / "saw-stop-r0").exists())
    wait_for(lambda: waiting.status().snapshots)
    assert waiting.status().state == "running"
    assert running.status().state == "stopped"


def test_a_job_that_ignores_the_stop_is_killed(make_pool, tmp_path):
    pool = make_pool(job=counting_job, slots=1, stop_grace=0.2)
    stubborn = pool.submit("r0", {"steps": 10**9})
    wait_for(lambda: stubborn.status().snapshots)
    stubborn.cancel()
    wait_for(lambda: pool.counts() == (0, 0))
    assert stubborn.status().state == "stopped"


def test_runs_nobody_watches_stop(make_pool, tmp_path):
    pool = make_pool(slots=1, unwatched_after=0.5)
    watched = pool.submit("watched", gated(tmp_path, "watched"))
    forgotten = pool.submit("forgotten", gated(tmp_path, "forgotten"))
    stop_touching = threading.Event()

    def poll():
        while not stop_touching.is_set():
            watched.touch()
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        wait_for(lambda: pool.counts() == (1, 0))       # the queued run left the queue, nobody asking after it
        assert watched.status().state == "running"
    finally:
        stop_touching.set()
        poller.join()
    wait_for(lambda: (tmp_path / "saw-stop-watched").exists())
    wait_for(lambda: pool.counts() == (0, 0))
    assert watched.status().state == "stopped"
    assert forgotten.status().state == "stopped"
    assert started(tmp_path) == ["watched"]


def test_failures_are_the_runs_own_and_the_pool_goes_on(make_pool):
    pool = make_pool(job=failing_job, slots=1)
    broken = pool.submit("a", "runtime")
    invalid = pool.submit("b", "invalid")
    wait_for(lambda: invalid.status().state == "failed")
    status = broken.status()
    assert status.state == "failed" and status.snapshots == ("started",)
    assert status.error.key == "errors.unexpected"
    refused = invalid.status().error
    assert refused.key == "errors.at_least_one" and refused.values == {"name": "stride", "value": 0}
    assert "stride" in refused.localized("en")

    unpicklable = pool.submit("c", threading.Lock())
    wait_for(lambda: unpicklable.status().state == "failed")

    dying = make_pool(job=dying_job, slots=1)
    crashed = dying.submit("a", None)
    wait_for(lambda: crashed.status().state == "failed")
    assert crashed.status().error.key == "errors.unexpected"

    working = make_pool(job=counting_job, slots=1)
    fine = working.submit("a", {"steps": 3})
    wait_for(lambda: fine.status().state == "done")
    assert fine.status().snapshots == (0, 1, 2) and fine.status().error is None


def test_status_never_waits_for_training(make_pool):
    pool = make_pool(job=flooding_job, slots=2)
    handles = [pool.submit(owner, None) for owner in ("a", "b", "c")]
    wait_for(lambda: handles[0].status().snapshots and handles[1].status().snapshots)
    slowest = []

    def ask():
        worst = 0.0
        for _ in range(200):
            begin = time.perf_counter()
            for handle in handles:
                handle.status()
            worst = max(worst, time.perf_counter() - begin)
        slowest.append(worst)

    askers = [threading.Thread(target=ask) for _ in range(4)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert max(slowest) < 2.0          # the runs never end by themselves: waiting for one would never return
    assert [h.status().state for h in handles] == ["running", "running", "queued"]


def test_snapshots_are_thinned_keeping_the_first_and_the_last(make_pool):
    pool = make_pool(job=counting_job, max_snapshots=8)
    handle = pool.submit("a", {"steps": 100})
    wait_for(lambda: handle.status().state == "done")
    snapshots = handle.status().snapshots
    assert len(snapshots) <= 8 and snapshots[0] == 0 and snapshots[-1] == 99
    assert list(snapshots) == sorted(snapshots)


def test_a_run_trains_with_one_torch_thread_at_a_lower_priority(make_pool):
    pool = make_pool(job=threads_job, niceness=training_pool.NICENESS)
    handle = pool.submit("a", None)
    wait_for(lambda: handle.status().state == "done")
    (seen,) = handle.status().snapshots
    assert seen["threads"] == 1
    if seen["nice"] is not None:
        assert seen["nice"] == min(os.nice(0) + training_pool.NICENESS, 19)


def test_the_job_must_be_importable_by_name():
    with pytest.raises(ValueError, match="module-level function"):
        TrainingPool(lambda config, report, should_stop: None)
    assert TrainingPool(gated_job).job.endswith(":gated_job")


def test_a_closed_pool_stops_its_runs_and_takes_no_more(make_pool, tmp_path):
    pool, running, waiting = one_running_one_waiting(make_pool, tmp_path)
    pool.close()
    assert pool.counts() == (0, 0)
    assert (running.status().state, waiting.status().state) == ("stopped", "stopped")
    with pytest.raises(RuntimeError):
        pool.submit("c", gated(tmp_path, "c"))


def test_the_fork_server_preloads_what_the_apps_script_imports(tmp_path, monkeypatch):
    script = tmp_path / "launcher"
    script.write_text("import re, sys\nfrom streamlit.web.cli import main\nfrom . import nothing\n"
                      "if __name__ == '__main__':\n    import json\n")
    launcher = types.ModuleType("__main__")
    launcher.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", launcher)
    assert training_pool._preload() == ["__main__", "torch", "re", "sys", "streamlit.web.cli"]
    del launcher.__file__
    assert training_pool._preload() == ["__main__", "torch"]


def test_one_shared_pool_per_process():
    found = []
    threads = [threading.Thread(target=lambda: found.append(training_pool.shared_pool())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(pool) for pool in found}) == 1
    assert found[0].job == "cnnviz.learning:run" and found[0].slots == training_pool.default_slots()


def test_a_paused_run_waits_frees_its_slot_and_goes_one_step_at_a_time(make_pool):
    pool = make_pool(job=stepping_job, slots=1)
    first = pool.submit("a", {})
    wait_for(lambda: first.status().snapshots)                      # it has started
    first.pause()
    wait_for(lambda: len(first.status().snapshots) > 1)             # it reported where it paused
    paused_at = first.status().snapshots[-1]
    second = pool.submit("b", {})
    wait_for(lambda: second.status().state == "running")             # the paused run's slot went to another
    time.sleep(0.3)
    assert first.status().snapshots[-1] == paused_at and first.status().paused
    first.step()
    wait_for(lambda: first.status().snapshots[-1] == paused_at + 1)   # exactly one more step, then paused again
    time.sleep(0.3)
    assert first.status().snapshots[-1] == paused_at + 1
    first.resume()
    assert not first.status().paused
    time.sleep(0.2)                                                  # some steps, unreported while it runs free
    first.pause()
    wait_for(lambda: first.status().snapshots[-1] > paused_at + 1)
    first.cancel()
    second.cancel()
