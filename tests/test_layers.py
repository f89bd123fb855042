"""Package layers: every import inside lookbook/ points down the order in docs/DESIGN.md, function-level ones too."""

from __future__ import annotations

import ast
from pathlib import Path

from lookbook import paths

# Lowest first: a module may import its own layer and the layers before it, never one after it. The run package
# (the run directory's file names, status, lifecycle) sits right above core, so models can name their own files.
LAYER_ORDER = ("core", "run", "data", "models", "metrics", "train", "compose", "viz", "ui", "cli")
CORE_MODULES = {"errors", "atomic", "jsonfile", "paths", "config"}  # lookbook/<name>.py
MODULE_LAYERS = {"runs": "run", "__main__": "cli"}  # top-level modules that belong to a package's layer


def _layer_of(dotted: str) -> str | None:
    """Layer of a module (or of a name imported from it) under lookbook; None outside lookbook, "?" if unplaced."""
    parts = dotted.split(".")
    if parts[0] != "lookbook":
        return None
    top = parts[1] if len(parts) > 1 else ""
    package = paths.REPO_ROOT / "lookbook"
    if not top or top in CORE_MODULES or not ((package / top).is_dir() or (package / f"{top}.py").is_file()):
        return "core"  # a core module, or a name from lookbook/__init__.py
    if top in MODULE_LAYERS:
        return MODULE_LAYERS[top]
    return top if top in LAYER_ORDER else "?"


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in `path`, at any depth; `from a import b` gives `a.b`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def test_imports_point_down():
    root = paths.REPO_ROOT
    rank = {name: i for i, name in enumerate(LAYER_ORDER)}
    upward, unplaced = [], []
    for path in sorted((root / "lookbook").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        own = _layer_of(module)
        if own == "?":
            unplaced.append(module)
            continue
        for line, target in _imports(path, module):
            layer = _layer_of(target)
            if layer == "?":
                unplaced.append(target)
            elif layer is not None and rank[layer] > rank[own]:
                upward.append(f"{path.relative_to(root)}:{line} imports {target} ({own} -> {layer})")
    assert not unplaced, f"modules with no layer (add them to LAYER_ORDER or CORE_MODULES): {sorted(set(unplaced))}"
    assert not upward, "imports pointing up the layers:\n" + "\n".join(upward)


def test_run_files_named_only_in_run_package():
    """No module under lookbook/ outside lookbook/run/ spells a run file's name: they all use lookbook.run.layout."""
    from lookbook.run import layout

    generic = {layout.SAMPLES_DIR, layout.TB_DIR}  # plain words ("samples" is also a table column)
    names = {v for k, v in vars(layout).items() if k.endswith(("_FILE", "_DIR", "_LOG")) and isinstance(v, str)} - generic
    # the same names with another meaning: a prepared dataset's report, a member of every `.keras` zip
    other_meaning = {("lookbook/data/dataset.py", layout.REPORT_FILE), ("lookbook/models/artifacts.py", layout.CONFIG_FILE)}
    root = paths.REPO_ROOT
    found = []
    for path in sorted((root / "lookbook").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        if where.startswith("lookbook/run/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and node.value in names and (where, node.value) not in other_meaning:
                found.append(f"{where}:{node.lineno} {node.value!r}")
    assert not found, "run file names outside lookbook/run/ (import them from lookbook.run.layout):\n" + "\n".join(found)
