"""Scores of GAN runs: score.json from a generator and a judge (also at another image size), its states, the runs
table's score columns and ranking, and `python -m lookbook score` in a subprocess (a score, and a reason when it cannot)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pandas as pd
import pytest

from lookbook.run import layout, reader, scores
from lookbook.run.folder import RunDir
from lookbook.train import scoring
from tests.classifier.helpers import save_tiny_classifier, save_tiny_generator
from tests.conftest import ROOT
from tests.launcher.helpers import dead_pid, make_run

CATEGORIES = ["tshirt", "jeans", "sports_shoes"]


@pytest.fixture()
def gan_run(tiny_dataset, tmp_path):
    """A finished conditional GAN run on the tiny dataset, with an (untrained) generator saved at step 12."""
    rd = make_run(tmp_path / "runs", "gan-a", config={"data": str(tiny_dataset.root), "conditional": True, "epochs": 4})
    save_tiny_generator(rd.path, categories=CATEGORIES)
    sidecar = rd.path / "generator.json"
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "step": 12}))
    return rd


@pytest.mark.parametrize("judge_px", [32, 64])
def test_score_run_writes_the_four_figures(gan_run, tmp_path, judge_px):
    judge = save_tiny_classifier(tmp_path / "judge", CATEGORIES, image_size_px=judge_px)

    score = scoring.score_run(gan_run.path, judge, n_images=40)

    stored = json.loads((gan_run.path / layout.SCORE_FILE).read_text())
    assert stored == json.loads(json.dumps(score))
    for metric in scores.METRICS:
        assert math.isfinite(stored["metrics"][metric.key]), metric.key
    assert 0 <= stored["metrics"]["conditional_accuracy"] <= 1
    assert stored["judge_px"] == judge_px and stored["generator"] == {
        "path": str(gan_run.path / "generator.keras"),
        "step": 12,
        "image_size_px": 32,
    }
    assert scores.score_state(gan_run.path)["state"] == "scored"
    # the same judge's reading of the dataset's own held-out images, for each figure to be read against
    assert set(stored["real"]) >= {m.key for m in scores.METRICS} and 0 <= stored["real"]["conditional_accuracy"] <= 1
    per_category = stored["per_category"]
    assert set(per_category) <= set(CATEGORIES) and sum(row["images"] for row in per_category.values()) == 40


def test_figures_read_against_the_real_images():
    by_key = {m.key: m for m in scores.METRICS}
    score = {
        "metrics": {"conditional_accuracy": 0.40, "fcd": 3.2, "recognisability": 0.3, "within_class_diversity": 0.7},
        "real": {"conditional_accuracy": 0.45, "fcd": 0.41, "recognisability": 0.0, "within_class_diversity": 1.0},
    }
    assert scores.against_real(by_key["conditional_accuracy"], score) == "0.89x real (45%)"
    assert scores.against_real(by_key["fcd"], score) == "real vs real 0.41"
    assert scores.against_real(by_key["recognisability"], score) == "real 0%"  # no ratio against nothing
    assert scores.against_real(by_key["within_class_diversity"], score) is None  # already relative to real
    assert scores.against_real(by_key["fcd"], {"metrics": score["metrics"]}) is None  # scored before real figures


def test_score_states_outdated_scoring_and_failed(gan_run, tmp_path):
    assert scores.score_state(gan_run.path)["state"] == "none"
    (gan_run.path / layout.SCORE_FILE).write_text(json.dumps({"metrics": {"fcd": 3.0}, "generator": {"step": 6}, "scored": 5}))
    assert scores.score_state(gan_run.path)["state"] == "outdated"  # the generator is at step 12 now
    scoring.mark_scoring(gan_run.path, dead_pid(), "judge.keras")
    assert scores.score_state(gan_run.path) == {
        "state": "failed",
        "score": json.loads((gan_run.path / layout.SCORE_FILE).read_text()),
        "reason": "the scoring process ended without a score",
        "judge": None,
    }
    scoring.mark_scoring(gan_run.path, os.getpid(), "judge.keras")
    assert scores.score_state(gan_run.path)["state"] == "scoring"
    scoring.record_failure(gan_run.path, "judge.keras", "the judge is 64 px")
    scoring.clear_scoring(gan_run.path, os.getpid())
    assert scores.score_state(gan_run.path)["reason"] == "the judge is 64 px"


def test_scores_join_the_runs_table_and_rank_runs(tmp_path):
    root = tmp_path / "runs"
    for name, accuracy, fcd in (("a", 0.4, 9.0), ("b", 0.7, 12.0), ("c", None, None)):
        rd = make_run(root, name)
        if accuracy is not None:
            score = {"metrics": {"conditional_accuracy": accuracy, "fcd": fcd}, "classifier": "/m/judge/classifier.keras"}
            (rd.path / layout.SCORE_FILE).write_text(json.dumps(score))
    table = reader.list_runs(root)
    assert table.set_index("id").loc["a", "score_asked_class"] == 0.4
    assert table.set_index("id").loc["b", "score_judge"] == "judge"
    assert pd.isna(table.set_index("id").loc["c", "score_fcd"])
    assert scores.rank_runs(table, "score_asked_class")["id"].tolist() == ["b", "a", "c"]
    assert scores.rank_runs(table, "score_fcd")["id"].tolist() == ["a", "b", "c"]  # lower is better
    assert scores.best_run(table, "score_asked_class") == "b" and scores.best_run(table, "score_diversity") is None


def test_score_command_scores_and_says_why_it_cannot(gan_run, tmp_path):
    judge = save_tiny_classifier(tmp_path / "judge", CATEGORIES)
    empty = RunDir.at(tmp_path / "runs" / "empty")
    make_run(tmp_path / "runs", "empty", config={"data": "x"})

    runs = [str(gan_run.path), str(empty.path)]
    done = subprocess.run(
        [sys.executable, "-m", "lookbook", "score", *runs, "--classifier", str(judge), "--images", "20"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )

    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["metrics"]["conditional_accuracy"] >= 0
    assert scores.score_state(gan_run.path)["state"] == "scored"
    failed = scores.score_state(empty.path)
    assert failed["state"] == "failed" and "has no generator.keras yet" in failed["reason"]
    assert not (gan_run.path / layout.SCORING_FILE).exists()
