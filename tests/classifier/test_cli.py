"""Smoke tests of `train classifier` and `eval` through the real command line, and their one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from lookbook.cli import main
from tests.classifier.helpers import TINY_CNN, save_tiny_classifier, save_tiny_generator
from tests.conftest import ROOT, make_tiny_dataset


def lookbook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lookbook", *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A cnn run trained through the CLI on the tiny dataset (2 epochs, mixed precision)."""
    root = tmp_path_factory.mktemp("cli")
    ds = make_tiny_dataset(root / "tiny")
    sets = [x for s in [*TINY_CNN, "epochs=2", "precision=mixed_bfloat16"] for x in ("--set", s)]
    proc = lookbook("train", "classifier", "--data", str(ds.root), "--run", str(root / "run"), "--preset", "cnn", *sets)
    assert proc.returncode == 0, proc.stderr
    return ds, root / "run", proc


def test_train_cnn_from_the_cli(trained):
    _, run, proc = trained
    assert "test accuracy" in proc.stdout and "training [" in proc.stderr and "epoch 2/2" in proc.stderr
    report = json.loads((run / "report.json").read_text())
    assert report["categories"] == ["jeans", "sports_shoes", "tshirt"]
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 2


def test_train_ann_from_the_cli(tiny_dataset, tmp_path):
    proc = lookbook(
        "train", "classifier", "--data", str(tiny_dataset.root), "--run", str(tmp_path / "run"), "--preset", "ann",
        "--set", "hidden_units=16", "--set", "epochs=1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["preset"] == "ann" and config["config"]["architecture"] == "ann" and config["config"]["learning_rate"] == 1e-4


def test_eval_reports_on_the_held_out_split(trained):
    ds, run, _ = trained
    proc = lookbook("eval", "--classifier", str(run), "--data", str(ds.root))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # one JSON object, nothing else on stdout
    report = json.loads((run / "report.json").read_text())
    assert out["split"] == "test" and out["n_images"] == report["n_images"]["test"] == 9
    assert out["accuracy"] == pytest.approx(report["accuracy"]["test"])
    assert out["training_accuracy"] == report["accuracy"]
    assert {row["category"] for row in out["per_class"]} <= {"jeans", "sports_shoes", "tshirt"}
    matrix = np.array(out["confusion"]["matrix"])
    assert matrix.sum() == 9 and np.trace(matrix) == round(out["accuracy"] * 9)


def test_eval_with_a_generator_prints_metrics_and_baselines(trained, tmp_path):
    ds, run, _ = trained
    save_tiny_generator(tmp_path / "gen")
    proc = lookbook(
        "eval", "--classifier", str(run), "--data", str(ds.root), "--generator", str(tmp_path / "gen"), "--images", "40"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    keys = {"fcd", "kid", "kid_std", "recognisability", "n_categories", "coverage", "entropy", "mix_tv", "within_class_diversity"}
    assert set(out["metrics"]) == keys
    assert set(out["baselines"]) == {"real_vs_real", "noise_vs_real", "gaussian_noise_vs_real", "blurred_vs_real"}
    for values in [out["metrics"], *out["baselines"].values()]:
        assert set(values) == keys and values["fcd"] >= 0 and 0 <= values["recognisability"] <= 1
    assert out["settings"]["n_generated"] == 40 and out["settings"]["n_reference"] == 24
    assert out["settings"]["kid_subset_size"] == 24 and out["settings"]["conditional"] is False
    assert "evaluating [" in proc.stderr


def test_eval_bad_inputs_are_one_line_errors(trained, tmp_path, capsys):
    ds, run, _ = trained
    other = make_tiny_dataset(tmp_path / "other", n_per_class=4, categories=("heels", "watch"))
    big = make_tiny_dataset(tmp_path / "big", n_per_class=4, size=64)
    save_tiny_generator(tmp_path / "gen64", image_size_px=64)
    save_tiny_generator(tmp_path / "gen")
    save_tiny_classifier(tmp_path / "foreign", ["Tshirts", "Jeans"])
    save_tiny_classifier(tmp_path / "plain", ["jeans", "tshirt"])
    cases = [
        (["--classifier", str(run), "--data", str(big.root)], "has no 32 px cache"),
        (["--classifier", str(run), "--data", str(other.root)], "do not overlap the dataset's category labels"),
        (["--classifier", str(tmp_path / "foreign"), "--data", str(ds.root)], r"taxonomy does not know \(Tshirts, Jeans\)"),
        (["--classifier", str(run), "--data", str(ds.root), "--generator", str(tmp_path / "gen64")], "makes 64 px images"),
        (["--classifier", str(run), "--data", str(ds.root), "--generator", str(tmp_path / "gen"), "--kid-subset-size", "1000"],
         r"KID subset size \(1000\) is larger"),
        (["--classifier", str(run), "--data", str(ds.root), "--generator", str(tmp_path / "gen"), "--images", "1"],
         "at least 2"),
        (["--classifier", str(tmp_path / "nothing"), "--data", str(ds.root)], "no model at"),
        (["--classifier", str(tmp_path / "plain"), "--data", str(ds.root), "--split", "test"], "no split.json"),
        (["--classifier", str(run), "--data", str(other.root), "--split", "test"], "do not overlap"),
    ]  # fmt: skip
    for args, message in cases:
        assert main(["eval", *args]) == 2, args
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and len(err.splitlines()) == 1, err
        assert re.search(message, err), (message, err)


def test_train_bad_inputs_are_one_line_errors(tiny_dataset, tmp_path):
    single = make_tiny_dataset(tmp_path / "single", n_per_class=12, categories=("tshirt",))
    cases = [
        (["--data", str(tmp_path / "missing")], "is not a folder"),
        (["--data", str(tiny_dataset.root), "--set", "epochs=0"], "epochs must be at least 1"),
        (["--data", str(tiny_dataset.root), "--set", "colour=1"], "unknown setting 'colour'"),
        (["--data", str(single.root), "--set", "epochs=1"], "needs two or more"),
        (["--data", str(tiny_dataset.root), "--resume"], "classifier runs do not resume"),
    ]
    for args, message in cases:
        proc = lookbook("train", "classifier", "--run", str(tmp_path / "run"), *args)
        assert proc.returncode == 2 and proc.stderr.strip().splitlines()[-1].startswith("error: "), proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr


def test_eval_split_falls_back_to_all_on_unseen_records(trained, tmp_path):
    from lookbook.cli.evaluate import report_rows
    from lookbook.data.dataset import write_prepared

    ds, run, _ = trained
    rows, split, missing = report_rows("auto", run, ds)
    assert split == "test" and len(rows) == 9 and missing == 0
    index = ds.index.copy()
    index["record_id"] = "other:" + index["record_id"]
    fresh = write_prepared(tmp_path / "fresh", index, np.asarray(ds.images))
    assert report_rows("auto", run, fresh) == (None, "all", 0)
    assert report_rows("all", run, ds) == (None, "all", 0)
    with pytest.raises(Exception, match="none of the classifier's held-out test records"):
        report_rows("test", run, fresh)
