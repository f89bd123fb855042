"""Unit tests of the core contracts: configs, atomic writes, run directories, prepared datasets, tf.data."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

from lookbook import atomic
from lookbook.config import Config, check
from lookbook.errors import LookbookError
from lookbook.run.folder import RunDir


@dataclasses.dataclass(frozen=True)
class _Cfg(Config):
    lr: float = 1e-4  # learning rate
    batch_size: int = 64
    ema: bool = False
    widths: tuple[int, ...] = (64, 32)

    def validate(self) -> None:
        check(self.lr > 0, f"lr must be positive, got {self.lr}")


def test_config_overrides_parse_by_type():
    cfg = _Cfg().with_overrides(["lr=2e-4", "batch_size=32", "ema=true", "widths=8,4"])
    assert cfg == _Cfg(lr=2e-4, batch_size=32, ema=True, widths=(8, 4))
    assert _Cfg.from_dict(cfg.to_dict()) == cfg
    assert set(cfg.diff(_Cfg())) == {"lr", "batch_size", "ema", "widths"}


@pytest.mark.parametrize(
    "item, message",
    [
        ("nope=1", "unknown setting 'nope'"),
        ("lr=-1", "lr must be positive"),
        ("batch_size=abc", "batch_size must be int"),
        ("lr", "key=value"),
    ],
)
def test_config_bad_overrides_are_one_line_errors(item, message):
    with pytest.raises(LookbookError, match=message):
        _Cfg().with_overrides([item])


def test_atomic_write_leaves_no_temp_on_failure(tmp_path):
    target = tmp_path / "a.json"
    atomic.write_json(target, {"x": np.float32(1.5)})
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError
    assert target.read_text().strip().startswith("{") and os.listdir(tmp_path) == ["a.json"]


def test_run_lock_refuses_live_writer_and_clears_stale(tmp_path):
    run = RunDir.at(tmp_path / "run")
    run.acquire_lock()
    child = subprocess.run(
        [sys.executable, "-c", f"from lookbook.run.folder import RunDir; RunDir.at({str(run.path)!r}).acquire_lock()"],
        capture_output=True,
        text=True,
    )
    assert child.returncode != 0 and "already being written" in child.stderr
    run.release_lock()
    # a lock left by a process that no longer exists is stale and gets cleared
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (run.path / "run.lock").write_text(f'{{"pid": {int(dead.stdout)}, "host": "{os.uname().nodename}"}}')
    run.acquire_lock()
    assert run.lock_holder()["pid"] == os.getpid()


def test_run_status_marks_vanished_process_failed(tmp_path):
    run = RunDir.at(tmp_path / "run")
    run.write_config("gan", {"a": 1})
    run.write_status("running", epoch=3)
    assert run.read_status()["state"] == "running"
    status = run.read_status()
    (run.path / "status.json").write_text(
        (run.path / "status.json").read_text().replace(f'"pid": {status["pid"]}', '"pid": 999999999')
    )
    assert run.read_status()["state"] == "failed"
    with pytest.raises(LookbookError, match="holds a 'gan' run"):
        run.write_config("classifier", {})


def test_metrics_ignore_half_written_line(tmp_path):
    run = RunDir.at(tmp_path / "run")
    run.append_metrics({"step": 1, "d_loss": 0.5})
    with open(run.path / "metrics.jsonl", "a") as f:
        f.write('{"step": 2, "d_lo')
    assert run.read_metrics() == [{"step": 1, "d_loss": 0.5}]


def test_prepared_dataset_and_pipeline(tiny_dataset):
    from lookbook.data.dataset import PreparedDataset
    from lookbook.data.pipeline import make_dataset

    ds = PreparedDataset.open(tiny_dataset.root)
    assert len(ds) == 48 and ds.categories() == ["jeans", "sports_shoes", "tshirt"]
    batches = list(make_dataset(ds, 16, label_map=ds.categories(), epochs=[0, 1], seed=3))
    assert len(batches) == 6
    x, y = batches[0]
    assert x.dtype.name == "float32" and x.shape == (16, 32, 32, 3)
    assert float(x.numpy().min()) >= -1.0 and float(x.numpy().max()) <= 1.0
    assert set(y.numpy()) <= {0, 1, 2}
    again = list(make_dataset(ds, 16, label_map=ds.categories(), epochs=[1], seed=3))
    np.testing.assert_array_equal(batches[3][1].numpy(), again[0][1].numpy())  # epoch 1 replays exactly


def test_balanced_sampling_evens_out_categories_and_replays():
    from lookbook.data.pipeline import balance_weights, epoch_order

    cats = np.array(["tshirt"] * 900 + ["skirt"] * 100)
    assert balance_weights(cats, 0.0) is None
    for balance, skirt_share in ((1.0, 0.5), (0.5, 0.25)):
        weights = balance_weights(cats, balance)
        order = epoch_order(len(cats), 0, 0, weights)
        assert len(order) == 1000
        assert abs((cats[order] == "skirt").mean() - skirt_share) < 0.05
        np.testing.assert_array_equal(order, epoch_order(len(cats), 0, 0, weights))  # a resume replays it


def test_open_rejects_non_dataset(tmp_path):
    from lookbook.data.dataset import PreparedDataset

    with pytest.raises(LookbookError, match="not a prepared dataset"):
        PreparedDataset.open(tmp_path)
    with pytest.raises(LookbookError, match="not a folder"):
        PreparedDataset.open(tmp_path / "missing")
