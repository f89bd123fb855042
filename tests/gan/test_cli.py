"""`train gan` end to end: the real CLI in subprocesses (smoke, stop, SIGTERM, NaN, kill -9 + exact resume, 2 devices),
bad input as one-line errors, and the Python API with periodic quality eval."""

from __future__ import annotations

import json
import math
import os
import signal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lookbook.cli import main
from lookbook.run import checkpoint, layout
from lookbook.run.folder import RunDir
from tests.gan.conftest import TINY_MODEL, TINY_QUICK, UNCONDITIONAL, metrics_rows, run_cli, start_cli, status, wait_for

LOSSES = ("d_loss", "g_loss", "d_real", "d_fake")


def assert_finished_run(run: Path, steps: int, epochs: int, conditional: bool) -> None:
    """The run-directory contract of a finished run."""
    config = json.loads((run / "config.json").read_text())
    assert (
        config["kind"] == "gan" and config["image_size_px"] == 32 and config["categories"] == ["jeans", "sports_shoes", "tshirt"]
    )
    st = status(run)
    assert st["state"] == "finished" and st["step"] == steps and st["epoch"] == epochs and st["pid"] > 0
    rows = metrics_rows(run)
    train_rows = [r for r in rows if "d_loss" in r]
    assert train_rows[-1]["step"] == steps
    for row in train_rows:
        for key in (*LOSSES, "g_lr", "d_lr", "images_per_s", "wall_time_s", "epoch", "step"):
            assert math.isfinite(row[key]), (key, row)
    for epoch in range(1, epochs + 1):
        assert (run / f"samples/epoch_{epoch:04d}.png").is_file()
    assert list((run / "tb").glob("events.out.tfevents.*"))
    assert checkpoint.load(run).step == steps
    assert not (run / "run.lock").exists()

    import keras

    from lookbook.models import artifacts

    model = keras.saving.load_model(run / "generator.keras", safe_mode=True)  # built-in layers only
    z = artifacts.latents([0, 1, 2], model.input_shape[0][-1] if conditional else model.input_shape[-1])
    out = np.asarray(model([z, np.array([0, 1, 2], np.int32)] if conditional else z, training=False))
    assert out.shape == (3, 32, 32, 3) and out.min() >= -1 and out.max() <= 1 and out.std() > 0
    handle = artifacts.load_generator(run)
    assert handle.conditional == conditional
    sidecar = json.loads((run / "generator.json").read_text())
    assert sidecar["kind"] == "generator" and sidecar["image_size_px"] == 32 and sidecar["config"]["image_size_px"] == 32


def test_smoke_two_steps_modern_conditional(tiny_data, tmp_path):
    run = tmp_path / "run"
    proc = run_cli(
        "train", "gan", "--data", tiny_data, "--run", run, "--preset", "modern",
        "--set", "image_size_px=32", *TINY_MODEL, "--set", "batch_size=24", "--set", "epochs=1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_finished_run(run, steps=2, epochs=1, conditional=True)
    grid = Image.open(run / "samples/epoch_0001.png")
    assert grid.size == (4 * 34 + 2, 3 * 34 + 2)  # 4 columns of fixed latents, one row per class, 2 px gaps
    assert "finished at epoch 1 step 2" in proc.stderr


def test_smoke_quick_unconditional_and_nothing_left_to_resume(tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    proc = run_cli(
        "train", "gan", "--data", tiny_data, "--run", run, *TINY_QUICK, *UNCONDITIONAL,
        "--set", "epochs=2", "--set", "log_every_steps=1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_finished_run(run, steps=4, epochs=2, conditional=False)
    assert [r["step"] for r in metrics_rows(run)] == [1, 2, 3, 4]
    assert Image.open(run / "samples/epoch_0002.png").size == (4 * 34 + 2, 4 * 34 + 2)
    # a finished run resumed without more epochs has nothing to do and stays finished
    assert main(["train", "gan", "--run", str(run), "--resume"]) == 0
    assert status(run)["state"] == "finished" and len(metrics_rows(run)) == 4


def test_time_budget_ends_the_run_finished(tiny_data, tmp_path):
    """max_minutes (equal wall-clock comparisons) ends a run `finished` early, with its generator and checkpoint."""
    run = tmp_path / "run"
    args = ["train", "gan", "--data", str(tiny_data), "--run", str(run), *TINY_QUICK, "--set", "epochs=1000"]
    assert main([*args, "--set", "max_minutes=0.00001"]) == 0
    st = status(run)
    assert st["state"] == "finished" and 1 <= st["step"] < st["total_steps"] and "reason" not in st
    assert (run / "generator.keras").is_file() and checkpoint.load(run).step == st["step"]


def test_a_resume_at_lower_learning_rates_trains_at_them(tiny_data, tmp_path, capsys):
    """The checkpoint restores the optimisers' own constant rates; the resumed run's config wins (an anneal)."""
    run = tmp_path / "run"
    assert main(["train", "gan", "--data", str(tiny_data), "--run", str(run), *TINY_QUICK, "--set", "epochs=1"]) == 0
    assert [float(checkpoint.load(run).groups[g][1]) for g in ("g_optimizer", "d_optimizer")] == pytest.approx([5e-4] * 2)
    capsys.readouterr()
    resume = ["train", "gan", "--run", str(run), "--resume", "--set", "epochs=2"]
    assert main([*resume, "--set", "g_lr=0.0001", "--set", "d_lr=0.00005"]) == 0
    err = capsys.readouterr().err
    assert "g_lr 0.0005 -> 0.0001 from here on" in err and "d_lr 0.0005 -> 5e-05 from here on" in err
    assert [float(checkpoint.load(run).groups[g][1]) for g in ("g_optimizer", "d_optimizer")] == pytest.approx([1e-4, 5e-5])


def _args(data, run, *extra):
    return ["train", "gan", "--data", str(data), "--run", str(run), *TINY_QUICK, *extra]


@pytest.mark.parametrize(
    "case, message",
    [
        ("not_dataset", "not a prepared dataset"),
        ("size_mismatch", "has no 64 px cache"),
        ("unknown_preset", "unknown GAN preset 'fancy'"),
        ("unknown_key", "unknown setting 'g_learning_rate'"),
        ("bad_value", "g_lr must be a positive learning rate"),
        ("batch_too_big", "larger than the dataset (48 training images)"),
        ("other_kind", "holds a 'classifier' run"),
        ("resume_without_checkpoint", "no checkpoint to resume from"),
        ("finished_without_resume", "already holds a GAN run"),
        ("no_data", "--data is required"),
        ("bad_devices", "--devices must be"),
        ("batch_not_split", "multiple of the 5 devices"),
        ("missing_classifier", "no model at"),
        ("unknown_category", "include_categories: dress not in the dataset"),
        ("locked", "already being written by process"),
    ],
)
def test_bad_input_is_one_line_error_before_training(tiny_data, tmp_path, capsys, case, message):
    run = tmp_path / "run"
    args = _args(tiny_data, run)
    if case == "not_dataset":
        args = _args(tmp_path, run)
    elif case == "size_mismatch":
        args += ["--set", "image_size_px=64"]
    elif case == "unknown_preset":
        args += ["--preset", "fancy"]
    elif case == "unknown_key":
        args += ["--set", "g_learning_rate=1"]
    elif case == "bad_value":
        args += ["--set", "g_lr=-0.1"]
    elif case == "batch_too_big":
        args += ["--set", "batch_size=64"]
    elif case == "other_kind":
        RunDir.at(run).write_config("classifier", {})
    elif case == "resume_without_checkpoint":
        args += ["--resume"]
    elif case == "finished_without_resume":
        run.mkdir()
        (run / "metrics.jsonl").write_text('{"step": 1}\n')
    elif case == "no_data":
        args = ["train", "gan", "--run", str(run), *TINY_QUICK]
    elif case == "bad_devices":
        args += ["--devices", "two"]
    elif case == "batch_not_split":
        args += ["--devices", "5"]
    elif case == "missing_classifier":
        args += ["--set", "eval_every_epochs=1", "--set", f"eval_classifier={tmp_path / 'nope'}"]
    elif case == "unknown_category":
        args += ["--set", "include_categories=dress"]
    elif case == "locked":
        run.mkdir()
        (run / "run.lock").write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename}))
    before = sorted(p.name for p in run.iterdir()) if run.exists() else None
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and message in err, err
    assert (sorted(p.name for p in run.iterdir()) if run.exists() else None) == before  # nothing written


def _quick(*assignments: str):
    from lookbook.train import presets

    return presets.QUICK.with_overrides([a for a in TINY_QUICK[2:] if a != "--set"] + list(assignments))


def test_stop_file_then_corrupt_checkpoint_resume(tiny_data, tmp_path, capsys):
    from lookbook.train.gan_trainer import train_gan

    run = tmp_path / "run"
    rd = RunDir.at(run)

    def stop_at_step_5(done: int, total: int) -> None:
        if done == 4:
            rd.request_stop()  # as the app's Stop button does; seen at the end of the next step

    config = _quick("epochs=500", "log_every_steps=1", "checkpoint_every_minutes=0")
    result = train_gan(config, tiny_data, run, preset="quick", progress=stop_at_step_5)
    st = status(run)
    assert result["state"] == st["state"] == "stopped" and "STOP" in st["reason"] and st["step"] == 5
    assert checkpoint.read(run / layout.CHECKPOINT_FILE).step == 5  # the stop wrote a mid-epoch checkpoint
    assert checkpoint.read(run / layout.PREVIOUS_CHECKPOINT_FILE).step == 4  # the last epoch end
    assert (run / "generator.keras").is_file()  # a stopped run can still be sampled
    assert [r["step"] for r in metrics_rows(run)] == [1, 2, 3, 4, 5]
    # damage the latest checkpoint: resuming falls back to the previous one, with a warning
    latest = run / layout.CHECKPOINT_FILE
    latest.write_bytes(latest.read_bytes()[:100])
    assert main(["train", "gan", "--run", str(run), "--resume", "--set", "epochs=4"]) == 0
    err = capsys.readouterr().err
    assert "warning: checkpoint.npz is unreadable" in err and "resuming from checkpoint.prev.npz (step 4)" in err
    assert "from here on" not in err  # the same learning rates: nothing to say
    assert [r["step"] for r in metrics_rows(run)] == list(range(1, 9))  # rows past the checkpoint dropped, none repeated
    assert status(run)["state"] == "finished" and checkpoint.load(run).step == 8
    assert not rd.stop_requested()  # the resumed session cleared the old STOP


def test_nan_loss_fails_the_run_and_keeps_no_bad_checkpoint(tiny_data, tmp_path):
    from lookbook.train.gan_trainer import train_gan

    run = tmp_path / "run"
    result = train_gan(_quick("epochs=5", "g_lr=1e30", "d_lr=1e30"), tiny_data, run, log=lambda msg: None)
    st = status(run)
    assert result["state"] == st["state"] == "failed" and "NaN" in st["reason"] and "lower g_lr" in st["reason"]
    assert result["generator"] is None and not (run / "generator.keras").exists()
    if checkpoint.has_checkpoint(run):
        ckpt = checkpoint.load(run)
        assert all(np.isfinite(a).all() for arrays in ckpt.groups.values() for a in arrays if a.dtype.kind == "f")
    assert all(math.isfinite(r["d_loss"]) for r in metrics_rows(run))
    assert not (run / "run.lock").exists()


@pytest.mark.slow
def test_sigterm_stops_with_checkpoint_and_lock_refuses_second_writer(tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    log = tmp_path / "stderr.txt"
    proc = start_cli(*_args(tiny_data, run, "--set", "epochs=2000", "--set", "log_every_steps=1"), stderr_path=log)
    try:
        wait_for(lambda: len(metrics_rows(run)) >= 2, proc=proc)
        assert main(["train", "gan", "--run", str(run), "--resume"]) == 2  # a live process holds the run
        assert "already being written by process" in capsys.readouterr().err
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
    finally:
        proc.kill()
    st = status(run)
    assert st["state"] == "stopped" and st["reason"] == "stopped by SIGTERM"
    assert checkpoint.load(run).step == st["step"] and not (run / "run.lock").exists()


# Every random stream at once: class labels, dropout, DiffAugment, instance noise, EMA and a decaying learning rate.
EXACT = [
    *TINY_MODEL,
    *("--preset", "quick", "--set", "batch_size=8", "--set", "epochs=3", "--set", "log_every_steps=4"),
    *("--set", "update=alternating", "--set", "conditional=true", "--set", "d_dropout=0.1"),
    *("--set", "diffaugment=color,translation,cutout", "--set", "instance_noise_std=0.1", "--set", "ema_decay=0.9"),
    *("--set", "lr_schedule=linear", "--set", "deterministic=true", "--set", "checkpoint_every_minutes=0.002"),
]
SPE = 24  # 192 images / batch 8


@pytest.mark.slow
def test_kill_9_mid_epoch_then_resume_matches_uninterrupted_run(small_data, tmp_path):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    done = run_cli("train", "gan", "--data", small_data, "--run", whole, *EXACT)
    assert done.returncode == 0, done.stderr[-2000:]

    def mid_epoch_checkpoint() -> bool:
        path = broken / layout.CHECKPOINT_FILE
        try:
            return path.is_file() and checkpoint.read(path).step % SPE != 0
        except ValueError:
            return False

    proc = start_cli("train", "gan", "--data", small_data, "--run", broken, *EXACT, stderr_path=tmp_path / "err.txt")
    try:
        wait_for(mid_epoch_checkpoint, proc=proc, poll_s=0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    killed = RunDir.at(broken).read_status()
    assert killed["state"] == "failed" and killed.get("stale")  # the app sees the dead process
    resume_from = checkpoint.load(broken).step
    assert 0 < resume_from < 3 * SPE
    resumed = run_cli("train", "gan", "--run", broken, "--resume")  # also takes over the dead process's lock
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"step {resume_from} -> {3 * SPE}" in resumed.stderr

    a, b = metrics_rows(whole), metrics_rows(broken)
    assert [r["step"] for r in a] == [r["step"] for r in b] == sorted({r["step"] for r in a})
    assert [r["epoch"] for r in a] == [r["epoch"] for r in b]
    for ra, rb in zip(a, b):
        for key in (*LOSSES, "g_lr", "d_lr"):
            assert rb[key] == pytest.approx(ra[key], rel=1e-5, abs=1e-6), (ra["step"], key)
    ca, cb = checkpoint.load(whole), checkpoint.load(broken)
    assert ca.step == cb.step == 3 * SPE
    for group in ("generator", "discriminator", "gan", "g_optimizer", "d_optimizer", "preview"):
        for x, y in zip(ca.groups[group], cb.groups[group]):
            np.testing.assert_allclose(y, x, rtol=1e-5, atol=1e-6, err_msg=group)
    for epoch in (1, 2, 3):
        assert (broken / f"samples/epoch_{epoch:04d}.png").is_file()
    assert status(broken)["state"] == "finished"


@pytest.mark.slow
def test_two_logical_devices_match_one_device(tiny_data, tmp_path):
    common = [*TINY_QUICK, "--set", "epochs=3", "--set", "log_every_steps=1", "--set", "deterministic=true"]
    common += ["--set", "update=alternating", "--set", "d_batch_norm=true", "--set", "conditional=true"]
    runs = {}
    for devices in ("1", "2"):
        run = tmp_path / f"dev{devices}"
        proc = run_cli("train", "gan", "--data", tiny_data, "--run", run, *common, "--devices", devices)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert f"on {devices} device(s)" in proc.stderr
        runs[devices] = run
    one, two = metrics_rows(runs["1"]), metrics_rows(runs["2"])
    assert [r["step"] for r in one] == [r["step"] for r in two] == list(range(1, 7))
    for r1, r2 in zip(one, two):
        for key in LOSSES:
            assert r2[key] == pytest.approx(r1[key], rel=1e-4, abs=1e-5), (r1["step"], key)
    # Weights agree only to rounding magnified by Adam's normalised steps (a near-zero gradient's sign can differ
    # with summation order), so compare how far each run moved its weights from the shared initial ones.
    import keras

    from lookbook.models import gan
    from lookbook.models.gan_config import stored_config

    cfg = stored_config(json.loads((runs["1"] / "config.json").read_text()))
    keras.utils.set_random_seed(cfg.seed)  # as the trainer does, so these are the runs' initial weights
    initial = {"generator": gan.build_generator(cfg, 3).variables, "discriminator": gan.build_discriminator(cfg, 3).variables}
    c1, c2 = checkpoint.load(runs["1"]), checkpoint.load(runs["2"])
    for group, start in initial.items():
        moved = sum(np.linalg.norm(a - np.asarray(w)) for a, w in zip(c1.groups[group], start))
        apart = sum(np.linalg.norm(b - a) for a, b in zip(c1.groups[group], c2.groups[group]))
        assert moved > 0 and apart < 0.02 * moved, (group, apart, moved)
    assert json.loads((runs["2"] / "config.json").read_text())["replicas"] == 2


def _free_ports(n: int) -> list[int]:
    import socket

    socks = [socket.socket() for _ in range(n)]
    for sock in socks:
        sock.bind(("localhost", 0))
    ports = [sock.getsockname()[1] for sock in socks]
    for sock in socks:
        sock.close()
    return ports


@pytest.mark.slow
def test_multiworker_two_processes_match_one_device(tiny_data, tmp_path):
    import subprocess
    import sys

    from tests.gan.conftest import ROOT, cli_env

    common = [*TINY_QUICK, *UNCONDITIONAL, "--set", "epochs=2", "--set", "log_every_steps=1"]
    common += ["--set", "deterministic=true"]
    single = tmp_path / "single"
    assert run_cli("train", "gan", "--data", tiny_data, "--run", single, *common).returncode == 0
    cluster = {"worker": [f"localhost:{p}" for p in _free_ports(2)]}
    shared = tmp_path / "multi"  # both workers get the same folder; only the chief (worker 0) writes it
    procs = []
    for index in range(2):
        env = {**cli_env(), "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})}
        cmd = [sys.executable, "-m", "lookbook", "train", "gan", "--data", str(tiny_data), "--run", str(shared), *common]
        procs.append(subprocess.Popen([*cmd, "--devices", "multiworker"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True))
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert procs[0].returncode == 0, errors[0][-2000:]
    assert "on 2 device(s)" in errors[0] and status(shared)["state"] == "finished"
    one, two = metrics_rows(single), metrics_rows(shared)
    assert [r["step"] for r in one] == [r["step"] for r in two] == [1, 2, 3, 4]
    for r1, r2 in zip(one, two):
        for key in LOSSES:
            assert r2[key] == pytest.approx(r1[key], rel=1e-4, abs=1e-5), (r1["step"], key)


def _tiny_classifier(path: Path, categories: list[str]) -> Path:
    import keras

    from lookbook.models import artifacts

    inputs = keras.Input((32, 32, 3))
    h = keras.layers.Conv2D(4, 3, strides=2, activation="relu")(inputs)
    h = keras.layers.GlobalAveragePooling2D()(h)
    h = keras.layers.Dense(8, activation="relu", name="features")(h)
    model = keras.Model(inputs, keras.layers.Dense(len(categories), activation="softmax")(h))
    meta = {"kind": "classifier", "image_size_px": 32, "categories": categories, "config": {}}
    return artifacts.save_model(model, path / "classifier.keras", meta)


def test_python_api_with_periodic_eval(tiny_data, tmp_path):
    from lookbook.train.gan_trainer import train_gan

    classifier = _tiny_classifier(tmp_path, ["jeans", "sports_shoes", "tshirt"])
    config = _quick("epochs=2", "eval_every_epochs=1", "eval_images=32", f"eval_classifier={classifier}")
    calls, notes = [], []
    result = train_gan(
        config, tiny_data, tmp_path / "run", progress=lambda done, total: calls.append((done, total)), log=notes.append
    )
    assert result["state"] == "finished" and result["step"] == 4 and Path(result["generator"]).is_file()
    assert calls[-1] == (4, 4) and [c[0] for c in calls] == [1, 2, 3, 4]
    evals = [r for r in metrics_rows(tmp_path / "run") if any(k.startswith("eval_") for k in r)]
    assert not [n for n in notes if "eval" in n], notes
    assert [r["epoch"] for r in evals] == [1, 2] and [r["step"] for r in evals] == [2, 4]
    assert all(math.isfinite(r["eval_fcd"]) and 0 <= r["eval_recognisability"] <= 1 for r in evals)
    # a conditional run also says, per category asked for, how its garments were labelled and how varied they are
    assert all(0 <= r["eval_weak_categories"] <= 3 for r in evals)
    newest = json.loads((tmp_path / "run" / layout.EVAL_CATEGORIES_FILE).read_text())
    assert newest["step"] == 4 and newest["n_images"] == 32
    assert set(newest["per_category"]) <= {"jeans", "sports_shoes", "tshirt"}
    assert sum(row["images"] for row in newest["per_category"].values()) == 32


def test_snapshots_save_the_generator_every_n_steps(tiny_data, tmp_path):
    """snapshot_every_steps keeps the sampling generator along the run, to choose a step afterwards."""
    from lookbook.models.artifacts import load_generator

    run = tmp_path / "run"
    args = ["train", "gan", "--data", str(tiny_data), "--run", str(run), *TINY_QUICK, *UNCONDITIONAL]
    assert main([*args, "--set", "epochs=2", "--set", "snapshot_every_steps=2"]) == 0
    assert sorted(p.name for p in (run / "snapshots").iterdir()) == [
        "step-000002.json", "step-000002.keras", "step-000004.json", "step-000004.keras",
    ]  # fmt: skip
    first, last, final = (
        load_generator(p) for p in (run / "snapshots/step-000002.keras", run / "snapshots/step-000004.keras", run)
    )
    assert (first.meta["step"], last.meta["step"], final.meta["step"]) == (2, 4, 4)
    assert first.meta["kind"] == "generator" and first.meta["config"]["snapshot_every_steps"] == 2
    seeds = [0, 1, 2]
    np.testing.assert_array_equal(last.sample(seeds), final.sample(seeds))  # the last snapshot is the run's generator
    assert not np.array_equal(first.sample(seeds), final.sample(seeds))
