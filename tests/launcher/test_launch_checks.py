"""Unit tests of what start_run checks before it spawns anything, and of the command line it would run."""

from __future__ import annotations

import os
import sys

import pytest

from lookbook.errors import LookbookError
from lookbook.run import layout
from lookbook.run.folder import RunDir
from lookbook.train import launcher
from lookbook.train.presets import gan_preset
from tests.launcher.helpers import make_run


def test_dict_overrides_survive_the_command_line():
    base = gan_preset("quick")
    overrides = {"g_lr": 1.234e-5, "spectral_norm": True, "diffaugment": ("color", "cutout"), "eval_classifier": "", "epochs": 3}
    config = launcher.build_config("gan", "quick", overrides)
    sets = launcher.set_args(base, config)
    assert sorted(sets) == sorted(
        ["g_lr=1.234e-05", "spectral_norm=true", "diffaugment=color,cutout", "epochs=3"]
    )  # eval_classifier="" is the preset's own value: not repeated
    assert base.with_overrides(sets) == config
    assert launcher.build_config("gan", "quick", ["g_lr=1.234e-5", "epochs=3"]).g_lr == 1.234e-5


def test_train_command_is_the_documented_cli(tmp_path):
    cmd = launcher.train_command("gan", tmp_path / "data", tmp_path / "run", "quick", ["epochs=2"], False, ["--devices", "2"])
    assert cmd[:5] == [sys.executable, "-m", "lookbook", "train", "gan"]
    data, run = str(tmp_path / "data"), str(tmp_path / "run")
    assert cmd[5:] == ["--data", data, "--run", run, "--preset", "quick", "--set", "epochs=2", "--devices", "2"]
    resumed = launcher.train_command("gan", tmp_path / "data", tmp_path / "run", None, [], True)
    assert "--preset" not in resumed and resumed[-1] == "--resume"


@pytest.mark.parametrize(
    "kind, preset, overrides, message",
    [
        ("gan", "quick", {"g_lr": -1}, "g_lr must be a positive learning rate"),
        ("gan", "quick", ["nope=1"], "unknown setting 'nope'"),
        ("gan", "fancy", {}, "unknown GAN preset 'fancy'"),
        ("gan", "quick", {"batch_size": 64}, "larger than the dataset (48 training images)"),
        ("gan", "quick", {"image_size_px": 64, "batch_size": 16}, "has no 64 px cache"),
        ("gan", "quick", {"batch_size": 16, "eval_every_epochs": 1, "eval_classifier": "/nowhere"}, "no model at /nowhere"),
        ("classifier", "ann", {"dropout": 2}, "dropout must be in [0, 1)"),
        ("vae", "x", {}, "unknown run kind 'vae'"),
    ],
)
def test_bad_launches_fail_in_process_before_anything_is_written(tiny_dataset, tmp_path, kind, preset, overrides, message):
    run = tmp_path / "runs" / "r"
    with pytest.raises(LookbookError) as err:
        launcher.start_run(kind, tiny_dataset.root, run, preset, overrides)
    assert message in str(err.value)
    assert not run.exists()


def test_not_a_dataset_is_refused(tmp_path):
    with pytest.raises(LookbookError, match="prepared dataset"):
        launcher.start_run("gan", tmp_path / "nowhere", tmp_path / "run", "quick", {"batch_size": 16})


def test_folder_written_by_a_live_process_is_refused(tiny_dataset, tmp_path):
    rd = RunDir.at(tmp_path / "run")
    rd.acquire_lock()  # this test process plays the live trainer
    try:
        with pytest.raises(LookbookError, match=f"is already being written by process {os.getpid()}"):
            launcher.start_run("gan", tiny_dataset.root, rd.path, "quick", {"batch_size": 16})
    finally:
        rd.release_lock()
    assert not (rd.path / layout.LOG_FILE).exists()


def test_resume_and_reuse_rules(tiny_dataset, tmp_path):
    with pytest.raises(LookbookError, match="has no checkpoint to resume from"):
        launcher.start_run("gan", tiny_dataset.root, tmp_path / "empty", "quick", resume=True)
    with pytest.raises(LookbookError, match="classifier runs cannot be resumed"):
        launcher.start_run("classifier", tiny_dataset.root, tmp_path / "clf", "cnn", resume=True)
    done = make_run(tmp_path, "done", metrics=({"epoch": 1, "step": 3, "d_loss": 1.0},))
    with pytest.raises(LookbookError, match="already holds a gan run \\(state finished\\); resume it"):
        launcher.start_run("gan", tiny_dataset.root, done.path, "quick", {"batch_size": 16})
    with pytest.raises(LookbookError, match="holds a 'gan' run, not a 'classifier' run"):
        launcher.start_run("classifier", tiny_dataset.root, done.path, "cnn")
