"""Helpers the benchmarks share: a scratch Dagster instance, what a run's event log says about its steps,
and running a command while sampling the memory of its process tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parent.parent


def prepare_dagster_home(home: Path) -> Path:
    """A DAGSTER_HOME folder with the project's instance settings (what the Makefile does for .dagster)."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    return home


@dataclass
class Step:
    start: float  # unix seconds, from the STEP_START event
    end: float  # from STEP_SUCCESS or STEP_FAILURE
    ok: bool

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Materialization:
    step: str
    rows: int | None  # dagster/row_count
    rows_added: int | None  # what an ingest asset appended this run
    carried_from: str | None  # the run whose build an incremental run carried over (inputs unchanged)


@dataclass
class RunEvents:
    steps: dict[str, Step] = field(default_factory=dict)  # in the order they started
    assets: dict[str, Materialization] = field(default_factory=dict)  # asset key "a/b" -> its materialization


def run_events(run_id: str) -> RunEvents:
    """Steps and materializations of a run, from the event log of the instance DAGSTER_HOME points at."""
    events, started = RunEvents(), {}
    finished = (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE)
    with dg.DagsterInstance.get() as instance:
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[event.step_key] = record.timestamp
            elif event.event_type in finished:
                events.steps[event.step_key] = Step(started.get(event.step_key, record.timestamp), record.timestamp,
                                                    event.event_type == dg.DagsterEventType.STEP_SUCCESS)
            elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                mat = event.event_specific_data.materialization
                meta = {k: v.value for k, v in mat.metadata.items()}
                events.assets[mat.asset_key.to_user_string()] = Materialization(
                    event.step_key, meta.get("dagster/row_count"), meta.get("rows_added"),
                    meta.get("carried_over_from_run"))
    events.steps = dict(sorted(events.steps.items(), key=lambda item: item[1].start))
    return events


def step_seconds(run_id: str) -> dict[str, float]:
    """Seconds per step of the run, from its start and success (or failure) events."""
    return {step: s.seconds for step, s in run_events(run_id).steps.items()}


def latest_run_id() -> str | None:
    """The newest run of the instance DAGSTER_HOME points at."""
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=1)
    return runs[0].run_id if runs else None


@dataclass
class Measured:
    exit_code: int
    start: float  # unix seconds
    end: float
    samples: list[tuple[float, int]]  # (unix seconds, RSS bytes of the process and its descendants)
    max_rss: int  # the kernel's high-water mark of the process itself (bytes), which sampling may miss
    cpu_seconds: float  # user + system CPU of the process (and children it waited for): less noisy on a busy machine

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def peak(self) -> int:
        return max([self.max_rss, *(rss for _, rss in self.samples)])

    def peak_between(self, start: float, end: float) -> int | None:
        """Peak RSS sampled within [start, end]; the sample nearest the middle when the window is too short."""
        inside = [rss for t, rss in self.samples if start <= t <= end]
        if inside:
            return max(inside)
        if not self.samples:
            return None
        middle = (start + end) / 2
        return min(self.samples, key=lambda sample: abs(sample[0] - middle))[1]


def _tree_rss(root: int) -> int:
    """RSS in bytes of a process and all its descendants, read from /proc (Linux)."""
    parents, rss = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(children)
        frontier = children
    return sum(rss.get(pid, 0) for pid in tree)


def run_measured(command: list[str], env: dict[str, str], stdout: Path, stderr: Path,
                 interval: float = 0.2) -> Measured:
    """Run a command to its end, its output into files, sampling its process tree's RSS every `interval` s."""
    samples = []
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        start = time.time()
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            samples.append((time.time(), _tree_rss(child.pid)))
            time.sleep(interval)
        end = time.time()
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen, so it won't wait again
    return Measured(child.returncode, start, end, samples, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime)
