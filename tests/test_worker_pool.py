"""The worker pool every command and the portal share (toolkit/intake/workers.py): a job's time
limit runs from when a worker starts it, never while it waits in the queue; two jobs that run out
of time together cost those two jobs only; a job its caller gave up before it started is never
run; a worker that dies costs the job it was doing. Issue 18, item 1 (the portal's uploads behind
a heavy request) rests on these."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from toolkit.form import load_form
from toolkit.intake.workers import JobError, JobFailed, WorkerPool


def nap(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def touch(path: str) -> str:
    Path(path).write_text("ran", encoding="utf-8")
    return "ran"


def die() -> None:
    os._exit(3)


def fail() -> None:
    raise ValueError("the job's own error")


def outcome(future) -> str:
    try:
        return future.result(timeout=60)
    except JobFailed as exc:
        return exc.why


@pytest.fixture(scope="module")
def form():
    return load_form()


def test_the_time_limit_runs_from_the_start_of_a_job_not_from_its_place_in_the_queue(form):
    # One worker, three jobs of 0.6 s each with 1 s allowed: the third waits 1.2 s before it
    # starts, and is still on time.
    with WorkerPool(form, jobs=1, depth=1) as pool:
        futures = [pool.submit(nap, 0.6, timeout=1.0) for _ in range(3)]
        assert [outcome(f) for f in futures] == ["done", "done", "done"]


def test_two_jobs_out_of_time_together_cost_those_two_and_the_next_job_runs(form):
    with WorkerPool(form, jobs=2, depth=1) as pool:
        slow = [pool.submit(nap, 30, timeout=0.5) for _ in range(2)]
        after = pool.submit(nap, 0.05, timeout=5)
        assert [outcome(f) for f in (*slow, after)] == ["timeout", "timeout", "done"]


def test_a_job_cancelled_before_it_started_never_runs(form, tmp_path):
    mark = tmp_path / "ran.txt"
    with WorkerPool(form, jobs=1, depth=1) as pool:
        busy = pool.submit(nap, 0.5)
        later = pool.submit(touch, str(mark))
        assert later.cancel()
        assert outcome(busy) == "done"
        assert outcome(pool.submit(nap, 0)) == "done"  # the queue has moved past the cancelled job
    assert not mark.exists()


def test_a_worker_that_dies_costs_its_job_and_a_job_that_raises_says_why(form):
    with WorkerPool(form, jobs=1, depth=2) as pool:
        dead, raised, fine = pool.submit(die), pool.submit(fail), pool.submit(nap, 0)
        assert outcome(dead) == "crashed"
        with pytest.raises(JobError, match="ValueError: the job's own error"):
            raised.result(timeout=60)
        assert outcome(fine) == "done"
