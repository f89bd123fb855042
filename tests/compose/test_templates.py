"""The outfit templates table: shipped table valid, bad tables rejected with the row named."""

from __future__ import annotations

import pytest

from lookbook.compose.templates import TEMPLATES_CSV, get_template, load_templates, template_names
from lookbook.data import taxonomy
from lookbook.errors import LookbookError

HEADER = "template,order,slot,allowed,default\n"


def test_shipped_templates_are_valid_and_use_outfit_categories():
    table = load_templates(TEMPLATES_CSV)
    assert {"cs230", "casual", "evening", "office", "street", "summer"} <= set(table)
    outfit = set(taxonomy.outfit_categories())
    for template in table.values():
        assert 3 <= len(template.slots) <= 6, template.name
        for slot in template.slots:
            assert set(slot.allowed) <= outfit and slot.default in slot.allowed
        # a template never asks for two garments of the same taxonomic slot type in one place
        assert len({taxonomy.slot_for(s.default) for s in template.slots}) == len(template.slots), template.name


def test_cs230_reproduces_the_original_pairing():
    tpl = get_template("cs230")
    assert [s.name for s in tpl.slots] == ["Shirt", "Jeans", "Sports shoes", "Wallet"]
    assert [s.allowed for s in tpl.slots] == [("shirt",), ("jeans",), ("sports_shoes",), ("wallet",)]


def test_slots_come_in_table_order_whatever_the_row_order(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "a,2,Second,jeans,jeans\na,1,First,tshirt|shirt,shirt\n")
    tpl = load_templates(path)["a"]
    assert [s.name for s in tpl.slots] == ["First", "Second"]
    assert tpl.slots[0].allowed == ("tshirt", "shirt") and tpl.categories == ["tshirt", "shirt", "jeans"]
    assert tpl.describe() == "First · Second"


@pytest.mark.parametrize(
    "body, message",
    [
        ("a,1,Top,tshirt|ballgown,tshirt\n", "line 2: unknown category ballgown"),
        ("a,1,Top,tshirt,jeans\n", "default 'jeans' is not among"),
        ("a,1,Top,tshirt,tshirt\na,1,Also,jeans,jeans\n", "line 3: template 'a' has two slots with order 1"),
        ("a,first,Top,tshirt,tshirt\n", "order must be a whole number"),
        ("a,1,Top,,tshirt\n", "unknown categor"),
        ("a,1,Top,other,other\n", "unknown category other"),  # 'other' is not an outfit category
        ("a,1,Top\n", "expected 5 fields"),
        ("", "defines no templates"),
    ],
)
def test_bad_tables_are_one_line_errors(tmp_path, body, message):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + body)
    with pytest.raises(LookbookError, match=message):
        load_templates(path)


def test_missing_column_and_unknown_name(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("template,slot,allowed\n")
    with pytest.raises(LookbookError, match="missing column"):
        load_templates(path)
    with pytest.raises(LookbookError, match=r"unknown template 'gala'.*casual"):
        get_template("gala")
    assert template_names()[0] == "cs230"
