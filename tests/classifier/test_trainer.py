"""train_classifier on tiny datasets: run-folder files, labels, reports, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lookbook.data.dataset import PreparedDataset, write_prepared
from lookbook.errors import LookbookError
from lookbook.models.artifacts import load_classifier
from lookbook.models.classifier_config import ClassifierConfig, preset_config
from lookbook.run.folder import RunDir
from lookbook.train.classifier_trainer import load_split, train_classifier


def test_trainer_writes_the_run_and_learns(tmp_path):
    from tests.conftest import make_tiny_dataset

    ds = make_tiny_dataset(tmp_path / "d", n_per_class=32)
    cfg = preset_config("ann").with_overrides(["hidden_units=32", "epochs=6", "batch_size=16", "learning_rate=0.001"])
    calls = []
    summary = train_classifier(cfg, ds.root, tmp_path / "run", progress=lambda d, t: calls.append((d, t)), preset="ann")
    run = RunDir.at(tmp_path / "run")
    names = {p.name for p in run.path.iterdir()}
    assert {
        "config.json",
        "status.json",
        "metrics.jsonl",
        "split.json",
        "report.json",
        "classifier.keras",
        "classifier.json",
    } <= names
    config = run.read_config()
    assert config["kind"] == "classifier" and config["preset"] == "ann" and ClassifierConfig.from_dict(config["config"]) == cfg
    assert run.read_status()["state"] == "finished"
    rows = run.read_metrics()
    assert len(rows) == summary["epochs_run"] == 6 and [r["epoch"] for r in rows] == [1, 2, 3, 4, 5, 6]
    keys = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "wall_time_s")
    assert all(np.isfinite([r[k] for k in keys]).all() for r in rows)
    assert rows[-1]["loss"] < rows[0]["loss"]
    assert calls[-1][0] == calls[-1][1]
    # the shapes are trivially separable: a working trainer gets the held-out images right
    report = json.loads((run.path / "report.json").read_text())
    assert report["accuracy"]["test"] == summary["accuracy"]["test"] >= 0.9
    assert report["test"]["n_images"] == report["n_images"]["test"] == 3 * round(32 * 0.2)
    handle = load_classifier(run.path)
    assert handle.categories == ["jeans", "sports_shoes", "tshirt"] and handle.meta["label_column"] == "category"
    # report.json agrees with the saved model on the saved test split
    split = load_split(run.path)
    test_rows = np.flatnonzero(ds.index["record_id"].isin(split["test"]))
    labels, confidences = handle.predict(np.asarray(ds.images[test_rows]))
    truth = ds.index["category"].to_numpy()[test_rows]
    assert np.mean(np.array(labels) == truth) == pytest.approx(report["accuracy"]["test"])
    # a temperature was fitted on the validation split, is saved with the model and used by every prediction
    calibration = report["calibration"]
    assert calibration["fitted_on"] == "validation" and calibration["n_images"] == report["n_images"]["validation"]
    assert handle.temperature == handle.meta["temperature"] == calibration["temperature"] > 0
    assert calibration["nll_after"] <= calibration["nll_before"] + 1e-9
    # the classes are equally common, so the prior correction has nothing to divide out
    assert calibration["prior_strength"] == 0.0 and handle.log_bias is not None and not handle.log_bias.any()
    assert report["test"]["mean_confidence"] == pytest.approx(float(np.mean(confidences)), abs=1e-4)


def test_article_type_labels_and_rare_classes(tmp_path):
    from tests.conftest import make_tiny_dataset

    ds = make_tiny_dataset(tmp_path / "d", n_per_class=12, categories=("tshirt", "jeans", "heels", "watch"))
    index = ds.index.copy()
    # article types: two per shape family would be ambiguous, so one each; "watch" rows become rare ones
    index["article_type"] = index["category"].map({"tshirt": "Tshirts", "jeans": "Jeans", "heels": "Heels", "watch": "Watches"})
    index.loc[index.index[-8:], "article_type"] = "Bangle"
    ds = write_prepared(tmp_path / "d", index, np.asarray(ds.images))
    cfg = preset_config("ann").with_overrides(
        ["hidden_units=16", "epochs=1", "label_column=article_type", "min_images_per_class=9"]
    )
    train_classifier(cfg, ds.root, tmp_path / "run")
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["categories"] == ["Heels", "Jeans", "Tshirts"]
    assert report["excluded_labels"] == {
        "Bangle": {"count": 8, "reason": "fewer than 9 images"},
        "Watches": {"count": 4, "reason": "fewer than 9 images"},
    }
    assert load_classifier(tmp_path / "run").meta["label_column"] == "article_type"


def test_single_class_dataset_is_a_one_line_error(tmp_path):
    from tests.conftest import make_tiny_dataset

    ds = make_tiny_dataset(tmp_path / "d", n_per_class=12, categories=("tshirt",))
    with pytest.raises(LookbookError, match="needs two or more"):
        train_classifier(preset_config("ann"), ds.root, tmp_path / "run")
    assert RunDir.at(tmp_path / "run").read_status()["state"] == "failed"


def test_stop_file_ends_training_with_a_saved_model(tiny_dataset, tmp_path):
    run = RunDir.at(tmp_path / "run")
    cfg = preset_config("ann").with_overrides(["hidden_units=16", "epochs=50", "batch_size=8"])
    steps = []

    def stop_soon(done, total):
        steps.append(done)
        run.request_stop()

    import lookbook.train.classifier_trainer as trainer

    old = trainer.STOP_CHECK_S
    trainer.STOP_CHECK_S = 0.0
    try:
        summary = train_classifier(cfg, tiny_dataset.root, run.path, progress=stop_soon)
    finally:
        trainer.STOP_CHECK_S = old
    assert summary["state"] == "stopped" and summary["stopped_by"] == "stop requested"
    assert summary["epochs_run"] < 50 and run.read_status()["state"] == "stopped"
    assert load_classifier(run.path).categories == ["jeans", "sports_shoes", "tshirt"]


def test_missing_image_size_is_a_one_line_error(tiny_dataset, tmp_path):
    with pytest.raises(LookbookError, match="no 64 px cache"):
        train_classifier(preset_config("cnn").replace(image_size_px=64), tiny_dataset.root, tmp_path / "run")
    assert isinstance(PreparedDataset.open(tiny_dataset.root), PreparedDataset)


def test_warm_start_continues_from_a_saved_classifier_and_refuses_a_mismatch(tiny_dataset, tmp_path):
    from tests.classifier.helpers import save_tiny_classifier

    cfg = preset_config("ann").with_overrides(["hidden_units=16", "epochs=2", "batch_size=8", "learning_rate=0.001"])
    train_classifier(cfg, tiny_dataset.root, tmp_path / "first")
    first = load_classifier(tmp_path / "first")
    # a learning rate of ~0 keeps the warm-started weights: the second model predicts what the first does
    frozen = cfg.replace(init_from=str(tmp_path / "first"), learning_rate=1e-12, calibrate=False)
    train_classifier(frozen, tiny_dataset.root, tmp_path / "second")
    second = load_classifier(tmp_path / "second")
    assert second.temperature == 1.0 and second.log_bias is None  # calibrate=false: raw softmax
    images = np.asarray(tiny_dataset.images[:8])
    np.testing.assert_allclose(
        second.model.predict(images / 127.5 - 1, verbose=0), first.model.predict(images / 127.5 - 1, verbose=0), atol=1e-4
    )
    other = save_tiny_classifier(tmp_path / "other", ["a", "b"])
    with pytest.raises(LookbookError, match="init_from names other categories"):
        train_classifier(cfg.replace(init_from=str(other)), tiny_dataset.root, tmp_path / "third")
