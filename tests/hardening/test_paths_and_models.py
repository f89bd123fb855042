"""Path safety by default (app folders and deliberately added ones only) and model files that are not `.keras` archives."""

from __future__ import annotations

import json
import os

import pytest

from lookbook import paths
from lookbook.errors import LookbookError
from lookbook.models import artifacts


@pytest.fixture()
def layout(tmp_path, monkeypatch):
    """A workspace holding one prepared dataset made from `sources/fpid`, plus `outside/` that nobody added."""
    for name in ("ws", "runs", "ckpt", "sources/fpid", "sources/coco/annotations", "sources/coco/image", "outside"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "outside" / "secret.txt").write_text("secret")
    (tmp_path / "sources" / "fpid" / "styles.csv").write_text("id,articleType\n")
    dataset = tmp_path / "ws" / "datasets" / "mine"
    dataset.mkdir(parents=True)
    (dataset / paths.INDEX_FILE).write_bytes(b"")
    sources = [
        {"kind": "fpid", "path": str(tmp_path / "sources" / "fpid")},
        {"kind": "deepfashion2-coco", "path": str(tmp_path / "sources" / "coco" / "annotations" / "train.json")},
    ]
    (dataset / paths.META_FILE).write_text(json.dumps({"sources": sources}))
    monkeypatch.setenv(paths.WORKSPACE_ENV, str(tmp_path / "ws"))
    monkeypatch.setenv(paths.RUNS_ENV, str(tmp_path / "runs"))
    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path / "ckpt"))
    monkeypatch.delenv(paths.ALLOWED_ROOTS_ENV, raising=False)
    return tmp_path


def test_by_default_typed_paths_stay_in_the_app_folders_and_the_added_sources(layout):
    for inside in ("ws", "runs", "ckpt", "sources/fpid/styles.csv", "sources/coco/image"):
        assert paths.safe_path(str(layout / inside)) == (layout / inside).resolve()
    for outside in ("outside/secret.txt", "sources", "ws/../outside"):
        with pytest.raises(LookbookError, match=f"outside the folders this app may read.*{paths.ALLOWED_ROOTS_ENV}") as err:
            paths.safe_path(str(layout / outside))
        assert "\n" not in str(err.value)
    with pytest.raises(LookbookError, match="outside the folders"):
        paths.check_source("fpid", str(layout / "outside"))
    assert paths.check_source("fpid", str(layout / "sources" / "fpid")) == (layout / "sources" / "fpid").resolve()


def test_the_user_widens_the_default_on_purpose(layout, monkeypatch):
    monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, os.sep)
    assert paths.safe_path(os.path.dirname(os.__file__), kind="folder").is_dir()  # the standard library: anywhere at all
    monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, str(layout / "outside"))
    assert paths.safe_path(str(layout / "outside" / "secret.txt"), kind="file").is_file()
    assert paths.safe_path(str(layout / "sources" / "fpid"), kind="folder").is_dir()  # the defaults stay


def test_a_damaged_dataset_meta_adds_no_folder(layout):
    (layout / "ws" / "datasets" / "mine" / paths.META_FILE).write_text('{"sources": [{"path": "/\\u0000x"}, 7, {"path": []}]}')
    with pytest.raises(LookbookError, match="outside the folders"):
        paths.safe_path(str(layout / "sources" / "fpid"))


@pytest.mark.parametrize(
    "content, reason",
    [
        (os.urandom(4096), "not a zip archive"),
        (b"\x89HDF\r\n\x1a\n" + bytes(1024), "not a zip archive"),  # an HDF5 (Keras 2) file renamed
        (b"", "it is empty"),
    ],
    ids=["random-bytes", "hdf5-renamed", "empty"],
)
def test_a_file_that_is_no_keras_archive_says_so(tmp_path, content, reason):
    path = tmp_path / "generator.keras"
    path.write_bytes(content)
    for load in (artifacts.load_generator, artifacts.load_classifier):
        target = path if load is artifacts.load_generator else path.with_name("classifier.keras")
        target.write_bytes(content)
        with pytest.raises(LookbookError, match=f"is not a .keras model file \\({reason}") as err:
            load(target)
        assert str(target) in str(err.value) and "File not found" not in str(err.value)


def test_a_zip_without_a_model_says_what_is_missing(tmp_path):
    import zipfile

    path = tmp_path / "g.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(LookbookError, match=r"the archive has no config\.json, model\.weights\.h5"):
        artifacts.load_generator(path)
