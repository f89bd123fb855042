"""The sweep queue: records, first come first served, cancel, and a real queued 2x2... (2-run) sweep scored as it goes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from lookbook.errors import LookbookError
from lookbook.run import reader, scores
from lookbook.train import sweep_queue
from tests.classifier.helpers import save_tiny_classifier
from tests.launcher.helpers import dead_pid

TINY = ("batch_size=16", "g_base_width=8", "d_base_width=8", "noise_dim=16", "epochs=1")


def test_request_command_is_the_sweep_cli():
    request = sweep_queue.SweepRequest(
        "lr", "/d", preset="quick", grid=("g_lr=1e-4,2e-4",), random=("beta1=0.1..0.9",), trials=2, sets=("max_minutes=3",)
    )
    assert request.command("/runs") == [
        *("-m", "lookbook", "sweep", "--data", "/d", "--root", "/runs", "--name", "lr", "--kind", "gan", "--seed", "0"),
        *("--queue", "--preset", "quick", "--grid", "g_lr=1e-4,2e-4", "--random", "beta1=0.1..0.9"),
        *("--set", "max_minutes=3", "--trials", "2"),
    ]


def test_a_sweep_waits_for_the_one_queued_before_it(tmp_path):
    sweep_queue.write_record(tmp_path, "first", {"state": "queued", "queued": 1.0, "pid": os.getpid()})
    sweep_queue.write_record(tmp_path, "second", {"state": "queued", "queued": 2.0})
    entered = threading.Event()

    def second() -> None:
        with sweep_queue.turn(tmp_path, "second", poll_s=0.05):
            entered.set()

    waiter = threading.Thread(target=second, daemon=True)
    waiter.start()
    time.sleep(0.5)
    assert not entered.is_set()  # "first" was queued earlier and is still waiting
    with sweep_queue.turn(tmp_path, "first", poll_s=0.05):
        assert sweep_queue.read_record(tmp_path, "first")["state"] == "running"
        time.sleep(0.3)
        assert not entered.is_set()  # "first" holds the queue while it runs
        sweep_queue.finish(tmp_path, "first", "finished")
    waiter.join(timeout=10)
    assert entered.is_set() and sweep_queue.read_record(tmp_path, "second")["state"] == "running"


def test_list_cancel_and_a_vanished_process(tmp_path):
    sweep_queue.write_record(tmp_path, "gone", {"state": "running", "queued": 1.0, "pid": dead_pid()})
    sweep_queue.write_record(tmp_path, "done", {"state": "finished", "queued": 2.0})
    assert [(r["name"], r["state"]) for r in sweep_queue.list_sweeps(tmp_path)] == [("done", "finished"), ("gone", "failed")]
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        sweep_queue.write_record(tmp_path, "waiting", {"state": "queued", "queued": 3.0, "pid": sleeper.pid})
        sweep_queue.cancel_sweep(tmp_path, "waiting")
        assert sleeper.wait(timeout=10) != 0  # SIGTERM, which the sweep command turns into a clean stop
        assert sweep_queue.read_record(tmp_path, "waiting")["state"] == "cancelling"
    finally:
        sleeper.kill()
    with pytest.raises(LookbookError, match="no sweep named"):
        sweep_queue.cancel_sweep(tmp_path, "nope")


def test_queue_refuses_a_taken_name_and_a_sweep_that_cannot_run(tiny_dataset, tmp_path):
    sweep_queue.write_record(tmp_path, "taken", {"state": "finished"})
    data = str(tiny_dataset.root)
    with pytest.raises(LookbookError, match="exists already"):
        sweep_queue.queue_sweep(tmp_path, sweep_queue.SweepRequest("taken", data, "gan", "quick", ("g_lr=1e-4,2e-4",)))
    with pytest.raises(LookbookError, match="batch_size 4000"):
        sweep_queue.queue_sweep(tmp_path, sweep_queue.SweepRequest("big", data, "gan", "quick", ("batch_size=8,4000",)))
    assert not sweep_queue.record_path(tmp_path, "big").exists()


@pytest.mark.slow
def test_a_queued_sweep_trains_and_scores_each_run(tiny_dataset, tmp_path):
    judge = save_tiny_classifier(tmp_path / "judge", ["tshirt", "jeans", "sports_shoes"])
    request = sweep_queue.SweepRequest(
        "lr", str(tiny_dataset.root), preset="quick", grid=("g_lr=1e-4,3e-4",), sets=TINY, score_with=str(judge)
    )
    root = tmp_path / "runs"

    sweep_queue.queue_sweep(root, request)

    deadline = time.monotonic() + 600
    while sweep_queue.list_sweeps(root)[0]["state"] in sweep_queue.ACTIVE_STATES and time.monotonic() < deadline:
        time.sleep(1)
    (record,) = sweep_queue.list_sweeps(root)
    assert record["state"] == "finished", sweep_queue.log_path(root, "lr").read_text()[-3000:]
    assert sweep_queue.progress(root, "lr") == (2, 2)
    summary = json.loads((root / "lr-summary.json").read_text())["runs"]
    assert [r["state"] for r in summary] == ["finished", "finished"]
    assert all(0 <= r["score_asked_class"] <= 1 for r in summary)
    for run_id in ("lr-001", "lr-002"):
        assert scores.score_state(root / run_id)["state"] == "scored"
        assert reader.run_status(root / run_id)["state"] == "finished"
