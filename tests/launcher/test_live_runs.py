"""Smoke tests of the launcher against the real `train gan` CLI: start, finish, refuse, stop, resume, kill."""

from __future__ import annotations

import math
import os
import signal
import time

import pytest

from lookbook.errors import LookbookError
from lookbook.run import checkpoint, layout, process, reader
from lookbook.run.folder import RunDir
from lookbook.train import launcher
from tests.launcher.helpers import wait_until

pytestmark = pytest.mark.slow  # each run starts TensorFlow in a fresh process (~5-10 s)

# A GAN that trains 3 steps per epoch on the 48-image tiny dataset in well under a second.
TINY = {"batch_size": 16, "g_base_width": 8, "d_base_width": 8, "noise_dim": 16, "log_every_steps": 1}
TIMEOUT_S = 240


def test_started_run_finishes_and_is_listed_with_its_preset(tiny_dataset, tmp_path):
    run = tmp_path / "runs" / "first"
    t0 = time.monotonic()
    pid = launcher.start_run("gan", tiny_dataset.root, run, "quick", {**TINY, "epochs": 2}).pid
    assert time.monotonic() - t0 < 5  # the caller never waits for training
    assert pid > 0 and reader.run_status(run)["state"] in layout.LIVE_STATES
    assert reader.list_runs(tmp_path / "runs")["state"].tolist()[0] in layout.LIVE_STATES

    status = process.wait_run(run, timeout_s=TIMEOUT_S, poll_s=0.2)

    assert status["state"] == "finished", reader.log_tail(run)
    row = reader.list_runs(tmp_path / "runs").iloc[0]
    assert (row["id"], row["kind"], row["state"], row["preset"]) == ("first", "gan", "finished", "quick")
    assert (row["epoch"], row["epochs"], row["step"], row["batch_size"], row["image_size_px"]) == (2, 2, 6, 16, 32)
    assert math.isfinite(row["d_loss"]) and math.isfinite(row["g_loss"])
    metrics = reader.read_metrics(run)
    assert metrics["step"].tolist() == [1, 2, 3, 4, 5, 6] and metrics["g_loss"].notna().all()
    assert list(reader.sample_epochs(run)) == [1, 2] and reader.latest_sample(run).is_file()
    assert "finished" in reader.log_tail(run, 5)
    assert reader.eta_seconds(run) is None
    # a finished run is never overwritten by a fresh start in its folder
    with pytest.raises(LookbookError, match="already holds a gan run"):
        launcher.start_run("gan", tiny_dataset.root, run, "quick", {**TINY, "epochs": 2})


def test_live_run_is_refused_stopped_resumed_and_killed(tiny_dataset, tmp_path):
    run = tmp_path / "runs" / "long"
    endless = {**TINY, "epochs": 100000, "max_steps": 5000}  # ends on its own if the test breaks
    launcher.start_run("gan", tiny_dataset.root, run, "quick", endless)
    with pytest.raises(LookbookError, match="already running"):  # launched, not yet locked by the trainer
        launcher.start_run("gan", tiny_dataset.root, run, "quick", endless)
    wait_until(lambda: reader.run_status(run).get("step", 0) >= 3, "the trainer to take over", TIMEOUT_S)
    with pytest.raises(LookbookError, match="is already being written by process"):  # the trainer holds the lock
        launcher.start_run("gan", tiny_dataset.root, run, "quick", endless)
    assert reader.eta_seconds(run) > 0

    process.stop_run(run)
    stopped = process.wait_run(run, timeout_s=TIMEOUT_S, poll_s=0.2)
    assert stopped["state"] == "stopped", reader.log_tail(run)
    assert checkpoint.has_checkpoint(run)

    pid = launcher.start_run("gan", tiny_dataset.root, run, "quick", resume=True).pid
    wait_until(lambda: reader.run_status(run).get("step", 0) > stopped["step"] + 3, "the resumed run to train on", TIMEOUT_S)
    os.kill(pid, signal.SIGKILL)
    failed = wait_until(lambda: (s := reader.run_status(run))["state"] == "failed" and s, "the kill to show", TIMEOUT_S)
    assert failed["stale"] and "gone" in failed["reason"]
    assert reader.list_runs(tmp_path / "runs").iloc[0]["state"] == "failed"
    assert not RunDir.at(run).is_locked()  # a dead writer's lock does not block the folder
