"""A process-wide, bounded pool for the training runs students start in a lesson.

A run is a job ``job(config, report, should_stop, pause_pending)`` (the lesson's
is ``cnnviz.learning.run``): it calls ``report(snapshot)`` to publish progress,
asks ``should_stop()`` before each step and ends soon after it says so. A run
can be paused, resumed, or let go one step at a time: ``should_stop()`` then
waits in the child until the run may go on, and ``pause_pending()`` tells the
job, after a step, that it is about to wait (so it reports where it stands).
A paused run keeps its process but not its slot: the core is free for others. At most ``slots`` runs (by default
one per core) train at once; the others wait in a queue, first come first
served, and each student sees their place in it. A run belongs to its owner
(one browser session): submitting again while it is queued or running returns
the same run, ``cancel()`` (Reset) ends it at once, and a run nobody has polled
for ``unwatched_after`` seconds stops by itself, queued or running. A job that
raises, or a process that dies, makes its run "failed" and nothing else.

Each run trains in a process of its own, not in a thread of the app's process:

* ``torch.set_num_threads`` is process-wide, so "one torch thread per run" is
  only possible in a process of its own; there it costs the app nothing.
* Training threads would share the app's torch settings: each would run
  OpenMP teams of one thread per core beside the app's own teams,
  oversubscribing the cores (measured below).
* A child runs at a lower priority (nice 10), so a student's rerun takes a
  core from a training run rather than wait for it.
* A run that crashes or runs out of memory takes only itself down, and all
  its memory goes back when it ends.

Measured roughly on 2 cores with other work beside: a script thread doing some
Python and five LeNet-5 forward passes took a median 4 ms alone, and still
4 ms beside two LeNet-5 training runs (batch 64) in these niced processes;
12-20 ms beside the same two runs in threads of the app; 14-95 ms (p90 up to
0.5 s) beside two processes at the app's priority, whose busy cores keep the
app's OpenMP threads waiting. The runs trained at 60-135 steps/s in processes,
60-110 in threads.

On Linux the children are forked by multiprocessing's fork server, which has
imported torch but never computed with it or touched CUDA, so a fork is safe
and a run starts in tens of milliseconds instead of the second and a half a
fresh interpreter needs to import torch ("spawn", used elsewhere). Each child
talks to the app through a pipe of its own and reads its stop flag from shared
memory, so a child killed mid-message can disturb no other run. On a GPU the
children share the device, each with its own CUDA context.
"""

from __future__ import annotations

import ast
import ctypes
import importlib
import logging
import multiprocessing
import os
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing import connection
from pathlib import Path

from cnnviz.errors import InvalidInput

QUEUED, RUNNING, DONE, STOPPED, FAILED = "queued", "running", "done", "stopped", "failed"
UNEXPECTED = "errors.unexpected"    # the message of a run that failed without an InvalidInput of its own
NICENESS = 10
POLL_S = 0.1
PAUSED_POLL_S = 0.05
FREE = -1               # a run's step budget when it is not paused

_LOG = logging.getLogger(__name__)


def default_slots() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _context():
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_preload())
        return context
    return multiprocessing.get_context("spawn")   # macOS frameworks and Windows do not survive a bare fork


def _preload() -> list[str]:
    """What the fork server imports once for all children: torch, and the modules the app's script imports.

    Before Python 3.13 the fork server never preloads ``__main__`` (CPython
    gh-126631), so each child runs the script that started the app again
    (``streamlit run``'s launcher); with its imports already done that is
    instant, where importing Streamlit cost each run 0.4 s.
    """
    names = ["__main__", "torch"]
    path = getattr(sys.modules["__main__"], "__file__", None)
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (TypeError, OSError, SyntaxError, ValueError):   # no script (python -c, a notebook), or not Python
        return names
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _job_name(job) -> str:
    """``"module:function"`` for a module-level function (or that string itself)."""
    name = job if isinstance(job, str) else f"{getattr(job, '__module__', '')}:{getattr(job, '__qualname__', '')}"
    module, _, attr = name.partition(":")
    if not module or not attr or "<" in attr:
        raise ValueError(f"A training job must be a module-level function, importable as 'module:function' "
                         f"in another process; {job!r} is not.")
    return name


def _resolve(name: str):
    module, _, attr = name.partition(":")
    target = importlib.import_module(module)
    for part in attr.split("."):
        target = getattr(target, part)
    return target


def _child(job_name: str, config, conn, stop, budget, niceness: int) -> None:
    """The body of a run's process: one torch thread, a lower priority, progress through ``conn``.
    ``budget``: the steps it may take before it pauses (-1: as many as it likes, 0: paused)."""
    if hasattr(os, "nice"):
        os.nice(niceness)
    import torch
    torch.set_num_threads(1)
    parent = multiprocessing.parent_process()

    def stopped() -> bool:
        return bool(stop.value) or not parent.is_alive()

    def should_stop() -> bool:
        while budget.value == 0 and not stopped():
            time.sleep(PAUSED_POLL_S)
        if budget.value > 0:
            budget.value -= 1
        return stopped()

    try:
        _resolve(job_name)(config, lambda snapshot: conn.send(("report", snapshot)), should_stop,
                           lambda: budget.value == 0)
    except (BrokenPipeError, EOFError):      # the app has gone: nobody is left to tell
        return
    except InvalidInput as refused:
        conn.send(("failed", refused.key, refused.values, traceback.format_exc()))
    except Exception:   # noqa: BLE001 - any error of the job is the run's failure, told to the parent
        conn.send(("failed", UNEXPECTED, {}, traceback.format_exc()))
    else:
        conn.send(("done",))


@dataclass(frozen=True)
class RunStatus:
    state: str                       # queued, running, done, stopped or failed
    position: int | None             # in the queue, 1 = next to start; None when not queued
    snapshots: tuple                 # every report so far, oldest first (thinned when there are many)
    error: InvalidInput | None       # why it failed: the job's own InvalidInput or errors.unexpected
    paused: bool = False             # the run waits for resume() or step()


class RunHandle:
    """What a session keeps of its run. ``status()`` and ``touch()`` say someone still watches it."""

    def __init__(self, pool: TrainingPool, run: _Run):
        self._pool, self._run = pool, run

    @property
    def config(self):
        """The settings the run was started with."""
        return self._run.config

    def status(self) -> RunStatus:
        return self._pool._status(self._run)

    def touch(self) -> None:
        self._pool._touch(self._run)

    def cancel(self) -> None:
        self._pool._cancel(self._run)

    def pause(self) -> None:
        """The run stops after the step it is taking and reports where it stands; its slot is freed."""
        self._pool._budget(self._run, 0)

    def resume(self) -> None:
        self._pool._budget(self._run, FREE)

    def step(self, steps: int = 1) -> None:
        """Let a paused run (or pause a running one after) take ``steps`` more steps."""
        self._pool._budget(self._run, steps)


class _Run:
    """A run's record: its state under the pool's lock; its process and pipe belong to the supervisor thread."""

    def __init__(self, pool: TrainingPool, owner, config, stop, budget, job: str):
        self.owner, self.config, self.stop, self.budget, self.job = owner, config, stop, budget, job
        self.state = QUEUED
        self.touched = time.monotonic()
        self.snapshots: list = []
        self.error: InvalidInput | None = None
        self.outcome: tuple | None = None     # the child's last word: ("done",) or ("failed", key, values, trace)
        self.process = None
        self.conn = None
        self.kill_at: float | None = None     # when a run told to stop is killed if it has not ended
        self.handle = RunHandle(pool, self)


class TrainingPool:
    """Runs ``job`` for many owners, at most ``slots`` at once, the rest in a queue.

    ``job``: a module-level function ``job(config, report, should_stop)`` (or its
    ``"module:function"`` name); configs and snapshots must pickle, and a job
    reports a few times a second, not every step: each snapshot crosses a pipe
    into the app and is kept (thinned to every other one past
    ``max_snapshots``, so a curve keeps its start). A run not polled for
    ``unwatched_after`` s stops; one that ignores a stop for ``stop_grace`` s
    is killed; ``niceness`` is how far below the app the runs are scheduled
    (0: as the app, for a machine that serves nothing else).
    """

    def __init__(self, job, slots: int | None = None, unwatched_after: float = 10.0,
                 stop_grace: float = 5.0, max_snapshots: int = 2000, niceness: int = NICENESS):
        if slots is not None and slots < 1:
            raise ValueError(f"A training pool needs at least one slot (got {slots}).")
        if max_snapshots < 2:
            raise ValueError(f"A run keeps at least its first and last snapshot (max_snapshots={max_snapshots}).")
        self.job = _job_name(job)
        self.slots = slots or default_slots()
        self.unwatched_after = unwatched_after
        self.stop_grace = stop_grace
        self.max_snapshots = max_snapshots
        self.niceness = niceness
        self._context = _context()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._queue: deque[_Run] = deque()
        self._live: list[_Run] = []            # runs holding a slot: their process is starting or alive
        self._active: dict[object, _Run] = {}  # owner -> the run that owner sees queued or running
        self._closed = False
        self._supervisor: threading.Thread | None = None

    # ------------------------------------------------------------ what sessions call

    def submit(self, owner, config, job=None) -> RunHandle:
        """Queue a run for ``owner``; while that owner's run is queued or running, return its handle unchanged.
        ``job``: another job than the pool's own for this run (a lesson with runs of its own kind), which
        shares the pool's slots and queue."""
        job = self.job if job is None else _job_name(job)
        with self._lock:
            if self._closed:
                raise RuntimeError("The training pool is closed.")
            run = self._active.get(owner)
            if run is None:
                run = _Run(self, owner, config, self._context.RawValue(ctypes.c_bool, False),
                           self._context.RawValue(ctypes.c_long, FREE), job)
                self._active[owner] = run
                self._queue.append(run)
                if self._supervisor is None:
                    self._supervisor = threading.Thread(target=self._supervise, name="training-pool", daemon=True)
                    self._supervisor.start()
            run.touched = time.monotonic()
        self._wake.set()
        return run.handle

    def counts(self) -> tuple[int, int]:
        """(runs holding a slot, runs waiting): for a page that shows how busy the class is."""
        with self._lock:
            return len(self._live), len(self._queue)

    def close(self, timeout: float = 10.0) -> None:
        """Stop every run, wait up to ``timeout`` s for their processes, and accept no more."""
        with self._lock:
            self._closed = True
            for run in list(self._queue) + self._live:
                self._stop(run, time.monotonic())
        self._wake.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout)

    # ------------------------------------------------------------ what handles call

    def _status(self, run: _Run) -> RunStatus:
        with self._lock:
            run.touched = time.monotonic()
            position = self._queue.index(run) + 1 if run.state == QUEUED else None
            return RunStatus(run.state, position, tuple(run.snapshots), run.error, run.budget.value == 0)

    def _touch(self, run: _Run) -> None:
        with self._lock:
            run.touched = time.monotonic()

    def _budget(self, run: _Run, steps: int) -> None:
        with self._lock:
            run.touched = time.monotonic()
            if run.state in (QUEUED, RUNNING):
                run.budget.value = steps
        self._wake.set()

    def _cancel(self, run: _Run) -> None:
        with self._lock:
            self._stop(run, time.monotonic())

    def _stop(self, run: _Run, now: float) -> None:
        """Under the lock: the owner sees the run stopped at once; a running child stops at its next check."""
        if run.state == QUEUED:
            self._queue.remove(run)
        elif run.state == RUNNING:
            run.stop.value = True
            run.kill_at = now + self.stop_grace
        else:
            return
        run.state = STOPPED
        self._forget_owner(run)

    def _forget_owner(self, run: _Run) -> None:
        if self._active.get(run.owner) is run:
            del self._active[run.owner]

    # ------------------------------------------------------------ the supervisor thread

    def _supervise(self) -> None:
        """Starts queued runs, relays progress, stops unwatched runs, and reaps ended ones.

        It holds the lock only to update records, never while waiting or
        starting a process, so ``status()`` always answers at once.
        """
        while True:
            with self._lock:
                now = time.monotonic()
                for run in list(self._queue) + self._live:
                    if now - run.touched > self.unwatched_after:
                        self._stop(run, now)
                starting = []
                while self._queue and sum(run.budget.value != 0 for run in self._live) < self.slots:
                    run = self._queue.popleft()
                    run.state = RUNNING
                    self._live.append(run)
                    starting.append(run)
                overdue = [run for run in self._live if run.process is not None
                           and run.kill_at is not None and now > run.kill_at]
                for run in overdue:
                    run.kill_at = None
                live = list(self._live)
                if self._closed and not live:
                    return
            for run in starting:
                self._start(run)
            for run in overdue:
                run.process.kill()
            if not live:
                self._wake.wait()
                self._wake.clear()
                continue
            self._relay(live)

    def _start(self, run: _Run) -> None:
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, args=(run.job, run.config, sender, run.stop, run.budget,
                                                             self.niceness),
                                        name="training-run", daemon=True)
        try:
            process.start()
        except Exception:   # noqa: BLE001 - a config that does not pickle, no memory to fork: this run fails
            receiver.close()
            with self._lock:
                self._live.remove(run)
                self._end(run, ("failed", UNEXPECTED, {}, traceback.format_exc()))
            return
        finally:
            sender.close()
        run.process, run.conn = process, receiver

    def _relay(self, live: list[_Run]) -> None:
        """Wait up to POLL_S for a message or an ended process, and handle what came."""
        by_object = {}
        for run in live:
            if run.process is not None:
                by_object[run.process.sentinel] = run
                if run.conn is not None:
                    by_object[run.conn] = run
        for ready in connection.wait(list(by_object), timeout=POLL_S):
            run = by_object[ready]
            if ready is run.conn:
                self._receive(run)
            elif run.conn is None or not run.conn.poll():
                self._reap(run)

    def _receive(self, run: _Run) -> None:
        try:
            message = run.conn.recv()
        except EOFError:
            run.conn.close()
            run.conn = None
            return
        except Exception:   # noqa: BLE001 - a snapshot the app cannot unpickle: the run fails, the pool goes on
            with self._lock:
                run.stop.value = True
                run.kill_at = time.monotonic() + self.stop_grace
                self._end(run, ("failed", UNEXPECTED, {}, traceback.format_exc()))
            return
        with self._lock:
            if message[0] != "report":
                run.outcome = message
            elif run.state == RUNNING:
                run.snapshots.append(message[1])
                if len(run.snapshots) > self.max_snapshots:
                    last = run.snapshots[-1]
                    run.snapshots = run.snapshots[:-1:2] + [last]

    def _reap(self, run: _Run) -> None:
        run.process.join()
        code = run.process.exitcode
        run.process.close()
        if run.conn is not None:
            run.conn.close()
        with self._lock:
            self._live.remove(run)
            outcome = run.outcome or ("failed", UNEXPECTED, {}, f"the process ended with exit code {code}")
            self._end(run, outcome)

    def _end(self, run: _Run, outcome: tuple) -> None:
        """Under the lock: the final state of a run the owner had not stopped."""
        if run.state != RUNNING:
            return
        if outcome[0] == "done":
            run.state = DONE
        else:
            _, key, values, trace = outcome
            _LOG.warning("A training run failed: %s", trace)
            run.state, run.error = FAILED, InvalidInput(key, **values)
        self._forget_owner(run)


_shared: TrainingPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> TrainingPool:
    """The app's one pool for ``cnnviz.learning.run``, made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TrainingPool("cnnviz.learning:run")
        return _shared
