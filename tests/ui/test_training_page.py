"""The Training page: the settings form builds the CLI's config, figures from metrics, and the page through AppTest on
hand-made run folders (fast) and on real tiny runs started from the page (slow: launch, finish, stop, resume)."""

from __future__ import annotations

import base64
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from lookbook import paths
from lookbook.errors import LookbookError
from lookbook.run import checkpoint, layout, process, reader
from lookbook.run.folder import RunDir
from lookbook.train import launcher, presets
from lookbook.ui import training_fields, training_live
from lookbook.viz import training as viz
from tests.conftest import make_tiny_dataset
from tests.launcher.conftest import no_leftover_trainers  # noqa: F401 - autouse: no trainer outlives its test
from tests.launcher.helpers import dead_pid, make_run, wait_until

APP = str(paths.REPO_ROOT / "app.py")
PAGE = "pages/training.py"
TIMEOUT_S = 120
RUN_TIMEOUT_S = 300  # a trainer starts TensorFlow in a fresh process; the shared CPU can make that slow
GAN_TAB, CLASSIFIER_TAB, SWEEPS_TAB, RUNS_TAB = "GAN", "Classifier", "Sweeps", "Runs & comparison"
# A GAN that trains in well under a second per epoch on the 48-image, 32 px tiny dataset (3 steps per epoch).
TINY_GAN = {"batch_size": 16, "g_base_width": 8, "d_base_width": 8, "noise_dim": 16, "log_every_steps": 1}


# helpers ----------------------------------------------------------------------------------------------
@pytest.fixture()
def workspace(use_workspace, tmp_path) -> Path:
    """A workspace holding the tiny dataset (32 px, 3 categories x 16), with an empty runs root."""
    ws = use_workspace(tmp_path / "ws")
    make_tiny_dataset(ws / paths.DATASETS_DIR / "tiny")
    return ws


def _page(tab: str = GAN_TAB) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    if tab != GAN_TAB:
        _tab(at, tab)
    return at


def _tab(at: AppTest, tab: str) -> None:
    at.session_state["train.tab"] = tab
    at.run()
    assert not at.exception, at.exception


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts + [e.value for e in at.error])


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _figures(at: AppTest) -> dict[str, go.Figure]:
    """The page's Plotly figures (rebuilt from the JSON the browser gets) by chart key."""
    return {c.key: go.Figure(_decode(json.loads(c.proto.spec))) for c in at.get("plotly_chart")}


def _decode(node):
    """Plotly's JSON with its base64 typed arrays ({"dtype", "bdata", "shape"}) turned back into numpy arrays."""
    if isinstance(node, dict) and "bdata" in node and "dtype" in node:
        array = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
        shape = node.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    if isinstance(node, dict):
        return {k: _decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decode(v) for v in node]
    return node


def _figure_with_title(at: AppTest, title: str) -> go.Figure:
    figures = list(_figures(at).values())
    for fig in figures:
        if fig.layout.title.text == title:
            return fig
    raise AssertionError(f"no figure titled {title!r} among {[f.layout.title.text for f in figures]}")


def _trace_names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data]


def _gan_rows(n: int, steps_per_epoch: int = 3, d_loss: float = 1.3) -> tuple[dict, ...]:
    return tuple(
        {
            "epoch": 1 + i // steps_per_epoch,
            "step": i + 1,
            "d_loss": d_loss - 0.01 * i,
            "g_loss": 0.8 + 0.02 * i,
            "d_real": 0.6 + 0.01 * i,
            "d_fake": 0.4 - 0.01 * i,
            "images_per_s": 100.0 + i,
            "wall_time_s": float(i),
        }
        for i in range(n)
    )


def _gan_config(**changes) -> dict:
    return {"g_lr": 2e-4, "d_lr": 2e-4, "batch_size": 16, "epochs": 4, "steps_per_epoch": 3, "loss": "bce", **changes}


def _sample(rd: RunDir, epoch: int) -> None:
    rd.samples_dir.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (34, 34), (200, 80, 80)).save(rd.sample_path(epoch))


def _fake_generator(rd: RunDir) -> Path:
    """A generator.keras stand-in plus sidecar: enough for the sidebar and the use-this-generator button."""
    model = rd.path / "generator.keras"
    model.write_bytes(b"not a real model")
    (rd.path / "generator.json").write_text(json.dumps({"kind": "generator", "image_size_px": 32, "noise_dim": 16}))
    return model


# the form: same config as the CLI -----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["gan", "classifier"])
def test_every_config_field_has_a_widget(kind):
    fields = [f.name for g in training_fields.form_groups(kind) for f in g.fields]
    assert sorted(fields) == sorted(training_fields.config_class(kind)().to_dict())
    assert len(fields) == len(set(fields))


@pytest.mark.parametrize("kind", ["gan", "classifier"])
def test_form_values_build_the_config_the_cli_builds(kind):
    for preset in training_fields.preset_names(kind):
        _, base = launcher.preset_config(kind, preset)
        groups = training_fields.form_groups(kind)
        values = {f.name: training_fields.widget_value(f, getattr(base, f.name)) for g in groups for f in g.fields}
        assert training_fields.build_config(base, values) == base  # untouched widgets: the preset itself
        values.update({"epochs": 7, "batch_size": 32, "seed": 3})
        values["learning_rate" if kind == "classifier" else "g_lr"] = 5e-4
        config = training_fields.build_config(base, values)
        sets = launcher.set_args(base, config)
        cli = base.with_overrides(sets)  # what `--preset P --set k=v ...` builds
        assert config == cli == launcher.build_config(kind, preset, sets)
        assert (config.epochs, config.batch_size, config.seed) == (7, 32, 3)
        assert set(training_fields.changes(config, base)["setting"]) == {k for k, _ in (s.split("=", 1) for s in sets)}


def test_widget_options_take_in_the_preset_value_and_ranges_widen():
    field = training_fields.Field("g_lr", "G lr", "steps", options=(1e-4, 1e-3))
    assert training_fields.choices("gan", field, 3e-4) == [1e-4, 3e-4, 1e-3]
    assert training_fields.choices("gan", training_fields.Field("loss", "Loss", "choice"), "bce") == ["bce", "hinge"]
    augment = next(f for g in training_fields.form_groups("gan") for f in g.fields if f.name == "diffaugment")
    assert training_fields.choices("gan", augment, ("cutout",)) == ["color", "translation", "cutout"]
    dynamic = {"image_size_px": [32]}
    assert training_fields.choices("gan", training_fields.Field("image_size_px", "Size", "select"), 64, dynamic) == [
        32
    ]  # the dataset decides
    assert training_fields.bounds(training_fields.Field("epochs", "Epochs", "number", low=30, high=300), 400) == (30, 400)
    assert training_fields.bounds(training_fields.Field("batch_size", "Batch", "slider", low=10, high=128), 4) == (4, 128)
    assert training_fields.widget_value(training_fields.Field("hidden_units", "Units", "text"), (512, 256)) == "512,256"
    assert [training_fields.format_number(v) for v in (1e-4, 8e-5, 2.5e-4, 0.02, 0.999, 2.0)] == [
        "1e-4",
        "8e-5",
        "2.5e-4",
        "0.02",
        "0.999",
        "2",
    ]


def test_field_help_comes_from_the_config_comments():
    docs = training_fields.field_docs(training_fields.config_class("gan"))
    assert "noise vector" in docs["noise_dim"]
    assert "32, 64 or 128" in docs["image_size_px"]


def test_run_names_are_plain_folders_under_the_runs_root(use_workspace, tmp_path):
    use_workspace(tmp_path / "ws")
    assert training_fields.run_folder("gan-quick-1") == paths.runs_dir() / "gan-quick-1"
    for bad in ("", "../escape", "a/b", ".hidden", "x" * 101, "name with space"):
        with pytest.raises(LookbookError, match="plain folder name"):
            training_fields.run_folder(bad)
    cmd = training_fields.command_line("gan", tmp_path / "data", paths.runs_dir() / "r", "quick", ["epochs=3"])
    assert cmd.startswith("python -m lookbook train gan --data ") and cmd.endswith("--preset quick --set epochs=3")


def test_checkpoint_step_reads_the_newest_readable_checkpoint(tmp_path):
    assert reader.checkpoint_step(tmp_path) is None
    checkpoint.save(tmp_path, {}, {"step": 5})
    checkpoint.save(tmp_path, {}, {"step": 7})  # the step-5 one becomes checkpoint.prev.npz
    assert reader.checkpoint_step(tmp_path) == 7
    (tmp_path / layout.CHECKPOINT_FILE).write_bytes(b"cut short by a crash")
    assert reader.checkpoint_step(tmp_path) == 5


# figures ----------------------------------------------------------------------------------------------
def test_loss_figure_draws_raw_and_rolling_mean():
    metrics = pd.DataFrame(_gan_rows(9))
    fig = viz.loss_figure(metrics, window=3, x="step")
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"D loss (raw)", "D loss (mean of 3)", "G loss (raw)", "G loss (mean of 3)"}
    raw = np.asarray(by_name["G loss (raw)"].y, float)
    mean = np.asarray(by_name["G loss (mean of 3)"].y, float)
    assert np.allclose(raw, 0.8 + 0.02 * np.arange(9))
    assert np.allclose(mean[2:], [raw[i - 2 : i + 1].mean() for i in range(2, 9)])
    assert list(by_name["D loss (raw)"].x) == list(range(1, 10))
    plain = viz.loss_figure(metrics, window=1)
    assert [t.name for t in plain.data] == ["D loss", "G loss"]


def test_discriminator_figure_marks_where_d_cannot_tell():
    metrics = pd.DataFrame(_gan_rows(4))
    bce = viz.discriminator_figure(metrics, loss="bce")
    hinge = viz.discriminator_figure(metrics, loss="hinge")
    assert bce.layout.shapes[0].y0 == 0.5 and list(bce.layout.yaxis.range) == [-0.02, 1.02]
    assert hinge.layout.shapes[0].y0 == 0.0 and hinge.layout.yaxis.range is None


def test_runs_table_progress_counts_steps_not_the_epoch_in_progress():
    from lookbook.ui.training import _progress

    table = pd.DataFrame(
        {
            "state": ["running", "finished", "running", "stopped"],
            "epoch": [2, 10, 3, 4],  # the epoch in progress (1-based)
            "epochs": [2, 10, 35, 8],
            "step": [72, 500, 100, 40],
            "total_steps": [140, 700, None, None],  # a classifier run has none
        }
    )
    assert _progress(table).tolist() == pytest.approx([72 / 140, 1.0, 3 / 35, 0.5])  # a time budget ends a run early


def test_epoch_progress_and_eval_columns():
    rows = [*_gan_rows(6), {"epoch": 2, "step": 6, "eval_fcd": 12.5, "eval_recognisability": 0.4, "eval_time_s": 1.0}]
    metrics = viz.with_epoch_progress(pd.DataFrame(rows), steps_per_epoch=3)
    assert metrics["epoch_progress"].tolist()[:3] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert viz.eval_columns(metrics) == ["eval_fcd", "eval_recognisability"]
    fig = viz.metrics_figure(metrics, viz.eval_columns(metrics), x="epoch_progress")
    assert [list(t.y) for t in fig.data] == [[12.5], [0.4]]
    assert viz.metric_title("eval_fcd") == "FCD ↓"


def test_confusion_figure_normalises_rows():
    labels = ["dress", "jeans", "tshirt"]
    matrix = [[8, 2, 0], [0, 5, 0], [1, 0, 0]]
    fig = viz.confusion_figure(labels, matrix, normalise=True)
    z = np.asarray(fig.data[0].z, float)
    assert np.allclose(z.sum(axis=1), [1, 1, 1]) and z[0, 1] == pytest.approx(0.2)
    counts = viz.confusion_figure(labels, matrix, normalise=False)
    assert np.asarray(counts.data[0].z).tolist() == matrix
    assert list(fig.data[0].x) == labels


def test_compare_figure_has_a_line_per_run_and_metric_with_one_legend_entry_per_run():
    runs = {
        "a": viz.with_epoch_progress(pd.DataFrame(_gan_rows(6)), 3),
        "b": viz.with_epoch_progress(pd.DataFrame(_gan_rows(3, d_loss=2.0)), 3),
        "clf": pd.DataFrame({"epoch": [1, 2], "step": [4, 8], "val_accuracy": [0.5, 0.7]}),
    }
    fig = viz.compare_figure(runs, ["d_loss", "g_loss", "val_accuracy"], x="step", window=1)
    assert [(t.name, len(t.y)) for t in fig.data] == [("a", 6), ("a", 6), ("b", 3), ("b", 3), ("clf", 2)]
    assert [t.showlegend for t in fig.data] == [True, False, True, False, True]
    assert list(fig.data[2].y) == pytest.approx([2.0, 1.99, 1.98])
    assert list(fig.layout.yaxis3.range) == [0, 1.02]  # a share stays on a 0-1 axis


# the page on hand-made runs ------------------------------------------------------------------------------
def test_page_without_runs_offers_the_form(workspace):
    at = _page()
    assert at.title[0].value == "Training"
    assert "No GAN runs yet" in _text(at)
    assert at.button(key="train.gan.launch").label == "Launch"
    assert at.button_group(key="train.gan.preset").value == training_fields.preset_names("gan")[0]
    # the default preset trains at 64 px, which the tiny dataset lacks: the form falls back to 32 px and says so
    assert at.selectbox(key="train.gan.field.image_size_px").value == 32
    assert "no 64 px image cache" in _text(at)
    _tab(at, RUNS_TAB)
    assert "No runs yet" in _text(at)
    _tab(at, CLASSIFIER_TAB)
    assert "No classifier runs yet" in _text(at) and at.button(key="train.classifier.launch")


def test_page_without_a_dataset_says_where_to_get_one(use_workspace, tmp_path):
    use_workspace(tmp_path / "empty-ws")
    at = _page()
    assert "No prepared dataset yet" in _text(at)
    assert "train.gan.launch" not in [b.key for b in at.button]


def test_preset_change_resets_the_settings_and_changes_are_summarised(workspace):
    quick, cs230 = presets.gan_preset("quick"), presets.gan_preset("cs230")
    noise, g_lr = quick.noise_dim + 7, 1e-4 if quick.g_lr != 1e-4 else 2e-4
    at = _page()
    at.button_group(key="train.gan.preset").set_value("quick").run()
    assert at.slider(key="train.gan.field.noise_dim").value == quick.noise_dim
    assert "Nothing: the run uses the preset exactly." in _text(at)
    at.slider(key="train.gan.field.noise_dim").set_value(noise).run()
    at.select_slider(key="train.gan.field.g_lr").set_value(g_lr).run()
    table = at.dataframe[0].value.set_index("setting")
    assert table.loc["noise_dim"].tolist() == [str(quick.noise_dim), str(noise)]
    assert table.loc["g_lr"].tolist() == [training_fields.format_number(quick.g_lr), training_fields.format_number(g_lr)]
    _tab(at, RUNS_TAB)
    _tab(at, GAN_TAB)  # settings survive a visit to another tab
    assert at.slider(key="train.gan.field.noise_dim").value == noise
    command = at.code[0].value
    assert "--preset quick" in command and f"--set g_lr={g_lr!r}" in command and f"--set noise_dim={noise}" in command
    at.button_group(key="train.gan.preset").set_value("cs230").run()
    assert at.slider(key="train.gan.field.noise_dim").value == cs230.noise_dim
    assert at.select_slider(key="train.gan.field.g_lr").value == cs230.g_lr
    assert at.slider(key="train.gan.field.beta1").value == pytest.approx(cs230.beta1)


def test_settings_that_cannot_run_show_why_and_disable_launch(workspace):
    at = _page()
    at.number_input(key="train.gan.field.eval_every_epochs").set_value(1).run()
    assert not at.exception
    assert any("eval_every_epochs needs eval_classifier" in e for e in _errors(at))
    assert at.button(key="train.gan.launch").disabled
    at.text_input(key="train.gan.run_name").input("../outside").run()
    assert any("plain folder name" in e for e in _errors(at))


def test_launch_into_a_live_run_folder_is_refused_with_a_reason(workspace):
    run = RunDir.at(paths.runs_dir() / "busy")
    run.acquire_lock()  # this test process holds it, as a live trainer would
    try:
        at = _page()
        at.button_group(key="train.gan.preset").set_value("quick").run()
        at.text_input(key="train.gan.run_name").input("busy").run()
        at.button(key="train.gan.launch").click().run()
        assert not at.exception, at.exception
        assert any("Not started" in e and "is already being written by process" in e for e in _errors(at)), _errors(at)
        assert not (run.path / layout.LAUNCH_FILE).exists()
    finally:
        run.release_lock()


def test_watch_a_finished_run_curves_grid_scrubber_and_quality(workspace):
    evals = tuple({"epoch": e, "step": 3 * e, "eval_fcd": 40.0 / e, "eval_recognisability": 0.1 * e} for e in (2, 4))
    rows = (*_gan_rows(12)[:6], evals[0], *_gan_rows(12)[6:], evals[1])
    rd = make_run(paths.runs_dir(), "gan-a", metrics=rows, config=_gan_config(), epoch=4, epochs=4, step=12)
    for epoch in (1, 2, 3, 4):
        _sample(rd, epoch)
    at = _page()
    assert at.session_state["train.gan.run"] == str(rd.path)
    text = _text(at)
    assert "finished" in text and "epoch 4 of 4" in " ".join(p.proto.text for p in at.get("progress"))
    loss = _figure_with_title(at, "Losses")
    assert set(_trace_names(loss)) == {"D loss (raw)", "D loss (mean of 5)", "G loss (raw)", "G loss (mean of 5)"}
    assert _figure_with_title(at, "Discriminator outputs")
    cards = {m.label: m.value for m in at.metric}
    assert cards["D loss"] == "1.190" and cards["G loss"] == "1.020"
    assert cards["FCD ↓"] == "10.000" and cards["recognisability ↑"] == "0.400"
    quality = _figures(at)["train.gan.eval_chart"]
    assert [list(t.y) for t in quality.data] == [[20.0, 10.0], [0.2, 0.4]]
    assert at.get("image")[0].captions == ["epoch 4"]
    assert at.select_slider(key="train.gan.sample_epoch").value == 4  # the newest grid by default
    at.select_slider(key="train.gan.sample_epoch").set_value(2).run()
    assert at.get("image")[0].captions == ["epoch 2"]
    at.slider(key="train.gan.window").set_value(1).run()
    assert set(_trace_names(_figure_with_title(at, "Losses"))) == {"D loss", "G loss"}
    assert not at.exception


def test_a_live_run_is_seen_by_every_session_and_after_a_restart(workspace):
    old = make_run(paths.runs_dir(), "older", metrics=_gan_rows(3), config=_gan_config())
    rd = make_run(
        paths.runs_dir(), "live", state="running", metrics=_gan_rows(4), config=_gan_config(), pid=os.getpid(), epoch=2, step=4
    )
    os.utime(old.path / "status.json", (1, 1))  # older than the live run whatever the clock does
    first, second = _page(), _page()  # two browser tabs; a fresh AppTest is also the app after a restart
    for at in (first, second):
        assert at.session_state["train.gan.run"] == str(rd.path)  # the live run is watched by default
        assert "running" in _text(at) and at.button(key="train.gan.stop").label == "Stop"
    rd.append_metrics({"epoch": 2, "step": 5, "d_loss": 0.25, "g_loss": 2.5, "d_real": 0.9, "d_fake": 0.1})
    rd.write_status("running", pid=os.getpid(), epoch=2, step=5, epochs=4, total_steps=12)
    for at in (first, second):
        at.run()  # what st.fragment(run_every=...) does every few seconds in a browser
        cards = {m.label: m.value for m in at.metric}
        assert cards["D loss"] == "0.250" and cards["G loss"] == "2.500"
        assert "step 5 of 12" in " ".join(p.proto.text for p in at.get("progress"))


def test_a_killed_run_shows_failed_and_offers_its_checkpoint(workspace):
    rd = make_run(
        paths.runs_dir(), "killed", state="running", metrics=_gan_rows(5), config=_gan_config(), pid=dead_pid(), epoch=2, step=5
    )
    checkpoint.save(rd.path, {}, {"step": 3, "epoch": 1})
    at = _page()
    text = _text(at)
    assert "failed" in text and "process gone" in text and "the training process is gone" in text
    assert at.button(key="train.gan.resume").label == "Resume from step 3"
    assert "train.gan.stop" not in [b.key for b in at.button]
    at.button(key="train.gan.resume").click().run()  # this hand-made run does not record its dataset
    assert not at.exception
    assert any("Not resumed" in e and "does not say which dataset" in e for e in _errors(at)), _errors(at)
    assert reader.run_status(rd.path)["state"] == "failed"


def test_use_this_generator_sets_the_lookbook_and_sidebar_choice(workspace):
    a = make_run(paths.runs_dir(), "gan-a", metrics=_gan_rows(3), config=_gan_config())
    b = make_run(paths.runs_dir(), "gan-b", metrics=_gan_rows(3), config=_gan_config())
    model_a, model_b = _fake_generator(a), _fake_generator(b)
    at = _page()
    assert at.session_state["app.generator"] == str(model_a)  # the sidebar's first find
    at.selectbox(key="train.gan.run").set_value(str(b.path)).run()
    at.button(key="train.gan.use_model").click().run()
    assert not at.exception, at.exception
    assert at.session_state["app.generator"] == str(model_b)
    assert at.sidebar.selectbox(key="app.generator_choice").value == str(model_b)
    assert at.button(key="train.gan.use_model").disabled


def test_runs_table_and_comparison_of_two_runs(workspace):
    make_run(paths.runs_dir(), "gan-a", metrics=_gan_rows(12), config=_gan_config(g_lr=2e-4), epoch=4, epochs=4, step=12)
    make_run(paths.runs_dir(), "gan-b", metrics=_gan_rows(6, d_loss=2.0), config=_gan_config(g_lr=1e-4), epoch=2, step=6)
    (paths.runs_dir() / "not-a-run").mkdir()
    at = _page(RUNS_TAB)
    table = at.dataframe[0].value
    assert sorted(table["id"]) == ["gan-a", "gan-b"] and "progress" in table and "path" not in table
    assert table.set_index("id").loc["gan-a", "progress"] == 1.0
    assert "1 folder(s) under the runs root are not runs" in _text(at)
    assert sorted(at.multiselect(key="train.compare.runs").value) == ["gan-a", "gan-b"]
    compare = _figures(at)["train.compare.chart"]
    lines = [(t.name, len(t.y)) for t in compare.data]
    assert sorted(set(lines)) == [("gan-a", 12), ("gan-b", 6)] and len(lines) == 4  # g_loss and d_loss for each
    diff = at.dataframe[1].value
    assert diff.loc["g_lr"].tolist() == ["2e-4", "1e-4"] or diff.loc["g_lr"].tolist() == ["1e-4", "2e-4"]
    at.multiselect(key="train.compare.runs").set_value(["gan-a"]).run()
    assert {t.name for t in _figures(at)["train.compare.chart"].data} == {"gan-a"}
    at.multiselect(key="train.compare.metrics").set_value(["d_real"]).run()
    last = 0.6 + 0.01 * 11
    smoothed = np.mean([0.6 + 0.01 * i for i in range(2, 12)])  # rolling mean of the last 10 of 12 rows
    assert [t.y[-1] for t in _figures(at)["train.compare.chart"].data] == pytest.approx([smoothed])
    at.slider(key="train.compare.window").set_value(1).run()
    assert [t.y[-1] for t in _figures(at)["train.compare.chart"].data] == pytest.approx([last])


def test_upscaler_runs_are_listed_with_their_loss_and_psnr_curves(workspace):
    steps = tuple(
        {"epoch": 1 + i // 2, "step": i + 1, "loss": 0.2 - 0.01 * i, "lr": 1e-3, "images_per_s": 50.0, "wall_time_s": float(i)}
        for i in range(4)
    )
    evals = tuple(
        {"epoch": e, "step": 2 * e, "eval_psnr_db": 24.0 + e, "eval_lanczos_psnr_db": 23.5, "eval_psnr_gain_db": 0.5 + e}
        | {"eval_ssim": 0.7 + 0.05 * e}
        for e in (1, 2)
    )
    config = {"config": {"epochs": 2, "batch_size": 8, "learning_rate": 1e-3}, "n_train_photos": 40}
    make_run(paths.runs_dir(), "upscaler-a", kind="upscaler", metrics=steps + evals, config=config, epoch=2, epochs=2, step=4)
    at = _page(RUNS_TAB)
    table = at.dataframe[0].value.set_index("id")
    assert table.loc["upscaler-a", "kind"] == "upscaler" and table.loc["upscaler-a", "progress"] == 1.0
    assert at.multiselect(key="train.compare.runs").value == ["upscaler-a"]
    wanted = ["loss", "eval_psnr_db", "eval_psnr_gain_db", "eval_ssim"]
    assert at.multiselect(key="train.compare.metrics").value == wanted
    compare = _figures(at)["train.compare.chart"]
    assert [a.text for a in compare.layout.annotations] == [viz.metric_title(k) for k in wanted]
    assert [list(t.y) for t in compare.data][1] == [25.0, 26.0]  # held-out PSNR at each epoch end, as logged


def test_classifier_run_curves_report_and_confusion_matrix(workspace):
    rows = tuple(
        {
            "epoch": e,
            "step": 4 * e,
            "loss": 1.0 / e,
            "accuracy": 0.5 + 0.1 * e,
            "val_loss": 1.2 / e,
            "val_accuracy": 0.4 + 0.1 * e,
        }
        for e in (1, 2, 3)
    )
    rd = make_run(
        paths.runs_dir(),
        "clf",
        kind="classifier",
        metrics=rows,
        config={"config": {"architecture": "cnn", "epochs": 3}},
        epoch=3,
        epochs=3,
        test_accuracy=0.75,
    )
    labels = ["jeans", "sports_shoes", "tshirt"]
    report = {
        "accuracy": {"train": 0.9, "validation": 0.8, "test": 0.75},
        "n_images": {"train": 30, "validation": 6, "test": 12},
        "excluded_labels": {"other": {"count": 2, "reason": "excluded by config"}},
        "calibration": {"temperature": 0.8, "fitted_on": "validation", "n_images": 6, "prior_strength": 0.3},
        "test": {
            "accuracy": 0.75,
            "mean_confidence": 0.72,
            "calibration_error": 0.05,
            "macro_f1": 0.7,
            "per_class": [
                {"category": c, "precision": p, "recall": 0.75, "f1": 0.7, "support": 4, "n_predicted": 4}
                for c, p in zip(labels, [0.75, None, 0.8])
            ],
            "confusion": {"labels": labels, "matrix": [[3, 1, 0], [0, 3, 1], [1, 0, 3]]},
        },
    }
    (rd.path / "report.json").write_text(json.dumps(report))
    at = _page(CLASSIFIER_TAB)
    assert not at.exception, at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards["Test accuracy"] == "75.0%" and cards["Val. accuracy"] == "0.700" and cards["Test macro F1"] == "0.700"
    assert any("temperature 0.80" in c.value and "72.0% for an accuracy of 75.0%" in c.value for c in at.caption)
    assert any("divided out at strength 0.30" in c.value for c in at.caption)
    curves = _figures(at)["train.classifier.curves"]
    assert {t.name for t in curves.data} == {"training", "validation"}
    confusion = _figures(at)["train.classifier.confusion"]
    assert np.allclose(np.asarray(confusion.data[0].z, float)[0], [0.75, 0.25, 0])
    per_class = at.dataframe[0].value
    assert per_class["category"].tolist() == labels and pd.isna(per_class.loc[1, "precision"])
    at.toggle(key="train.classifier.normalise").set_value(False).run()
    assert np.asarray(_figures(at)["train.classifier.confusion"].data[0].z).tolist()[0] == [3, 1, 0]


# real runs started from the page (each starts TensorFlow in a new process) -------------------------------
def _fill_tiny_gan(at: AppTest, name: str, epochs: int, max_steps: int = 0) -> None:
    at.button_group(key="train.gan.preset").set_value("quick").run()
    at.slider(key="train.gan.field.batch_size").set_value(TINY_GAN["batch_size"]).run()
    at.select_slider(key="train.gan.field.g_base_width").set_value(TINY_GAN["g_base_width"]).run()
    at.select_slider(key="train.gan.field.d_base_width").set_value(TINY_GAN["d_base_width"]).run()
    at.slider(key="train.gan.field.noise_dim").set_value(TINY_GAN["noise_dim"]).run()
    at.number_input(key="train.gan.field.log_every_steps").set_value(TINY_GAN["log_every_steps"]).run()
    at.number_input(key="train.gan.field.epochs").set_value(epochs).run()
    if max_steps:
        at.number_input(key="train.gan.field.max_steps").set_value(max_steps).run()
    at.text_input(key="train.gan.run_name").input(name).run()
    assert not _errors(at), _errors(at)


@pytest.mark.slow
def test_launch_a_tiny_gan_from_the_page_and_watch_it_finish(workspace):
    at = _page()
    _fill_tiny_gan(at, "tiny", epochs=2)
    t0 = time.monotonic()
    at.button(key="train.gan.launch").click().run()
    assert time.monotonic() - t0 < 60  # the page never waits for training (a loaded CPU makes spawning slow)
    assert not at.exception and not _errors(at), (at.exception, _errors(at))
    run = paths.runs_dir() / "tiny"
    assert at.session_state["train.gan.run"] == str(run)
    assert any("Started GAN run **tiny**" in s.value for s in at.success)
    config = json.loads((run / layout.LAUNCH_FILE).read_text())["config"]
    assert {k: config[k] for k in TINY_GAN} == TINY_GAN and config["epochs"] == 2 and config["image_size_px"] == 32

    status = process.wait_run(run, timeout_s=RUN_TIMEOUT_S, poll_s=0.3)
    assert status["state"] == "finished", reader.log_tail(run)
    at.run()
    assert not at.exception, at.exception
    assert "finished" in _text(at)
    loss = _figure_with_title(at, "Losses")
    d_loss = next(t for t in loss.data if t.name == "D loss (raw)")
    assert len(d_loss.y) == 6 and all(math.isfinite(v) for v in d_loss.y)  # 2 epochs x 3 steps, one row per step
    if presets.gan_preset("quick").conditional:  # the newest grid as a table of labelled rows
        assert "Epoch 2: one row per category the dataset holds (3)" in _text(at)
        rows = next(d.value for d in at.dataframe if "samples" in d.value.columns)
        assert sorted(rows["garment"]) == ["Jeans", "Sports shoes", "T-shirt"]
    else:
        assert at.get("image")[0].captions == ["epoch 2"]
    assert at.button(key="train.gan.use_model")  # generator.keras is there


@pytest.mark.slow
def test_stop_and_resume_a_run_from_the_page(workspace):
    at = _page()
    _fill_tiny_gan(at, "long", epochs=1000, max_steps=100_000)  # ends on its own if the test breaks
    at.button(key="train.gan.launch").click().run()
    assert not _errors(at), _errors(at)
    run = paths.runs_dir() / "long"
    wait_until(
        lambda: reader.run_status(run)["state"] == "running" and len(reader.read_metrics(run)) >= 3, "training", RUN_TIMEOUT_S
    )
    at.run()
    at.button(key="train.gan.stop").click().run()
    assert not at.exception, at.exception
    first = process.wait_run(run, timeout_s=RUN_TIMEOUT_S, poll_s=0.3)
    assert first["state"] == "stopped", reader.log_tail(run)
    at.run()
    assert "stopped" in _text(at)
    resume = at.button(key="train.gan.resume")
    assert resume.label.startswith("Resume from step")
    resume.click().run()
    assert not at.exception and not _errors(at), (at.exception, _errors(at))
    wait_until(
        lambda: reader.run_status(run)["state"] == "running" and reader.run_status(run)["step"] > first["step"],
        "resume",
        RUN_TIMEOUT_S,
    )
    at.run()
    at.button(key="train.gan.stop").click().run()
    second = process.wait_run(run, timeout_s=RUN_TIMEOUT_S, poll_s=0.3)
    assert second["state"] == "stopped" and second["step"] > first["step"], reader.log_tail(run)
    steps = reader.read_metrics(run)["step"].tolist()
    assert steps == sorted(steps) and len(set(steps)) == len(steps)  # the resumed run carried on, no rows repeated


@pytest.mark.slow
def test_train_a_tiny_classifier_from_the_page(workspace):
    at = _page(CLASSIFIER_TAB)
    at.number_input(key="train.classifier.field.epochs").set_value(2).run()
    at.text_input(key="train.classifier.field.conv_widths").input("8,16").run()
    at.number_input(key="train.classifier.field.features_dim").set_value(16).run()
    at.slider(key="train.classifier.field.batch_size").set_value(16).run()
    at.text_input(key="train.classifier.run_name").input("clf").run()
    at.button(key="train.classifier.launch").click().run()
    assert not at.exception and not _errors(at), (at.exception, _errors(at))
    run = paths.runs_dir() / "clf"
    status = process.wait_run(run, timeout_s=RUN_TIMEOUT_S, poll_s=0.3)
    assert status["state"] == "finished", reader.log_tail(run)
    at.run()
    assert not at.exception, at.exception
    confusion = _figures(at)["train.classifier.confusion"]
    assert list(confusion.data[0].x) == ["jeans", "sports_shoes", "tshirt"]
    assert {m.label for m in at.metric} >= {"Test accuracy", "Train accuracy"}
    use = at.button(key="train.classifier.use_model")  # the only classifier: the sidebar has already picked it
    assert at.session_state["app.classifier"] == str(run / "classifier.keras")
    assert use.disabled and use.label == "In use in the lookbook (classifier)"


def test_live_progress_of_a_budgeted_run_follows_its_budget(tmp_path):
    rd = RunDir.at(tmp_path / "run")
    rd.write_config("gan", {"preset": "modern", "epochs": 1000, "max_minutes": 10.0})
    for s in range(1, 11):
        rd.append_metrics({"epoch": 1, "step": 10 * s, "d_loss": 1.0, "wall_time_s": 30.0 * s})
    status = {"state": "running", "pid": os.getpid(), "epoch": 1, "epochs": 1000, "step": 100, "total_steps": 83_000}
    rd.write_status(**status)
    share, text = training_live._progress("gan", str(rd.path), status)
    assert share == pytest.approx(0.5)
    assert "5 min 00 s of its 10 min budget · about 5 min 00 s left" in text, text


def test_train_longer_on_a_budgeted_run_extends_its_budget_not_its_epochs(workspace, monkeypatch):
    config = {**_gan_config(), "epochs": 1000, "max_minutes": 10.0, "data": str(workspace / paths.DATASETS_DIR / "tiny")}
    rows = tuple({**row, "wall_time_s": 50.0 * (i + 1)} for i, row in enumerate(_gan_rows(12)))
    rd = make_run(paths.runs_dir(), "budgeted", metrics=rows, config=config, epoch=4, epochs=1000, step=12)
    checkpoint.save(rd.path, {}, {"step": 12, "epoch": 4})
    started = []
    monkeypatch.setattr(launcher, "start_run", lambda *args, **kwargs: started.append((args, kwargs)))
    at = _page()
    minutes = at.number_input(key="train.gan.resume_minutes")
    assert minutes.label == "Train to minutes" and minutes.value == 20.0
    assert "10 min 00 s of its 10 min budget" in " ".join(p.proto.text for p in at.get("progress"))
    at.button(key="train.gan.resume").click().run()
    assert not at.exception, at.exception
    ((args, kwargs),) = started
    assert args[4] == {"max_minutes": 20.0} and kwargs == {"resume": True, "score_with": at.session_state["app.classifier"]}
    ended_by_epochs = make_run(paths.runs_dir(), "epochs-first", metrics=rows[:3], config=config, epoch=4, epochs=4, step=12)
    checkpoint.save(ended_by_epochs.path, {}, {"step": 12, "epoch": 4})
    at.run()  # the new run joins the list
    at.selectbox(key="train.gan.run").set_value(str(ended_by_epochs.path)).run()
    assert at.number_input(key="train.gan.resume_epochs").label == "Train to epoch"  # 150 s of its 600 s used


# sample grid rows, scores, sweeps and small wording ---------------------------------------------------------
def _conditional_grid(rd: RunDir, epoch: int, n_rows: int, cols: int = 2, size: int = 32) -> None:
    """A sample grid laid out as the trainer lays it out (one row per category, 2 px white borders)."""
    grid = np.full((n_rows * (size + 2) + 2, cols * (size + 2) + 2, 3), 255, np.uint8)
    for r in range(n_rows):
        for c in range(cols):
            grid[2 + r * (size + 2) : 2 + r * (size + 2) + size, 2 + c * (size + 2) : 2 + c * (size + 2) + size] = 40 * r
    rd.samples_dir.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(rd.sample_path(epoch))


def _score(rd: RunDir, accuracy: float, fcd: float, step: int = 12, real: dict | None = None) -> None:
    metrics = {"conditional_accuracy": accuracy, "fcd": fcd, "recognisability": 0.5, "within_class_diversity": 0.8}
    score = {"metrics": metrics, "classifier": "/m/judge/classifier.keras", "judge_px": 32, "n_images": 100}
    if real:
        score["real"] = real
    (rd.path / "score.json").write_text(json.dumps({**score, "generator": {"step": step, "image_size_px": 32}}))


def test_sample_grid_has_a_labelled_row_per_category_the_dataset_holds(workspace):
    data = str(workspace / paths.DATASETS_DIR / "tiny")
    categories = ["jeans", "dress", "sports_shoes", "tshirt"]  # the tiny dataset holds no dress
    rd = make_run(paths.runs_dir(), "cond", config=_gan_config(conditional=True, categories=categories, data=data), epoch=2)
    for epoch in (1, 2):
        _conditional_grid(rd, epoch, len(categories))

    at = _page()

    rows = at.dataframe(key="train.gan.sample_rows").value
    assert rows["garment"].tolist() == ["Jeans", "Sports shoes", "T-shirt"] and rows["images"].tolist() == [16, 16, 16]
    first = _decode_uri(rows["samples"].iloc[0])
    assert first.shape == (36, 70, 3) and (first[2:34, 2:34] == 0).all()  # jeans is row 0 of the grid
    assert (_decode_uri(rows["samples"].iloc[1])[2:34, 2:34] == 80).all()  # sports shoes: row 2 (dress left out)
    assert at.select_slider(key="train.gan.sample_epoch").value == 2
    assert "one row per category the dataset holds (3)" in _text(at)


def test_sample_rows_show_how_each_category_was_judged_newest_first(workspace):
    data = str(workspace / paths.DATASETS_DIR / "tiny")
    categories = ["jeans", "sports_shoes", "tshirt"]
    rd = make_run(paths.runs_dir(), "cond", config=_gan_config(conditional=True, categories=categories, data=data), epoch=2)
    _conditional_grid(rd, 2, len(categories))
    at = _page()
    assert "asked_for" not in at.dataframe(key="train.gan.sample_rows").column_order
    assert "Set 'Evaluate every' and a judge" in _text(at)

    live = {
        "jeans": {"images": 9, "asked_for": 0.25, "diversity": 0.1},
        "tshirt": {"images": 7, "asked_for": 1.0, "diversity": 0.9},
    }
    (rd.path / layout.EVAL_CATEGORIES_FILE).write_text(json.dumps({"step": 20, "n_images": 16, "per_category": live}))
    _score(rd, 0.5, 7.0, step=12)  # an older score: the live eval at step 20 is newer
    at.run()
    rows = at.dataframe(key="train.gan.sample_rows").value.set_index("garment")
    assert rows.loc["Jeans", "asked_for"] == 25 and rows.loc["T-shirt", "diversity"] == "0.90"
    assert np.isnan(rows.loc["Sports shoes", "asked_for"]) and rows.loc["Sports shoes", "diversity"] == "–"  # unjudged
    assert "Asked-for and variety: the live evaluation at step 20 (16 garments)" in _text(at)


def test_epoch_slider_follows_new_epochs_unless_moved_back(workspace):
    rd = make_run(paths.runs_dir(), "grid", config=_gan_config(), epoch=2)
    for epoch in (1, 2):
        _sample(rd, epoch)
    at = _page()
    assert at.select_slider(key="train.gan.sample_epoch").value == 2
    _sample(rd, 3)
    at.run()
    assert at.select_slider(key="train.gan.sample_epoch").value == 3  # at the newest: it follows
    at.select_slider(key="train.gan.sample_epoch").set_value(1).run()
    _sample(rd, 4)
    at.run()
    assert at.select_slider(key="train.gan.sample_epoch").value == 1  # moved back: it stays


def test_scores_rank_the_runs_table_mark_the_best_and_send_it_to_the_lookbook(workspace):
    runs = {}
    for name, accuracy, fcd in (("gan-a", 0.4, 9.0), ("gan-b", 0.7, 12.0), ("gan-c", None, None)):
        rd = make_run(paths.runs_dir(), name, metrics=_gan_rows(3), config=_gan_config(seed=len(runs), conditional=True))
        runs[name] = _fake_generator(rd)
        if accuracy is not None:
            _score(rd, accuracy, fcd)
    at = _page(RUNS_TAB)
    table = at.dataframe[0].value
    assert table["id"].tolist() == ["gan-b", "gan-a", "gan-c"] and table["best"].tolist() == ["★", "", ""]
    assert table.set_index("id").loc["gan-a", "score_fcd"] == 9.0
    assert at.button(key="train.runs.score_all").label == "Score 1 unscored run(s)"
    assert at.session_state["app.generator"] == str(runs["gan-a"])  # the sidebar's first find
    at.button(key="train.runs.use_best").click().run()
    assert not at.exception, at.exception
    assert at.session_state["app.generator"] == str(runs["gan-b"])
    at.selectbox(key="train.runs.rank_by").set_value("score_fcd").run()
    table = at.dataframe[0].value
    assert table["id"].tolist()[:2] == ["gan-a", "gan-b"] and table["best"].tolist()[0] == "★"
    assert at.button(key="train.runs.use_best").label == "Use the best (gan-a)"


def test_score_panel_shows_the_figures_and_who_judged(workspace):
    rd = make_run(paths.runs_dir(), "scored", metrics=_gan_rows(3), config=_gan_config())
    _fake_generator(rd)
    _score(rd, 0.625, 7.5)
    at = _page()
    cards = {m.label: m.value for m in at.metric}
    assert cards["asked-for class ↑"] == "62.5%" and cards["FCD ↓"] == "7.50" and cards["within-class diversity ↑"] == "80.0%"
    assert "Judged by `/m/judge/classifier.keras` at 32 px on 100 garments" in _text(at)
    assert at.button(key="train.gan.score.scored").label == "Score again"
    assert not any(m.delta for m in at.metric if m.label in cards)  # scored before real readings existed: none shown


def test_score_panel_reads_each_figure_against_the_real_images(workspace):
    rd = make_run(paths.runs_dir(), "scored", metrics=_gan_rows(3), config=_gan_config())
    _fake_generator(rd)
    real = {"conditional_accuracy": 0.5, "fcd": 0.4, "recognisability": 0.625, "within_class_diversity": 1.0}
    _score(rd, 0.4, 7.5, real=real)
    at = _page()
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["asked-for class ↑"] == "0.80x real (50%)" and deltas["recognisable ↑"] == "0.80x real (62%)"
    assert deltas["FCD ↓"] == "real vs real 0.40" and not deltas["within-class diversity ↑"]
    assert "the same judge's reading of the dataset's own held-out real images" in _text(at)


def test_a_run_you_stopped_says_so(workspace):
    rd = make_run(paths.runs_dir(), "halted", state="stopped", config=_gan_config(), reason="stopped by SIGTERM")
    rd.request_stop()
    at = _page()
    assert any("stopped by you" in i.value for i in at.info), [i.value for i in at.info]
    (rd.path / "STOP").unlink()
    at.run()
    assert any("stopped from outside the app (SIGTERM)" in i.value for i in at.info)


def test_compared_runs_with_the_same_settings_and_seed_get_a_note(workspace):
    make_run(paths.runs_dir(), "twin-a", metrics=_gan_rows(3), config=_gan_config(seed=3))
    make_run(paths.runs_dir(), "twin-b", metrics=_gan_rows(3), config=_gan_config(seed=3))
    at = _page(RUNS_TAB)
    assert any("share every setting and the seed (3)" in i.value for i in at.info), [i.value for i in at.info]


def test_adam_epsilon_sits_beside_the_learning_rates_and_bn_epsilon_is_named():
    groups = {g.title: [f.name for f in g.fields] for g in training_fields.form_groups("gan")}
    labels = {f.name: f.label for g in training_fields.form_groups("gan") for f in g.fields}
    assert groups["Optimisation"][:5] == ["optimizer", "loss", "g_lr", "d_lr", "adam_epsilon"]
    assert labels["bn_epsilon"] == "Batch-norm epsilon" and "adam_epsilon" not in groups[training_fields.MORE_SETTINGS]


def test_sweeps_tab_plans_a_two_by_two_grid_and_names_bad_values(workspace):
    at = _page(SWEEPS_TAB)
    assert "No sweeps yet" in _text(at)
    at.selectbox(key="train.sweep.setting0").set_value("g_lr").run()
    at.text_input(key="train.sweep.values0.g_lr").input("1e-4, 3e-4").run()
    at.selectbox(key="train.sweep.setting1").set_value("batch_size").run()
    at.text_input(key="train.sweep.values1.batch_size").input("8, 16").run()
    assert not at.exception, at.exception
    assert "**4 run(s)**, one after another, about 12 minutes of training in all" in _text(at)
    assert not at.button(key="train.sweep.queue").disabled
    at.text_input(key="train.sweep.values1.batch_size").input("8, 4000").run()
    assert any("cannot run" in e and "batch_size 4000" in e for e in _errors(at)), _errors(at)
    assert at.button(key="train.sweep.queue").disabled


def _decode_uri(uri: str) -> np.ndarray:
    import io

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"))
