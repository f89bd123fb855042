"""Unit tests of sweep planning (grid, random ranges, defaults, errors) and of the summary table, without training."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from lookbook.errors import LookbookError
from lookbook.train import sweep
from tests.conftest import make_tiny_dataset
from tests.launcher.helpers import make_run


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """72 images: room for the quick preset's batch of 32, and for a batch of 64."""
    return make_tiny_dataset(tmp_path_factory.mktemp("data") / "tiny72", n_per_class=24)


def plan(tmp_dataset, root, **kwargs):
    return sweep.plan_sweep("gan", tmp_dataset.root, root, **{"name": "s", "preset": "quick", **kwargs})


def test_grid_is_crossed_with_seeded_random_draws(dataset, tmp_path):
    settings = {"grid": ["g_lr=1e-4,2e-4", "loss=bce,hinge"], "random_ranges": ["d_lr=1e-5..1e-3:log", "noise_dim=8..64"]}
    p = plan(dataset, tmp_path, **settings, trials=3, seed=7)
    runs = p.trial_values()
    assert len(runs) == 2 * 2 * 3
    assert p.keys == ["g_lr", "loss", "d_lr", "noise_dim"]
    assert [r["g_lr"] for r in runs[:4]] == [1e-4, 1e-4, 2e-4, 2e-4] and [r["loss"] for r in runs[:4]] == ["bce", "hinge"] * 2
    # each random draw is shared by every grid point, so grid values are compared on equal terms
    assert len({(r["d_lr"], r["noise_dim"]) for r in runs}) == 3
    assert all(1e-5 <= r["d_lr"] <= 1e-3 and isinstance(r["noise_dim"], int) and 8 <= r["noise_dim"] <= 64 for r in runs)
    again = plan(dataset, tmp_path, **settings, trials=3, seed=7)
    assert again.trial_values() == runs  # a resumed sweep draws the same values
    other = plan(dataset, tmp_path, random_ranges=["d_lr=1e-5..1e-3:log"], trials=3, seed=8)
    assert [r["d_lr"] for r in other.trial_values()] != [r["d_lr"] for r in runs[::4]]
    assert p.run_dir(0).name == "s-001" and p.run_dir(11).name == "s-012"
    assert p.overrides(runs[0])[:1] == ["g_lr=0.0001"]


def test_log_range_spreads_over_decades(dataset, tmp_path):
    values = [r["g_lr"] for r in plan(dataset, tmp_path, random_ranges=["g_lr=1e-6..1e-2:log"], trials=200).trial_values()]
    decades = {math.floor(math.log10(v)) for v in values}
    assert decades == {-6, -5, -4, -3}  # uniform in log space: every decade gets draws
    linear = [r["g_lr"] for r in plan(dataset, tmp_path, random_ranges=["g_lr=1e-6..1e-2"], trials=200).trial_values()]
    assert sum(v < 1e-3 for v in linear) < 40  # uniform: ~10% below 1e-3


def test_default_ranges_are_the_original_ones_within_valid_values(dataset, tmp_path):
    p = plan(
        dataset,
        tmp_path,
        random_ranges=["g_lr", "beta1", "batch_size", "epochs", "adam_epsilon", "noise_dim"],
        trials=60,
        seed=1,
    )
    ranges = {r.key: r for r in p.random}
    assert (ranges["g_lr"].low, ranges["g_lr"].high, ranges["g_lr"].log) == (1e-5, 2.0, True)
    assert (ranges["adam_epsilon"].low, ranges["adam_epsilon"].high, ranges["adam_epsilon"].log) == (1e-6, 1e-3, True)
    # batches above the dataset size (72 images here) cannot train, so the default range stops there
    assert (ranges["batch_size"].low, ranges["batch_size"].high, ranges["batch_size"].integer) == (10, 72, True)
    assert (ranges["epochs"].low, ranges["epochs"].high) == (30, 300)
    assert (ranges["noise_dim"].low, ranges["noise_dim"].high) == (10, 150)
    # the original searched beta up to 2; Adam needs beta < 1, so the default range stops just below 1
    assert ranges["beta1"].low == 1e-5 and 0.999 < ranges["beta1"].high < 1
    runs = p.trial_values()
    assert max(r["beta1"] for r in runs) > 0.8 and all(r["beta1"] < 1 for r in runs)
    assert all(isinstance(r["batch_size"], int) and 10 <= r["batch_size"] <= 72 for r in runs)


def test_grid_values_take_the_setting_type(dataset, tmp_path):
    p = plan(dataset, tmp_path, grid=["diffaugment=color,translation;cutout", "epochs=1,2"])
    runs = p.trial_values()
    assert runs[0] == {"diffaugment": ("color", "translation"), "epochs": 1}
    assert runs[-1] == {"diffaugment": ("cutout",), "epochs": 2}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"grid": ["nope=1,2"]}, "--grid: unknown setting 'nope'"),
        ({"random_ranges": ["nope=1..2"]}, "--random: unknown setting 'nope'"),
        ({"random_ranges": ["loss"]}, "--random needs a numeric setting; loss is a choice"),
        ({"random_ranges": ["image_size_px"]}, "has no default range"),
        ({"random_ranges": ["g_lr=1e-3"]}, "--random expects key=LOW..HIGH"),
        ({"random_ranges": ["g_lr=1e-3..1e-4"]}, "low 0.001 is above high 0.0001"),
        ({"random_ranges": ["g_lr=0..1:log"]}, "a log range needs low > 0"),
        ({"random_ranges": ["g_lr=1e-4..1e-3:exp"]}, "the only option after ':' is 'log'"),
        ({"grid": ["g_lr"]}, "--grid expects key=v1,v2"),
        ({"grid": ["g_lr=1e-4,2e-4"], "sets": ["g_lr=3e-4"]}, "g_lr given more than once"),
        ({"grid": ["g_lr=1e-4,1e-4"]}, "repeats a value"),
        ({"grid": ["g_lr=fast,slow"]}, "g_lr must be float"),
        ({"grid": ["g_lr=1e-4,-1"]}, "--grid g_lr=-1: g_lr must be a positive learning rate"),
        ({"grid": ["g_lr=1e-4,2e-4"], "sets": ["d_steps=2", "update=simultaneous"]}, "d_steps > 1 needs update=alternating"),
        ({"random_ranges": ["batch_size=1..4"], "trials": 20}, "(batch_size=1) is invalid: batch_size must be at least 2"),
        ({"random_ranges": ["batch_size=60..128"]}, "is larger than the dataset (72 training images)"),
        ({"grid": ["image_size_px=32,64"]}, "(image_size_px=64) is invalid: "),
        ({}, "nothing to sweep"),
        ({"grid": ["epochs=1,2"], "trials": 3}, "--trials counts random draws"),
        ({"grid": ["epochs=1,2"], "name": "../up"}, "sweep name '../up'"),
        ({"grid": ["epochs=1,2"], "sets": ["bogus=1"]}, "unknown setting 'bogus'"),
        ({"grid": ["epochs=1,2"], "preset": "fancy"}, "fancy"),
    ],
)
def test_bad_sweeps_are_one_line_errors(dataset, tmp_path, kwargs, message):
    with pytest.raises(LookbookError) as err:
        plan(dataset, tmp_path / "runs", **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "runs").exists()  # nothing ran, nothing was written


def test_bad_dataset_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(LookbookError, match="not a prepared dataset"):
        sweep.plan_sweep("gan", tmp_path / "nowhere", tmp_path / "runs", grid=["epochs=1,2"])


def test_finished_runs_are_skipped_and_summarised(dataset, tmp_path):
    p = plan(dataset, tmp_path, grid=["g_lr=1e-4,2e-4"])
    for i, values in enumerate(p.trial_values()):
        make_run(
            tmp_path,
            p.run_dir(i).name,
            metrics=({"epoch": 1, "step": 3, "d_loss": 1.0 + i, "g_loss": 2.0 + i}, {"epoch": 1, "step": 3, "eval_fcd": 9.0 - i}),
            config={"g_lr": values["g_lr"], "epochs": 1},
            epoch=1,
            step=3,
            epochs=1,
        )
    seen = []
    table = sweep.run_sweep(p, progress=lambda done, total: seen.append((done, total)), poll_s=0.01)
    assert seen == [(1, 2), (2, 2)]
    assert list(table["run_id"]) == ["s-001", "s-002"] and list(table["state"]) == ["finished", "finished"]
    assert list(table["g_lr"]) == [1e-4, 2e-4] and list(table["d_loss"]) == [1.0, 2.0] and list(table["eval_fcd"]) == [9.0, 8.0]
    csv_path, json_path = sweep.summary_paths(tmp_path, "s")
    assert pd.read_csv(csv_path)["g_loss"].tolist() == [2.0, 3.0]
    stored = json.loads(json_path.read_text())  # strict JSON: no NaN
    assert stored["sweep"]["grid"] == {"g_lr": [1e-4, 2e-4]} and len(stored["runs"]) == 2
    assert stored["runs"][0]["wall_time_s"] is None and stored["runs"][0]["reason"] is None
    pd.testing.assert_frame_equal(sweep.read_summary(tmp_path, "s"), pd.read_csv(csv_path))


def test_resuming_with_other_settings_is_refused(dataset, tmp_path):
    first = plan(dataset, tmp_path, grid=["g_lr=1e-4,2e-4"])
    sweep.write_summary(first, [sweep._row(first, i, v, None) for i, v in enumerate(first.trial_values())])
    assert pd.read_csv(sweep.summary_paths(tmp_path, "s")[0])["state"].tolist() == ["pending", "pending"]
    changed = plan(dataset, tmp_path, grid=["g_lr=1e-4,3e-4"])
    with pytest.raises(LookbookError, match=r"sweep 's' .* was started with other settings \(grid, runs differ\)"):
        sweep.run_sweep(changed)


def test_default_range_ignores_dataset_limits_that_other_keys_cause(tiny_dataset, tmp_path):
    # quick's batch of 32 x 2 D steps does not fit the 48 images, but the batch is swept too: d_lr keeps its full range
    two_d_steps = ["update=alternating", "d_steps=2"]
    p = plan(tiny_dataset, tmp_path, random_ranges=["batch_size=8..16", "d_lr"], trials=4, sets=two_d_steps)
    d_lr = next(r for r in p.random if r.key == "d_lr")
    assert (d_lr.low, d_lr.high, d_lr.log) == (1e-5, 2.0, True)
    with pytest.raises(LookbookError, match=r"run s-001 \(d_lr=.*\) is invalid: batch_size 32 x d_steps 2 is larger"):
        plan(tiny_dataset, tmp_path, random_ranges=["d_lr"], trials=4, sets=two_d_steps)
