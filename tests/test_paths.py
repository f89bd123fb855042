"""Path safety: typed paths stay inside LOOKBOOK_ALLOWED_ROOTS (symlinks, `..` resolved first); the app writes only to its own."""

from __future__ import annotations

import os

import pytest

from lookbook import paths
from lookbook.errors import LookbookError


@pytest.fixture()
def layout(tmp_path, monkeypatch):
    """allowed/ (with data/ inside), outside/ (with a secret), a workspace and a runs folder; only allowed/ is permitted."""
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    (allowed / "data").mkdir(parents=True)
    (allowed / "data" / "styles.csv").write_text("id\n1\n")
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, str(allowed))
    monkeypatch.setenv(paths.WORKSPACE_ENV, str(tmp_path / "ws"))
    monkeypatch.setenv(paths.RUNS_ENV, str(tmp_path / "runs"))
    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path / "ckpt"))
    return tmp_path


def test_inside_allowed_root_is_resolved(layout):
    got = paths.safe_path(str(layout / "allowed" / "data"), kind="folder")
    assert got == (layout / "allowed" / "data").resolve()


def test_absolute_path_outside_is_refused(layout):
    with pytest.raises(LookbookError, match="outside the folders this app may read"):
        paths.safe_path(str(layout / "outside" / "secret.txt"))


def test_dotdot_escape_is_refused(layout):
    sneaky = f"{layout}/allowed/data/../../outside/secret.txt"
    with pytest.raises(LookbookError, match="outside"):
        paths.safe_path(sneaky)


def test_dotdot_that_stays_inside_is_fine(layout):
    got = paths.safe_path(f"{layout}/allowed/data/../data/styles.csv", kind="file")
    assert got == (layout / "allowed" / "data" / "styles.csv").resolve()


def test_symlink_escaping_the_root_is_refused(layout):
    link = layout / "allowed" / "link"
    link.symlink_to(layout / "outside")
    with pytest.raises(LookbookError, match="outside"):
        paths.safe_path(str(link / "secret.txt"))
    with pytest.raises(LookbookError, match="outside"):
        paths.safe_path(str(link))


def test_symlinked_root_still_allows_its_contents(layout, monkeypatch):
    alias = layout / "alias"
    alias.symlink_to(layout / "allowed")
    monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, str(alias))
    assert paths.safe_path(str(layout / "allowed" / "data")).is_dir()


def test_sibling_with_common_prefix_is_refused(layout):
    (layout / "allowed-evil").mkdir()
    with pytest.raises(LookbookError, match="outside"):
        paths.safe_path(str(layout / "allowed-evil"))


def test_relative_path_is_taken_from_the_current_folder(layout, monkeypatch):
    monkeypatch.chdir(layout / "allowed")
    assert paths.safe_path("data/styles.csv", kind="file") == (layout / "allowed" / "data" / "styles.csv").resolve()
    monkeypatch.chdir(layout / "outside")
    with pytest.raises(LookbookError, match="outside"):
        paths.safe_path("secret.txt")


def test_home_tilde_is_expanded_then_checked(layout, monkeypatch):
    monkeypatch.setenv("HOME", str(layout / "outside"))
    with pytest.raises(LookbookError, match="outside"):
        paths.safe_path("~/secret.txt")


def test_several_roots_separated_by_pathsep(layout, monkeypatch):
    monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, os.pathsep.join([str(layout / "allowed"), str(layout / "outside")]))
    assert paths.safe_path(str(layout / "outside" / "secret.txt"), kind="file").is_file()


def test_workspace_and_runs_are_always_readable(layout):
    (layout / "ws" / "builtin").mkdir(parents=True)
    assert paths.safe_path(str(layout / "ws" / "builtin"), kind="folder").is_dir()


def test_without_allowed_roots_only_the_app_folders_are_readable(layout, monkeypatch):
    monkeypatch.delenv(paths.ALLOWED_ROOTS_ENV)
    assert paths.allowed_roots() == [(layout / name).resolve() for name in ("ws", "runs", "ckpt")]
    with pytest.raises(LookbookError, match=f"outside the folders this app may read.*{paths.ALLOWED_ROOTS_ENV}"):
        paths.safe_path(str(layout / "outside" / "secret.txt"), kind="file")


def test_the_root_folder_widens_to_everything(layout, monkeypatch):
    monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, "/")
    assert paths.safe_path(str(layout / "outside" / "secret.txt"), kind="file").is_file()


@pytest.mark.parametrize(
    "typed, kind, message",
    [
        ("", "any", "no path given"),
        ("   ", "any", "no path given"),
        ("a\x00b", "any", "NUL"),
        ("{root}/allowed/nope", "any", "does not exist"),
        ("{root}/allowed/data/styles.csv", "folder", "is a file; expected a folder"),
        ("{root}/allowed/data", "file", "is a folder; expected a file"),
    ],
)
def test_bad_typed_paths_are_one_line_errors(layout, typed, kind, message):
    with pytest.raises(LookbookError, match=message) as err:
        paths.safe_path(typed.format(root=layout), kind=kind)
    assert "\n" not in str(err.value)


def test_writable_path_only_inside_workspace_and_runs(layout):
    assert paths.writable_path(layout / "ws" / "datasets" / "x") == (layout / "ws" / "datasets" / "x").resolve()
    assert paths.writable_path(layout / "runs" / "gan1").parent == (layout / "runs").resolve()
    for target in (layout / "allowed" / "x", layout / "ws" / ".." / "outside", layout / "wsx"):
        with pytest.raises(LookbookError, match="only writes inside"):
            paths.writable_path(target)


def test_writable_path_refuses_a_symlink_out_of_the_workspace(layout):
    (layout / "ws").mkdir()
    (layout / "ws" / "escape").symlink_to(layout / "outside")
    with pytest.raises(LookbookError, match="only writes inside"):
        paths.writable_path(layout / "ws" / "escape" / "new")


@pytest.mark.parametrize("name", ["", "..", ".", "a/b", "../x", ".hidden", "a\\b"])
def test_dataset_names_must_be_plain(layout, name):
    with pytest.raises(LookbookError):
        paths.dataset_output_dir(name)


def test_dataset_output_dir_is_in_the_workspace(layout):
    assert paths.dataset_output_dir("mix-64") == (layout / "ws" / "datasets" / "mix-64").resolve()


def test_defaults_follow_the_environment(layout, monkeypatch):
    assert paths.workspace_dir() == (layout / "ws").resolve()
    assert paths.runs_dir() == (layout / "runs").resolve()
    monkeypatch.delenv(paths.WORKSPACE_ENV)
    monkeypatch.delenv(paths.RUNS_ENV)
    assert paths.workspace_dir() == paths.REPO_ROOT / "workspace"
    assert paths.runs_dir() == paths.REPO_ROOT / "runs"


def test_find_datasets_and_models(layout):
    ws = layout / "ws"
    for rel in ("builtin/dataset", "datasets/a", "datasets/b"):
        (ws / rel).mkdir(parents=True)
        (ws / rel / "index.parquet").write_bytes(b"")
    (ws / "builtin" / "raw" / "fpid" / "images").mkdir(parents=True)
    assert [p.relative_to(ws.resolve()).as_posix() for p in paths.find_datasets()] == [
        "builtin/dataset",
        "datasets/a",
        "datasets/b",
    ]
    (layout / "ckpt").mkdir()
    (layout / "ckpt" / "generator.keras").write_bytes(b"x")
    (layout / "runs" / "gan1").mkdir(parents=True)
    (layout / "runs" / "gan1" / "generator.keras").write_bytes(b"x")
    (layout / "runs" / "clf1").mkdir()
    found = paths.find_models("generator.keras")
    assert [p.parent.name for p in found] == ["ckpt", "gan1"]


@pytest.mark.parametrize(
    "kind, make, message",
    [
        ("fpid", lambda r: (r / "images").mkdir(), "no styles.csv"),
        ("deepfashion2", lambda r: (r / "image").mkdir(), "no annos/"),
        ("folder", lambda r: (r / "x.jpg").write_bytes(b""), "no subfolders"),
        ("deepfashion2-coco", lambda r: None, "is a folder; expected a file"),
    ],
)
def test_check_source_says_what_layout_was_expected(layout, kind, make, message):
    root = layout / "allowed" / "src"
    root.mkdir()
    make(root)
    with pytest.raises(LookbookError, match=message):
        paths.check_source(kind, str(root))


def test_check_source_accepts_real_layouts(layout):
    root = layout / "allowed"
    (root / "df2" / "train" / "annos").mkdir(parents=True)
    assert paths.check_source("deepfashion2", str(root / "df2")).name == "df2"
    assert paths.check_source("fpid", str(root / "data")).name == "data"
    (root / "coco.json").write_text("{}")
    assert paths.check_source("deepfashion2-coco", str(root / "coco.json")).suffix == ".json"
    with pytest.raises(LookbookError, match="outside"):
        paths.check_source("fpid", str(layout / "outside"))


def test_command_and_display_paths(layout):
    inside = paths.REPO_ROOT / "workspace" / "x"
    assert paths.command_path(inside) == "workspace/x"
    assert paths.command_path(layout / "outside") == str((layout / "outside").resolve())
    assert paths.display_path(layout / "ws" / "builtin" / "dataset") == "workspace/builtin/dataset"
    assert paths.display_path(layout / "runs") == "runs"
