"""Unit tests of the launcher's reading side: run tables, metrics, smoothing, samples, log tails, status."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import pandas as pd
import pytest

from lookbook.run import layout, process, reader
from lookbook.run.folder import RunDir
from lookbook.viz import training as charts
from tests.launcher.helpers import dead_pid, make_run


def test_list_runs_summarises_runs_and_counts_foreign_folders(tmp_path):
    make_run(
        tmp_path,
        "a",
        metrics=(
            {"epoch": 1, "step": 10, "d_loss": 1.5, "g_loss": 0.9},
            {"epoch": 1, "step": 10, "eval_fcd": 40.0},
            {"epoch": 2, "step": 20, "d_loss": 1.2, "g_loss": 1.1},
            {"epoch": 2, "step": 20, "eval_fcd": 25.5},
            {"epoch": 3, "step": 30, "d_loss": 1.3, "g_loss": 1.0},
            {"epoch": 3, "step": 30, "eval_fcd": 31.0},
        ),
        epoch=3,
        step=30,
        epochs=3,
    )
    time.sleep(0.01)
    make_run(tmp_path, "b", state="running", pid=os.getpid(), epoch=1, step=5, epochs=3)
    time.sleep(0.01)
    make_run(tmp_path, "c", state="running", pid=dead_pid(), epoch=2, step=12, epochs=3)
    (tmp_path / "notes").mkdir()  # foreign: no config.json
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text('{"kind": "gan", ')  # half-written by hand
    (tmp_path / "alien").mkdir()
    (tmp_path / "alien" / "config.json").write_text('{"kind": "vae"}')
    (tmp_path / ".cache").mkdir()  # hidden: not a candidate at all
    (tmp_path / "sweep-summary.csv").write_text("run_id\n")  # files are not candidates

    df = reader.list_runs(tmp_path)

    assert list(df["id"]) == ["c", "b", "a"]  # newest first
    by_id = df.set_index("id")
    assert by_id.loc["a", "state"] == "finished"
    assert by_id.loc["b", "state"] == "running"
    assert by_id.loc["c", "state"] == "failed" and "gone" in by_id.loc["c", "reason"]
    assert (df["preset"] == "quick").all() and (df["kind"] == "gan").all()
    assert by_id.loc["a", "g_lr"] == pytest.approx(2e-4) and by_id.loc["a", "batch_size"] == 8
    # last losses are the last logged ones, not blanked by the eval rows that follow them
    assert by_id.loc["a", "d_loss"] == pytest.approx(1.3) and by_id.loc["a", "g_loss"] == pytest.approx(1.0)
    assert by_id.loc["a", "best_metric"] == "eval_fcd" and by_id.loc["a", "best_value"] == pytest.approx(25.5)
    assert by_id.loc["a", "eval_fcd"] == pytest.approx(31.0)
    assert (by_id.loc["a", "epoch"], by_id.loc["a", "epochs"], by_id.loc["a", "step"]) == (3, 3, 30)
    assert isinstance(by_id.loc["a", "updated"], pd.Timestamp)
    assert df.attrs["skipped"] == 3
    assert {s["folder"] for s in df.attrs["skipped_reasons"]} == {"notes", "broken", "alien"}


def test_list_runs_mixes_gan_and_classifier_runs(tmp_path):
    make_run(tmp_path, "gan", config={"loss": "hinge", "g_lr": 1e-4}, metrics=({"epoch": 1, "step": 2, "d_loss": 0.5},))
    make_run(
        tmp_path,
        "clf",
        kind="classifier",
        config={"preset": "cnn", "config": {"learning_rate": 2e-3, "batch_size": 64, "architecture": "cnn"}},
        metrics=(
            {"epoch": 1, "step": 5, "loss": 1.5, "val_accuracy": 0.70},
            {"epoch": 2, "step": 10, "loss": 0.9, "val_accuracy": 0.85},
            {"epoch": 3, "step": 15, "loss": 0.7, "val_accuracy": 0.80},
        ),
        test_accuracy=0.83,
    )
    df = reader.list_runs(tmp_path).set_index("id")
    assert df.loc["gan", "loss_fn"] == "hinge" and math.isnan(df.loc["gan", "loss"])
    assert df.loc["clf", "loss"] == pytest.approx(0.7) and pd.isna(df.loc["clf", "loss_fn"])
    assert (df.loc["clf", "preset"], df.loc["clf", "learning_rate"], df.loc["clf", "architecture"]) == ("cnn", 2e-3, "cnn")
    assert (df.loc["clf", "best_metric"], df.loc["clf", "best_value"]) == ("val_accuracy", 0.85)
    assert df.loc["clf", "test_accuracy"] == pytest.approx(0.83)


def test_list_runs_of_missing_root_is_empty_with_columns(tmp_path):
    df = reader.list_runs(tmp_path / "nothing")
    assert len(df) == 0 and list(df.columns) == list(reader.RUN_COLUMNS)
    assert df.attrs["skipped"] == 0


def test_just_launched_run_is_listed_as_starting(tmp_path):
    rd = RunDir.at(tmp_path / "new")
    rd.path.mkdir()
    (rd.path / layout.LAUNCH_FILE).write_text(
        json.dumps({"kind": "gan", "preset": "cs230", "config": {"g_lr": 1e-4, "epochs": 400, "image_size_px": 64}})
    )
    rd.write_status("running", pid=os.getpid(), phase=layout.STARTING, epochs=400)
    row = reader.list_runs(tmp_path).iloc[0]
    assert (row["id"], row["state"], row["preset"], row["epochs"], row["image_size_px"]) == ("new", "starting", "cs230", 400, 64)


def test_startup_failure_reason_comes_from_the_log(tmp_path):
    rd = RunDir.at(tmp_path / "run")
    rd.path.mkdir()
    rd.write_status("running", pid=dead_pid(), phase=layout.STARTING)
    (rd.path / layout.LOG_FILE).write_text("=== launched\nloading\nerror: batch_size 64 is larger than the dataset (48)\n")
    status = reader.run_status(rd.path)
    assert status["state"] == "failed" and status["stale"]
    assert status["reason"] == "the trainer exited during start-up: batch_size 64 is larger than the dataset (48)"


def test_read_metrics_keeps_expected_columns(tmp_path):
    rd = make_run(tmp_path, "run")
    empty = reader.read_metrics(rd.path)
    assert len(empty) == 0 and list(empty.columns) == list(reader.METRIC_COLUMNS["gan"])
    rd.append_metrics({"epoch": 1, "step": 4, "d_loss": 1.25, "g_loss": 0.5, "custom": 7})
    rd.append_metrics({"epoch": 1, "step": 4, "eval_kid": 0.02})
    with open(rd.path / "metrics.jsonl", "a") as f:
        f.write('{"epoch": 1, "step": 8, "d_lo')  # being written right now
    df = reader.read_metrics(rd.path)
    assert list(df.columns[: len(reader.METRIC_COLUMNS["gan"])]) == list(reader.METRIC_COLUMNS["gan"])
    assert len(df) == 2 and df["d_loss"].iloc[0] == 1.25 and df["custom"].iloc[0] == 7
    assert math.isnan(df["d_loss"].iloc[1]) and df["eval_kid"].iloc[1] == 0.02
    classifier = make_run(tmp_path, "clf", kind="classifier")
    assert "val_accuracy" in reader.read_metrics(classifier.path).columns


def test_smooth_is_a_trailing_mean_that_keeps_gaps():
    s = pd.Series([1.0, math.nan, 3.0, 5.0, 10.0])
    assert charts.smooth(s, 1).tolist()[2:] == [3.0, 5.0, 10.0]
    out = charts.smooth(s, 2)
    assert out.iloc[0] == 1.0 and math.isnan(out.iloc[1])
    assert out.iloc[2:].tolist() == [2.0, 4.0, 7.5]  # the gap is skipped, not averaged in
    assert charts.smooth(pd.Series([2.0, 4.0, 6.0, 8.0]), 3).tolist() == [2.0, 3.0, 4.0, 6.0]


def test_log_tail_shows_what_a_terminal_shows(tmp_path):
    rd = make_run(tmp_path, "run")
    assert reader.log_tail(rd.path) == ""
    log = rd.path / layout.LOG_FILE
    log.write_text("first\nsecond\nepoch 1 [#   ] 10%\repoch 1 [##  ] 50%\repoch 1 [####] 100%\nthird\n\n")
    assert reader.log_tail(rd.path, 3) == "second\nepoch 1 [####] 100%\nthird"
    # a long log is read from its end only; the cut first line is dropped
    log.write_text("".join(f"line {i:06d} " + "x" * 100 + "\n" for i in range(5000)))
    tail = reader.log_tail(rd.path, 2).splitlines()
    assert [t.split()[1] for t in tail] == ["004998", "004999"]


def test_sample_epochs_lists_main_grids_only(tmp_path):
    rd = make_run(tmp_path, "run")
    assert reader.sample_epochs(rd.path) == {} and reader.latest_sample(rd.path) is None
    rd.samples_dir.mkdir()
    for name in ("epoch_0010.png", "epoch_0001.png", "epoch_0002_tshirt.png", "notes.txt", "epoch_0003.png.tmp"):
        (rd.samples_dir / name).write_bytes(b"x")
    samples = reader.sample_epochs(rd.path)
    assert list(samples) == [1, 10] and samples[10] == rd.sample_path(10)
    assert reader.latest_sample(rd.path) == rd.sample_path(10)


def test_eta_from_step_rate_and_remaining_steps(tmp_path):
    rows = tuple({"epoch": 1 + (s - 1) // 10, "step": s, "d_loss": 1.0, "wall_time_s": 0.5 * s} for s in range(1, 26))
    rd = make_run(tmp_path, "run", state="running", metrics=rows, pid=os.getpid(), epoch=3, step=25, epochs=10)
    assert reader.eta_seconds(rd.path) == pytest.approx((100 - 25) * 0.5)
    rd.write_status("running", pid=os.getpid(), epoch=3, step=25, epochs=10, steps_per_epoch=20)
    assert reader.eta_seconds(rd.path) == pytest.approx((200 - 25) * 0.5)
    rd.write_status("finished", epoch=10, step=100, epochs=10)
    assert reader.eta_seconds(rd.path) is None


def test_eta_and_budget_of_a_run_a_time_budget_ends_early(tmp_path):
    rows = tuple({"epoch": 1, "step": s, "d_loss": 1.0, "wall_time_s": 6.0 * s} for s in range(1, 21))
    config = {"g_lr": 2e-4, "epochs": 1000, "max_minutes": 3.0}
    rd = make_run(tmp_path, "run", state="running", metrics=rows, config=config, pid=os.getpid(), step=20, total_steps=10_000)
    assert reader.time_budget(rd.path) == (120.0, 180.0)
    assert reader.eta_seconds(rd.path) == pytest.approx(60.0)  # the budget, not 9,980 more steps at 6 s each
    unbudgeted = make_run(tmp_path, "free", metrics=rows)
    assert reader.time_budget(unbudgeted.path) is None


def test_stop_run_writes_stop_file_but_spares_a_foreign_process(tmp_path):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        rd = make_run(tmp_path, "run", state="running", pid=sleeper.pid)
        process.stop_run(rd.path)
        assert rd.stop_requested()
        time.sleep(0.2)
        assert sleeper.poll() is None  # a recycled pid is never signalled
    finally:
        sleeper.kill()
        sleeper.wait()


def test_stop_run_of_a_starting_run_ends_it_stopped(tmp_path):
    # Stands in for a trainer still importing TensorFlow: a lookbook process without a SIGTERM handler yet.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "lookbook-trainer"])
    try:
        rd = RunDir.at(tmp_path / "run")
        rd.path.mkdir()
        rd.write_status("running", pid=child.pid, phase=layout.STARTING, epoch=4, step=40)
        assert reader.run_status(rd.path)["state"] == "starting"
        process.stop_run(rd.path)
        assert child.wait(timeout=5) == -15
        status = reader.run_status(rd.path)
        assert status["state"] == "stopped" and status["reason"] == "stopped before training began"
        assert (status["pid"], status["epoch"], status["step"]) == (child.pid, 4, 40)
    finally:
        child.kill()
        child.wait()


def test_category_figures_come_from_the_newer_of_live_eval_and_score(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    assert reader.category_figures(run) is None
    live = {"jeans": {"images": 4, "asked_for": 0.5, "diversity": 0.7}}
    (run / layout.EVAL_CATEGORIES_FILE).write_text(json.dumps({"step": 8, "n_images": 4, "per_category": live}))
    assert reader.category_figures(run) == {"step": 8, "n_images": 4, "per_category": live, "source": "eval"}
    scored = {"jeans": {"images": 40, "asked_for": 0.9, "diversity": 0.8}}
    score = {"per_category": scored, "generator": {"step": 8}, "n_images": 40}
    (run / layout.SCORE_FILE).write_text(json.dumps(score))
    assert reader.category_figures(run)["source"] == "score"  # the same step: the score judged more garments
    (run / layout.EVAL_CATEGORIES_FILE).write_text(json.dumps({"step": 9, "n_images": 4, "per_category": live}))
    assert reader.category_figures(run)["source"] == "eval"
