"""Damaged prepared datasets and a `--run` that is a file: one-line errors naming the file (exit 2), no traceback."""

from __future__ import annotations

import pytest

from lookbook.cli import main
from lookbook.data.dataset import INDEX_FILE, META_FILE, PreparedDataset, images_file
from lookbook.errors import LookbookError
from tests.conftest import make_tiny_dataset
from tests.gan.conftest import TINY_QUICK
from tests.hardening.helpers import assert_one_line_error


@pytest.fixture()
def dataset(tmp_path):
    return make_tiny_dataset(tmp_path / "data", n_per_class=4, size=32).root


def _truncate(path, keep_bytes: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:keep_bytes])


@pytest.mark.parametrize(
    "damage, file, message",
    [
        (lambda root: _truncate(root / images_file(32), 2000), images_file(32), "unreadable or truncated"),
        (lambda root: _truncate(root / INDEX_FILE, 100), INDEX_FILE, "is unreadable"),
        (lambda root: (root / INDEX_FILE).write_bytes(b"PAR1" + bytes(range(256)) * 4 + b"PAR1"), INDEX_FILE, "is unreadable"),
        (lambda root: (root / META_FILE).write_text("[" * 100_000), META_FILE, "is unreadable"),
        (lambda root: (root / META_FILE).write_text("[1]"), META_FILE, "not a JSON object"),
    ],
    ids=["truncated-cache", "truncated-index", "garbage-index", "deep-meta", "list-meta"],
)
def test_a_damaged_dataset_is_a_one_line_error_naming_the_file(dataset, tmp_path, capsys, damage, file, message):
    damage(dataset)
    with pytest.raises(LookbookError, match=message) as err:
        PreparedDataset.open(dataset)
    assert str(dataset / file) in str(err.value) and "\n" not in str(err.value)
    assert main(["train", "gan", "--data", str(dataset), "--run", str(tmp_path / "run"), *TINY_QUICK]) == 2
    assert_one_line_error(capsys.readouterr().err, str(dataset / file), message)
    assert not (tmp_path / "run").exists()


def test_a_run_that_is_a_file_is_a_one_line_error(dataset, tmp_path, capsys):
    run = tmp_path / "run.txt"
    run.write_text("notes")
    assert main(["train", "gan", "--data", str(dataset), "--run", str(run), *TINY_QUICK]) == 2
    assert_one_line_error(capsys.readouterr().err, str(run), "is a file, not a run folder")
    assert main(["train", "gan", "--data", str(dataset), "--run", str(run / "inside"), *TINY_QUICK]) == 2
    assert_one_line_error(capsys.readouterr().err, "is a file, so", "cannot be created")
    assert run.read_text() == "notes"
