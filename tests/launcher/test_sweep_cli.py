"""Smoke tests of `python -m lookbook sweep` in a subprocess: a real 2-run grid, resume, interrupt, bad input."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from lookbook.run import reader
from lookbook.run.folder import RunDir

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--set", "batch_size=16", "--set", "g_base_width=8", "--set", "d_base_width=8", "--set", "noise_dim=16"]


def sweep_cli(*args: str, timeout_s: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lookbook", "sweep", *args], capture_output=True, text=True, timeout=timeout_s, cwd=ROOT
    )


@pytest.mark.slow
def test_grid_sweep_runs_each_value_and_resumes_by_skipping(tiny_dataset, tmp_path):
    args = ["--data", str(tiny_dataset.root), "--root", str(tmp_path), "--name", "lr", "--preset", "quick"]
    args += ["--grid", "g_lr=1e-4,3e-4", "--set", "epochs=1", *TINY, "--report-every", "2"]

    done = sweep_cli(*args)

    assert done.returncode == 0, done.stderr
    assert "[sweep] 1/2 lr-001: started" in done.stderr and "[sweep] 2/2 lr-002: finished in" in done.stderr
    table = pd.read_csv(tmp_path / "lr-summary.csv")
    assert table["run_id"].tolist() == ["lr-001", "lr-002"] and table["g_lr"].tolist() == [1e-4, 3e-4]
    assert table["state"].tolist() == ["finished", "finished"] and table["step"].tolist() == [3, 3]
    assert all(math.isfinite(v) for v in table["d_loss"].tolist() + table["g_loss"].tolist())
    assert (table["wall_time_s"] > 0).all()
    for run_id, g_lr in zip(table["run_id"], table["g_lr"]):
        config = RunDir.at(tmp_path / run_id).read_config()
        assert (config["g_lr"], config["epochs"], config["batch_size"], config["preset"]) == (g_lr, 1, 16, "quick")
    stored = json.loads((tmp_path / "lr-summary.json").read_text())
    assert stored["sweep"]["grid"] == {"g_lr": [1e-4, 3e-4]} and [r["run_id"] for r in stored["runs"]] == ["lr-001", "lr-002"]

    again = sweep_cli(*args)  # resumed: everything is finished already

    assert again.returncode == 0, again.stderr
    assert again.stderr.count("already finished, skipped") == 2 and "started" not in again.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "lr-summary.csv"), table)


@pytest.mark.slow
def test_interrupted_sweep_stops_its_run_and_resumes_it(tiny_dataset, tmp_path):
    args = ["--data", str(tiny_dataset.root), "--root", str(tmp_path), "--name", "long", "--preset", "quick"]
    args += ["--grid", "g_lr=2e-4", "--set", "epochs=2000", "--set", "max_steps=40", *TINY, "--set", "log_every_steps=1"]
    proc = subprocess.Popen([sys.executable, "-m", "lookbook", "sweep", *args], stderr=subprocess.PIPE, text=True, cwd=ROOT)
    run = tmp_path / "long-001"
    try:
        deadline = time.monotonic() + 240
        while reader.run_status(run).get("step", 0) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)  # like Ctrl-C or a job scheduler's kill
        _, stderr = proc.communicate(timeout=240)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted: stopping long-001" in stderr
    assert reader.run_status(run)["state"] == "stopped"
    table = pd.read_csv(tmp_path / "long-summary.csv")
    assert table["state"].tolist() == ["stopped"]
    stopped_step = int(table["step"][0])

    resumed = sweep_cli(*args)

    assert resumed.returncode == 0, resumed.stderr
    assert "[sweep] 1/1 long-001: resumed" in resumed.stderr
    table = pd.read_csv(tmp_path / "long-summary.csv")
    assert table["state"].tolist() == ["finished"] and table["step"].tolist() == [40]
    assert table["wall_time_s"][0] > 0  # the time before the interruption is kept too
    steps = reader.read_metrics(run)["step"].tolist()
    assert steps == list(range(1, 41)) and stopped_step < 40  # one curve: no step lost or repeated


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--grid", "nope=1,2"], "error: --grid: unknown setting 'nope' for GanConfig"),
        (["--random", "g_lr=1e-3..1e-4"], "error: --random g_lr: low 0.001 is above high 0.0001"),
        (["--grid", "epochs=1,2", "--set", "bogus=1"], "error: unknown setting 'bogus' for GanConfig"),
    ],
)
def test_bad_sweep_is_exit_2_with_one_line_before_anything_runs(tiny_dataset, tmp_path, extra, message):
    result = sweep_cli("--data", str(tiny_dataset.root), "--root", str(tmp_path / "runs"), *extra, timeout_s=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and result.stderr.startswith(message)
    assert not (tmp_path / "runs").exists()


def test_dry_run_lists_the_runs_without_running_them(tiny_dataset, tmp_path):
    result = sweep_cli(
        "--data", str(tiny_dataset.root), "--root", str(tmp_path / "runs"), "--name", "r", "--preset", "quick",
        "--random", "d_lr", "--random", "batch_size=8..32", "--trials", "3", "--seed", "5", "--dry-run", timeout_s=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["r-001", "r-002", "r-003"]
    for line in lines:
        values = dict(item.split("=") for item in line.split()[1:])
        assert 1e-5 <= float(values["d_lr"]) <= 2 and 8 <= int(values["batch_size"]) <= 32
    assert not (tmp_path / "runs").exists()
