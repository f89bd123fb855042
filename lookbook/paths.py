"""Where things live (workspace, runs, checkpoints) and the checks on paths typed into the app."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from lookbook.errors import LookbookError

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKSPACE_ENV = "LOOKBOOK_WORKSPACE"
RUNS_ENV = "LOOKBOOK_RUNS"
CHECKPOINTS_ENV = "LOOKBOOK_CHECKPOINTS"
ALLOWED_ROOTS_ENV = "LOOKBOOK_ALLOWED_ROOTS"
INDEX_FILE = "index.parquet"  # same name as lookbook.data.dataset.INDEX_FILE; kept here so this module imports nothing heavy
META_FILE = "dataset.json"  # same name as lookbook.data.dataset.META_FILE, for the same reason
DATASETS_DIR = "datasets"  # datasets prepared from the app go to <workspace>/datasets/<name>

PathKind = Literal["file", "folder", "any"]


def workspace_dir() -> Path:
    """The app's data folder (built-in dataset, prepared datasets): `$LOOKBOOK_WORKSPACE` or `<repo>/workspace`."""
    return _env_dir(WORKSPACE_ENV, REPO_ROOT / "workspace")


def runs_dir() -> Path:
    """Root of the run directories: `$LOOKBOOK_RUNS` or `<repo>/runs`."""
    return _env_dir(RUNS_ENV, REPO_ROOT / "runs")


def checkpoints_dir() -> Path:
    """The shipped default models: `$LOOKBOOK_CHECKPOINTS` or `<repo>/checkpoints`."""
    return _env_dir(CHECKPOINTS_ENV, REPO_ROOT / "checkpoints")


def _env_dir(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return _resolve(Path(value).expanduser()) if value else _resolve(default)


def _resolve(path: Path) -> Path:
    # realpath follows every symlink and folds `..` exactly as the OS will when the file is opened
    return Path(os.path.realpath(path))


def allowed_roots() -> list[Path]:
    """Folders the paths typed into the app (and the model paths in manifests it opens) must stay inside.

    Always the app's workspace, runs and checkpoints folders and the source folders of the datasets prepared in
    the workspace (someone added those on purpose); plus the folders in `$LOOKBOOK_ALLOWED_ROOTS`
    (os.pathsep-separated), which is how a user widens the default (`/` allows every folder).
    """
    raw = os.environ.get(ALLOWED_ROOTS_ENV, "")
    added = [_resolve(Path(p.strip()).expanduser()) for p in raw.split(os.pathsep) if p.strip()]
    return _unique([workspace_dir(), runs_dir(), checkpoints_dir(), *added, *prepared_source_roots()])


def prepared_source_roots(root: Path | None = None) -> list[Path]:
    """The source folders (and COCO image folders) that the prepared datasets under `root` (default: the workspace)
    were made from, as their `dataset.json` records them."""
    found: list[Path] = []
    for dataset in find_datasets(root):
        try:
            sources = json.loads((dataset / META_FILE).read_text(encoding="utf-8")).get("sources") or []
        except (OSError, ValueError, RecursionError, AttributeError):  # no or damaged meta: no sources to allow
            continue
        for source in sources if isinstance(sources, list) else []:
            path = _recorded(source.get("path")) if isinstance(source, dict) else None
            if path is None:
                continue
            found.append(path)
            if source.get("kind") == "deepfashion2-coco":  # a JSON file; its images are in image_dir or ../image
                found.append(_recorded(source.get("image_dir")) or path.parent.parent / "image")
    return _unique(found)


def _recorded(text: object) -> Path | None:
    """A path written in a file we did not write ourselves, resolved; None when it is not a usable path."""
    if not isinstance(text, str) or not text.strip() or "\x00" in text:
        return None
    return _resolve(Path(text))


def _unique(paths: Iterable[Path]) -> list[Path]:
    return list(dict.fromkeys(paths))


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def safe_path(typed: str | os.PathLike, kind: PathKind = "any", must_exist: bool = True, what: str = "path") -> Path:
    """Resolve a path typed by a user and check it: inside the allowed roots, existing, of the right kind.

    Relative paths are taken from the current folder. Symlinks and `..` are resolved before the
    check, so neither can reach outside the allowed roots. Raises LookbookError with a one-line reason.
    """
    text = os.fspath(typed).strip()
    if not text:
        raise LookbookError(f"no {what} given")
    if "\x00" in text:
        raise LookbookError(f"{what} contains a NUL byte")
    path = _resolve(Path(text).expanduser())
    roots = allowed_roots()
    if not _inside(path, roots):
        shown = ", ".join(str(r) for r in roots[:4]) + (", ..." if len(roots) > 4 else "")
        raise LookbookError(
            f"{text} is outside the folders this app may read ({shown}); add its folder to {ALLOWED_ROOTS_ENV} to allow it"
        )
    if must_exist and not path.exists():
        raise LookbookError(f"{what} {text} does not exist")
    if must_exist and kind == "folder" and not path.is_dir():
        raise LookbookError(f"{what} {text} is a file; expected a folder")
    if must_exist and kind == "file" and not path.is_file():
        raise LookbookError(f"{what} {text} is a folder; expected a file")
    return path


def writable_path(target: str | os.PathLike) -> Path:
    """Resolve `target` and refuse it unless it lies inside the workspace or runs folder (the only places the app writes)."""
    path = _resolve(Path(os.fspath(target)).expanduser())
    roots = [workspace_dir(), runs_dir()]
    if not _inside(path, roots):
        raise LookbookError(f"the app only writes inside {roots[0]} and {roots[1]}; {target} is outside them")
    return path


def check_output_file(target: str | os.PathLike, what: str = "--out") -> Path:
    """Check, before any work is done, that `target` can be written: not a folder, and its folder (or the nearest
    existing one, where the missing ones would be made) takes new files. Raises LookbookError with the reason."""
    text = os.fspath(target)
    if not text.strip() or "\x00" in text:
        raise LookbookError(f"{what} must be a file path, got {text!r}")
    path = Path(text).expanduser()
    if path.is_dir():
        raise LookbookError(f"{what} {path} is a folder; give a file name")
    folder = next((p for p in path.parents if p.exists()), Path("."))
    if not folder.is_dir():
        raise LookbookError(f"{what} {path} cannot be written: {folder} is a file, not a folder")
    try:  # a real probe: access() says yes to root on /proc and /sys, where no file can be made
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
    except OSError as exc:
        raise LookbookError(f"{what} {path} cannot be written: {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)
    return path


def dataset_output_dir(name: str) -> Path:
    """`<workspace>/datasets/<name>` for a dataset prepared from the app; `name` must be a plain folder name."""
    name = name.strip()
    if not name or name in (".", "..") or any(ch in name for ch in "/\\\x00") or name.startswith("."):
        raise LookbookError(f"dataset name {name!r} must be a plain folder name (letters, digits, - and _), not a path")
    return writable_path(workspace_dir() / DATASETS_DIR / name)


def find_datasets(root: Path | None = None, max_depth: int = 3) -> list[Path]:
    """Prepared dataset folders (holding `index.parquet`) under `root` (default: the workspace), sorted."""
    root = _resolve(root) if root is not None else workspace_dir()
    if not root.is_dir():
        return []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        # raw source trees can hold thousands of folders; a prepared dataset never nests inside another
        if INDEX_FILE in filenames:
            found.append(Path(dirpath))
            dirnames[:] = []
        elif depth >= max_depth:
            dirnames[:] = []
        else:
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in ("images", "image", "annos")]
    return sorted(found)


def find_models(filename: str, roots: Iterable[Path] | None = None) -> list[Path]:
    """`.keras` files named `filename` directly in, or one run folder below, each root (default: checkpoints, runs)."""
    roots = list(roots) if roots is not None else [checkpoints_dir(), runs_dir()]
    found: list[Path] = []
    for root in roots:
        if not root.is_dir():
            continue
        found += [p for p in [root / filename, *sorted(root.glob(f"*/{filename}"))] if p.is_file()]
    return _unique(found)


def command_path(path: str | os.PathLike) -> str:
    """A path as typed in a command run from the repo folder: relative when inside it, else absolute."""
    path = _resolve(Path(path))
    return path.relative_to(REPO_ROOT).as_posix() if _inside(path, [REPO_ROOT]) else str(path)


def display_path(path: str | os.PathLike) -> str:
    """A short form for the UI: relative to the workspace, runs or repo folder when inside one."""
    path = _resolve(Path(path))
    for label, root in (("workspace", workspace_dir()), ("runs", runs_dir()), ("", REPO_ROOT)):
        if _inside(path, [root]):
            rel = path.relative_to(root).as_posix()
            if rel == ".":
                return label or "."
            return f"{label}/{rel}" if label else rel
    return str(path)


SOURCE_LAYOUTS: dict[str, str] = {
    "deepfashion2": "a DeepFashion2 tree: <root>/annos/*.json and <root>/image/, or train/ and validation/ folders holding them",
    "deepfashion2-coco": "a DeepFashion2 COCO-form .json file (from deepfashion2_to_coco.py)",
    "fpid": "a Fashion Product Images folder: <root>/styles.csv and <root>/images/",
    "folder": "a folder of class subfolders: <root>/<class>/*.jpg (optionally under train/ and test/)",
}


def check_source(kind: str, typed: str | os.PathLike) -> Path:
    """Resolve a source path typed into the app and check it has the layout of `kind`; LookbookError says what was expected."""
    if kind not in SOURCE_LAYOUTS:
        raise LookbookError(f"unknown source type {kind!r} (known: {', '.join(SOURCE_LAYOUTS)})")
    expected = SOURCE_LAYOUTS[kind]
    path = safe_path(typed, kind="file" if kind == "deepfashion2-coco" else "folder", what=f"{kind} source")
    if kind == "deepfashion2-coco":
        if path.suffix.lower() != ".json":
            raise LookbookError(f"{path} is not a .json file (expected {expected})")
        return path
    entries = {p.name: p for p in path.iterdir()} if os.access(path, os.R_OK | os.X_OK) else None
    if entries is None:
        raise LookbookError(f"{path} is not readable (permission denied)")
    if kind == "fpid" and "styles.csv" not in entries:
        raise LookbookError(f"{path} has no styles.csv (expected {expected})")
    if kind == "deepfashion2":
        has_annos = "annos" in entries or any((p / "annos").is_dir() for p in entries.values() if p.is_dir())
        if not has_annos:
            raise LookbookError(f"{path} has no annos/ folder (expected {expected})")
    if kind == "folder" and not any(p.is_dir() and not p.name.startswith(".") for p in entries.values()):
        raise LookbookError(f"{path} has no subfolders (expected {expected})")
    return path
