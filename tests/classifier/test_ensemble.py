"""Classifier ensembles: members sharing a split are averaged into one calibrated, reloadable classifier run."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from lookbook.errors import LookbookError
from lookbook.metrics.embedding import embed
from lookbook.models.artifacts import load_classifier
from lookbook.models.classifier_config import preset_config
from lookbook.run.folder import RunDir
from lookbook.train.classifier_ensemble import ensemble_classifiers
from lookbook.train.classifier_trainer import load_split, train_classifier
from tests.classifier.helpers import TINY_CNN


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    """A tiny dataset and three cnn runs on it: two sharing split seed 0 (weights seeded 1 and 2), one split apart."""
    from tests.conftest import make_tiny_dataset

    root = tmp_path_factory.mktemp("ensemble")
    ds = make_tiny_dataset(root / "d", n_per_class=32)
    runs = {}
    for name, seeds in {"a": ["seed=1", "split_seed=0"], "b": ["seed=2", "split_seed=0"], "other": ["seed=3"]}.items():
        cfg = preset_config("cnn").with_overrides([*TINY_CNN, "epochs=3", "test_time_flip=true", *seeds])
        train_classifier(cfg, ds.root, root / name)
        runs[name] = root / name
    return ds, runs


def test_split_seed_fixes_the_split_while_seed_changes_the_weights(members):
    _, runs = members
    a, b, other = (load_split(runs[n]) for n in ("a", "b", "other"))
    assert a["test"] == b["test"] and a["validation"] == b["validation"] and a["seed"] == b["seed"] == 0
    assert a["test"] != other["test"]
    wa, wb = (load_classifier(runs[n]).model.get_weights() for n in ("a", "b"))
    assert not np.allclose(wa[0], wb[0])


def test_an_ensemble_averages_its_members_and_is_a_classifier_run(members, tmp_path):
    ds, runs = members
    report = ensemble_classifiers([runs["a"], runs["b"]], ds.root, tmp_path / "ens")
    rd = RunDir.at(tmp_path / "ens")
    assert rd.read_status()["state"] == "finished" and rd.read_config()["preset"] == "ensemble"
    assert load_split(rd.path)["test"] == load_split(runs["a"])["test"]
    handle = load_classifier(rd.path)  # safe mode, like every model the app opens
    a, b = load_classifier(runs["a"]), load_classifier(runs["b"])
    assert handle.categories == a.categories and handle.test_time_flip
    images = np.asarray(ds.images[:12])
    x = images.astype(np.float32) / 127.5 - 1.0
    mean = (np.asarray(a.model(x)) + np.asarray(b.model(x))) / 2
    np.testing.assert_allclose(np.asarray(handle.model(x)), mean, atol=1e-6)
    # its features are the members' side by side (FCD and KID are measured in them)
    feats = embed(handle, images).features
    np.testing.assert_allclose(feats, np.concatenate([embed(a, images).features, embed(b, images).features], 1), atol=1e-5)
    # its own temperature, fitted on the shared validation split, and its own test report
    assert report["calibration"]["fitted_on"] == "validation" and handle.temperature == report["calibration"]["temperature"]
    assert report["n_images"]["test"] == len(load_split(runs["a"])["test"]) == report["test"]["n_images"]
    assert [m["test_accuracy"] for m in report["members"]] == [a.meta["test_accuracy"], b.meta["test_accuracy"]]
    assert json.loads((rd.path / "report.json").read_text())["accuracy"]["test"] == report["accuracy"]["test"]


def test_members_must_share_a_split_and_be_two(members, tmp_path):
    ds, runs = members
    with pytest.raises(LookbookError, match="another validation split"):
        ensemble_classifiers([runs["a"], runs["other"]], ds.root, tmp_path / "x")
    with pytest.raises(LookbookError, match="two or more"):
        ensemble_classifiers([runs["a"]], ds.root, tmp_path / "y")
    with pytest.raises(LookbookError, match="different classifiers"):
        ensemble_classifiers([runs["a"], runs["a"]], ds.root, tmp_path / "z")
    assert not (tmp_path / "x" / "classifier.keras").exists()


def test_members_need_one_label_map(members, tmp_path):
    from tests.conftest import make_tiny_dataset

    ds, runs = members
    small = make_tiny_dataset(tmp_path / "two", n_per_class=32, categories=("tshirt", "jeans"))
    cfg = preset_config("cnn").with_overrides([*TINY_CNN, "epochs=1", "split_seed=0"])
    train_classifier(cfg, small.root, tmp_path / "two-run")
    with pytest.raises(LookbookError, match="other categories"):
        ensemble_classifiers([runs["a"], tmp_path / "two-run"], ds.root, tmp_path / "x")


def test_the_cli_builds_an_ensemble(members, tmp_path):
    ds, runs = members
    out = tmp_path / "cli"
    cmd = [sys.executable, "-m", "lookbook", "train", "ensemble", "--members", str(runs["a"]), str(runs["b"])]
    done = subprocess.run([*cmd, "--data", str(ds.root), "--run", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("finished: test accuracy") and (out / "classifier.keras").is_file()
    assert "prior strength" in done.stdout and load_classifier(out).log_bias is not None
    raw = subprocess.run(
        [*cmd, "--data", str(ds.root), "--run", str(tmp_path / "raw"), "--no-prior-correction"], capture_output=True, text=True
    )
    assert raw.returncode == 0, raw.stderr
    assert (
        load_classifier(tmp_path / "raw").log_bias is None
        and not RunDir.at(tmp_path / "raw").read_config()["config"]["prior_correction"]
    )
    bad = subprocess.run([*cmd[:-1], "--data", str(ds.root), "--run", str(out)], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[-1].startswith("error: an ensemble needs two")
