"""Untrusted JSON: parsing with size and nesting caps, and short previews of values for one-line messages."""

from __future__ import annotations

import json
import reprlib
from typing import Any

_PREVIEW = reprlib.Repr()
_PREVIEW.maxlevel = 3  # reprlib stops descending here, so a deeply nested value cannot exhaust the stack
_PREVIEW.maxstring = _PREVIEW.maxother = 40
_PREVIEW.maxlist = _PREVIEW.maxdict = 6


class JsonError(ValueError):
    """JSON that cannot be used; the message is a short reason (`nested deeper than 32 levels`, a parse error)."""


def parse(data: bytes | str, max_depth: int | None = None, max_bytes: int | None = None) -> Any:
    """Decode JSON text, refusing text over `max_bytes` and values nested deeper than `max_depth` (JsonError).

    Without `max_depth` only the parser's own recursion guard applies: checking the depth walks every value,
    which is worth it for small files (manifests, one annotation) but not for a COCO file of millions of numbers.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise JsonError(f"{len(data):,} bytes, more than the {max_bytes:,} allowed")
    try:
        value = json.loads(data)
    except RecursionError:  # the C parser stops at the interpreter's recursion limit instead of crashing
        raise JsonError(_too_deep(max_depth)) from None
    except UnicodeDecodeError as exc:
        raise JsonError(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise JsonError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise JsonError(f"not valid JSON ({str(exc)[:80]})") from None
    if max_depth is not None and depth(value, max_depth) > max_depth:
        raise JsonError(_too_deep(max_depth))
    return value


def _too_deep(max_depth: int | None) -> str:
    return f"nested deeper than {max_depth} levels" if max_depth is not None else "nested too deeply to parse"


def depth(value: Any, stop_above: int | None = None) -> int:
    """Nesting depth of lists and dicts (a scalar is 0, `[]` is 1); walks iteratively, stopping once past `stop_above`."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if stop_above is not None and deepest > stop_above:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def preview(value: Any) -> str:
    """A short, bounded repr of any parsed JSON value, safe to put in an error message or report example."""
    return _PREVIEW.repr(value)
