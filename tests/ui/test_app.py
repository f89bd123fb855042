"""The app through streamlit's AppTest: home page on a fresh machine, one-click built-in dataset, wrong paths, the explorer."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lookbook import paths
from lookbook.data import stats
from lookbook.data.builtin import builtin_dataset_dir
from lookbook.viz import gallery
from tests.conftest import make_tiny_dataset
from tests.ui.conftest import needs_synth
from tests.ui.fakes import fake_dataset

APP = str(paths.REPO_ROOT / "app.py")
EXPLORER = "pages/explorer.py"
TIMEOUT_S = 120


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT_S)


def _explorer() -> AppTest:
    at = _app().run()
    assert not at.exception
    at.switch_page(EXPLORER).run()
    assert not at.exception, at.exception
    return at


def _match_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "garments match" in m.value)


def _n_matching(at: AppTest) -> int:
    return int(_match_line(at).split("**")[1].replace(",", ""))


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


# home -------------------------------------------------------------------------------------------------
def test_home_on_a_fresh_machine_offers_the_builtin_dataset(use_workspace, tmp_path):
    use_workspace(tmp_path / "empty-ws")
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "Lookbook designer"
    assert any("No dataset is prepared yet" in m.value for m in at.markdown)
    assert at.button(key="home.builtin").label == "Prepare the built-in dataset"
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "Dataset:** none yet" in sidebar and "Generator:** none yet" in sidebar
    at.switch_page(EXPLORER).run()
    assert not at.exception
    assert "No dataset is active yet" in at.info[0].value


@pytest.mark.slow
@needs_synth
def test_one_click_builtin_dataset(use_workspace, tmp_path, monkeypatch):
    ws = use_workspace(tmp_path / "ws")
    monkeypatch.setenv("LOOKBOOK_BUILTIN_IMAGES", "40")
    at = _app().run()
    at.button(key="home.builtin").click().run()
    assert not at.exception, at.exception
    assert not _errors(at)
    root = builtin_dataset_dir(ws)
    assert (root / "index.parquet").is_file() and (root / "images_64.npy").is_file()
    assert (root / "images_32.npy").is_file()  # the 32 px `quick` preset trains at its own size
    assert np.load(root / "images_32.npy", mmap_mode="r").shape[0] == len(stats.read_index(root))
    assert any("built-in dataset is ready" in s.value for s in at.success)
    assert at.sidebar.selectbox(key="app.dataset_choice").value == str(root.resolve())
    assert "Use the built-in dataset" not in [b.label for b in at.button]  # already active
    assert len(stats.read_index(root)) >= 40


@pytest.mark.parametrize(
    "kind, make, message",
    [
        ("fpid", None, "does not exist"),
        ("fpid", "empty-folder", "has no styles.csv"),
        ("deepfashion2", "empty-folder", "has no annos/"),
        ("deepfashion2-coco", "empty-folder", "expected a file"),
        ("folder", "file", "expected a folder"),
    ],
)
def test_wrong_source_paths_show_an_error_not_an_exception(use_workspace, tmp_path, kind, make, message):
    use_workspace(tmp_path / "ws")
    target = tmp_path / "typed"
    if make == "empty-folder":
        target.mkdir()
    elif make == "file":
        target.write_text("x")
    at = _app().run()
    at.selectbox(key="home.source_kind").set_value(kind).run()
    at.text_input(key="home.source_path").input(str(target)).run()
    at.button(key="home.add_source").click().run()
    assert not at.exception
    assert any(message in e for e in _errors(at)), _errors(at)
    assert at.session_state["home.sources"] == []


def test_adding_a_good_source_lists_it(use_workspace, tmp_path):
    use_workspace(tmp_path / "ws")
    src = tmp_path / "fpid"
    src.mkdir()
    (src / "styles.csv").write_text(
        "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName\n"
    )
    at = _app().run()
    at.selectbox(key="home.source_kind").set_value("fpid").run()
    at.text_input(key="home.source_path").input(str(src)).run()
    at.button(key="home.add_source").click().run()
    assert not at.exception and not _errors(at)
    assert at.session_state["home.sources"] == [{"kind": "fpid", "path": str(src.resolve())}]


def test_paths_outside_the_allowed_roots_are_refused(use_workspace, tmp_path, monkeypatch):
    use_workspace(tmp_path / "ws")
    (tmp_path / "allowed").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "styles.csv").write_text("id\n")
    monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, str(tmp_path / "allowed"))
    at = _app().run()
    at.text_input(key="home.source_path").input(f"{tmp_path}/allowed/../outside").run()
    at.button(key="home.add_source").click().run()
    assert not at.exception
    assert any("outside the folders this app may read" in e for e in _errors(at))


def test_open_a_prepared_dataset_by_path(use_workspace, tmp_path):
    use_workspace(tmp_path / "ws")
    elsewhere = fake_dataset(tmp_path / "elsewhere", 120)
    at = _app().run()
    at.text_input(key="home.open_path").input(str(tmp_path)).run()
    at.button(key="home.open").click().run()
    assert not at.exception
    assert any("not a prepared dataset" in e for e in _errors(at))
    at.text_input(key="home.open_path").input(str(elsewhere)).run()
    at.button(key="home.open").click().run()
    assert not at.exception and not _errors(at)
    assert at.session_state["app.dataset"] == str(elsewhere.resolve())
    assert at.sidebar.selectbox(key="app.dataset_choice").value == str(elsewhere.resolve())


def test_sidebar_and_home_show_default_checkpoints(use_workspace, tmp_path):
    use_workspace(tmp_path / "ws")
    ckpt = tmp_path / "checkpoints"
    ckpt.mkdir()
    (ckpt / "generator.keras").write_bytes(b"not loaded by the home page")
    (ckpt / "generator.json").write_text(json.dumps({"kind": "generator", "image_size_px": 64, "noise_dim": 90}))
    at = _app().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="app.generator_choice").value == str(ckpt / "generator.keras")
    assert at.session_state["app.generator"] == str(ckpt / "generator.keras")
    assert at.session_state["app.classifier"] is None
    assert any("64 px" in m.value for m in at.markdown)


def test_home_offers_the_lookbook_first_when_models_ship_and_no_dataset_is_prepared(use_workspace, tmp_path):
    use_workspace(tmp_path / "ws")
    ckpt = tmp_path / "checkpoints"
    ckpt.mkdir()
    for kind in ("generator", "classifier"):
        (ckpt / f"{kind}.keras").write_bytes(b"not loaded by the home page")
        (ckpt / f"{kind}.json").write_text(json.dumps({"kind": kind, "image_size_px": 64, "categories": ["tshirt"]}))
    at = _app().run()
    assert not at.exception
    steps = [m.value for m in at.markdown if m.value.startswith(("1.", "2."))]
    assert steps[0].startswith("1. **Design a lookbook now**") and steps[1].startswith("2. **Get a dataset**")
    assert at.button(key="home.builtin").label == "Prepare the built-in dataset"


# explorer ---------------------------------------------------------------------------------------------
def _expected_charts(root) -> int:
    rec = stats.read_index(root)
    n = 4  # splits, categories, slots, categories per source
    n += 2 * bool((rec["source"] == "deepfashion2").any())  # DF2 categories, attributes
    n += 2 * bool(rec["article_type"].notna().any())  # article types, gender/season/colour
    report = json.loads((root / "report.json").read_text()) if (root / "report.json").is_file() else {}
    n += bool(report.get("skipped") or report.get("repaired"))
    return n


def test_explorer_renders_every_chart_on_the_builtin_dataset(use_workspace, builtin_workspace):
    use_workspace(builtin_workspace)
    at = _explorer()
    root = builtin_dataset_dir(builtin_workspace)
    assert not _errors(at)
    assert len(at.get("plotly_chart")) == _expected_charts(root) >= 8
    assert not [i.value for i in at.info if "nothing to show" in i.value]
    captions = " ".join(c.value for c in at.caption)
    phrases = ("Figure 1", "Figure 2", "Figure 3", "Figure 4", "outfit slot", "gender, season and base colour", "image sizes")
    for phrase in phrases:
        assert phrase in captions
    assert at.metric[0].value == f"{len(stats.read_index(root)):,}"


def test_filters_change_the_grid(use_workspace, builtin_workspace):
    use_workspace(builtin_workspace)
    at = _explorer()
    index = stats.read_index(builtin_dataset_dir(builtin_workspace))
    assert _n_matching(at) == len(index)
    first = at.get("image")[0].captions
    assert len(first) == min(gallery.PAGE_SIZE, len(index))

    at.pills(key="explorer.filter.source").set_value(["fpid"]).run()
    assert not at.exception
    fpid = index[index["source"] == "fpid"]
    assert _n_matching(at) == len(fpid)
    shown = [int(c.split()[0][1:]) for c in at.get("image")[0].captions]
    assert set(index.iloc[shown]["source"]) == {"fpid"}
    assert shown == list(np.flatnonzero((index["source"] == "fpid").to_numpy())[: gallery.PAGE_SIZE])

    category = fpid["category"].value_counts().index[0]
    at.multiselect(key="explorer.filter.category").set_value([category]).run()
    expected = int(((index["source"] == "fpid") & (index["category"] == category)).sum())
    assert _n_matching(at) == expected
    shown = [int(c.split()[0][1:]) for c in at.get("image")[0].captions]
    assert set(index.iloc[shown]["category"]) == {category}


def test_paging_and_viewer(use_workspace, builtin_workspace):
    use_workspace(builtin_workspace)
    at = _explorer()
    page1 = at.get("image")[0].captions
    at.button(key="explorer.next").click().run()
    assert not at.exception
    assert "page **2**" in _match_line(at)
    page2 = at.get("image")[0].captions
    assert page1 != page2 and len(set(page1) & set(page2)) == 0
    # the viewer shows a DeepFashion2 garment's annotations drawn on its original image (no fallback warning)
    index = stats.read_index(builtin_dataset_dir(builtin_workspace))
    at.pills(key="explorer.filter.source").set_value(["deepfashion2"]).run()
    row = at.selectbox(key="explorer.view").value
    assert index.iloc[row]["source"] == "deepfashion2"
    assert not [w.value for w in at.warning]
    fields = at.dataframe[-1].value.set_index("field")["value"]
    assert fields["record"] == index.iloc[row]["record_id"]
    assert "visible" in fields["landmarks"]


def test_explorer_says_which_charts_do_not_apply(use_workspace, tmp_path):
    ws = use_workspace(tmp_path / "ws")
    make_tiny_dataset(ws / "datasets" / "tiny")  # FPID-only, no article types, no report
    at = _explorer()
    assert len(at.get("plotly_chart")) == 4
    infos = " ".join(i.value for i in at.info)
    assert "no DeepFashion2 records" in infos and "no Fashion Product Images records" in infos
    assert any("Nothing was skipped or repaired" in s.value for s in at.success)
    # the originals do not exist: the viewer falls back to the cached crop with a one-line warning
    assert any("Showing the prepared 32 px crop" in w.value for w in at.warning)


def test_report_tab_lists_reasons_and_examples(use_workspace, tmp_path):
    ws = use_workspace(tmp_path / "ws")
    fake_dataset(ws / "datasets" / "fake", 150)
    at = _explorer()
    assert [m.value for m in at.metric][-2:] == ["5", "3"]  # skipped, repaired
    labels = [e.label for e in at.expander]
    assert "skipped: corrupt image (3)" in labels
    assert any(df.value.to_dict("records") == [{"source": "folder", "label": "mystery", "count": 4}] for df in at.dataframe)


@pytest.mark.slow
def test_mixing_prepares_and_activates_a_new_dataset(use_workspace, builtin_workspace):
    use_workspace(builtin_workspace)
    at = _explorer()
    # form widgets only commit on submit, so no run() between setting them
    at.number_input(key="explorer.mix.cap").set_value(15)
    at.selectbox(key="explorer.mix.size").set_value(32)
    at.text_input(key="explorer.mix.name").input("mix-test")
    at.button(key="FormSubmitter:explorer.mix.form-Prepare training dataset").click().run()
    assert not at.exception, at.exception
    assert not _errors(at), _errors(at)
    out = builtin_workspace / "datasets" / "mix-test"
    index = stats.read_index(out)
    assert index.groupby("source_root").size().max() <= 15
    assert (out / "images_32.npy").is_file()
    assert at.session_state["app.dataset"] == str(out.resolve())
    assert at.sidebar.selectbox(key="app.dataset_choice").value == str(out.resolve())
    assert any("Prepared **mix-test**" in s.value for s in at.success)
    # the same name again is refused instead of overwriting
    at.text_input(key="explorer.mix.name").input("mix-test")
    at.button(key="FormSubmitter:explorer.mix.form-Prepare training dataset").click().run()
    assert any("already exists" in e for e in _errors(at))


@pytest.mark.fixtures
@pytest.mark.slow
def test_prepare_real_sources_from_the_home_page(use_workspace, tmp_path, fixtures_dir):
    ws = use_workspace(tmp_path / "ws")
    at = _app().run()
    for kind, path in (
        ("fpid", fixtures_dir / "fpid"),
        ("folder", fixtures_dir / "clothing-folders"),
        ("deepfashion2", fixtures_dir / "deepfashion2"),
    ):
        at.selectbox(key="home.source_kind").set_value(kind).run()
        at.text_input(key="home.source_path").input(str(path)).run()
        at.button(key="home.add_source").click().run()
        assert not _errors(at), _errors(at)
    assert [s["kind"] for s in at.session_state["home.sources"]] == ["fpid", "folder", "deepfashion2"]
    at.text_input(key="home.prepare.name").input("real")
    at.number_input(key="home.prepare.cap").set_value(20)
    at.selectbox(key="home.prepare.size").set_value(32)
    at.button(key="FormSubmitter:home.prepare.form-Prepare dataset").click().run()
    assert not at.exception and not _errors(at), (at.exception, _errors(at))
    out = ws / "datasets" / "real"
    index = stats.read_index(out)
    assert set(index["source"]) == {"fpid", "folder", "deepfashion2"}
    assert index.groupby("source").size().max() <= 20
    assert at.session_state["app.dataset"] == str(out.resolve())

    at.switch_page(EXPLORER).run()
    assert not at.exception and not _errors(at)
    assert len(at.get("plotly_chart")) == _expected_charts(out)
    assert not [i.value for i in at.info if "nothing to show" in i.value]
    at.pills(key="explorer.filter.source").set_value(["deepfashion2"]).run()
    assert _n_matching(at) == int((index["source"] == "deepfashion2").sum())
    assert not [w.value for w in at.warning]  # the real DeepFashion2 originals are found and drawn on
    # Figure 4 over the whole real styles.csv: 44k products, most of them without an image here
    at.toggle(key="explorer.all_styles").set_value(True).run()
    assert not at.exception and not _errors(at)
    assert any("in styles.csv (44," in c.value for c in at.caption)


def test_fpid_charts_can_count_all_of_styles_csv(use_workspace, builtin_workspace):
    use_workspace(builtin_workspace)
    at = _explorer()
    n_before = len(at.get("plotly_chart"))
    at.toggle(key="explorer.all_styles").set_value(True).run()
    assert not at.exception and not _errors(at)
    assert len(at.get("plotly_chart")) == n_before
    from lookbook.data.fpid import read_styles

    styles, _ = read_styles(builtin_workspace / "builtin" / "raw" / "fpid" / "styles.csv")
    assert any(f"in styles.csv ({len(styles):,} products)" in c.value for c in at.caption)


def test_deep_link_through_the_router(use_workspace, tmp_path):
    ws = use_workspace(tmp_path / "ws")
    fake_dataset(ws / "datasets" / "fake", 60)
    at = _app()
    at.query_params["next"] = "explorer"  # what a page run without app.py sends the browser to
    at.run()
    assert not at.exception
    assert at.title[0].value == "Dataset Explorer"
    assert "next" not in at.query_params
    assert at.sidebar.selectbox(key="app.dataset_choice").value == str((ws / "datasets" / "fake").resolve())


def test_page_url_paths_are_their_file_names():
    from lookbook.ui import router

    with pytest.raises(ValueError, match="must be its file name"):
        router.build_pages(paths.REPO_ROOT, lambda: None, [("pages/explorer.py", "Explorer", ":material/insights:", "data")])
