"""Typed, frozen config dataclasses: build from dicts and `key=value` overrides, validate, serialise."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, TypeVar

from lookbook.errors import LookbookError

C = TypeVar("C", bound="Config")


@dataclasses.dataclass(frozen=True)
class Config:
    """Base for every component config; subclasses are frozen dataclasses with documented fields."""

    def validate(self) -> None:
        """Raise LookbookError with an actionable message if a value is out of range. Subclasses extend."""

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form; `config.json` is exactly this."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any]) -> C:
        """Build from a dict; unknown keys are an error, missing keys take defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise LookbookError(f"unknown {cls.__name__} key(s): {', '.join(unknown)} (known: {', '.join(sorted(names))})")
        hints = typing.get_type_hints(cls)
        cfg = cls(**{k: _coerce(hints[k], v, k) for k, v in data.items()})
        cfg.validate()
        return cfg

    def replace(self: C, **changes: Any) -> C:
        """A copy with `changes`, coerced to field types and validated."""
        return type(self).from_dict({**self.to_dict(), **changes})

    def with_overrides(self: C, assignments: list[str]) -> C:
        """Apply CLI-style `key=value` strings (e.g. `g_lr=2e-4`), parsed by the field's type."""
        names = {f.name for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for item in assignments:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise LookbookError(f"--set expects key=value, got {item!r}")
            if key not in names:
                raise LookbookError(f"unknown setting {key!r} for {type(self).__name__} (known: {', '.join(sorted(names))})")
            changes[key] = value.strip()
        return self.replace(**changes)

    def diff(self, other: Config) -> dict[str, tuple[Any, Any]]:
        """Fields whose values differ: name -> (self value, other value)."""
        a, b = self.to_dict(), other.to_dict()
        return {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}


def _coerce(tp: Any, value: Any, name: str) -> Any:
    """Convert `value` (possibly a string from the CLI or a slider) to the annotated type `tp`."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or str(origin) == "types.UnionType":
        if (value is None or (isinstance(value, str) and value.lower() in ("none", "null", ""))) and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, name)
    if origin is typing.Literal:
        if value not in args:
            raise LookbookError(f"{name} must be one of {', '.join(map(str, args))}, got {value!r}")
        return value
    if origin in (tuple, list):
        if isinstance(value, str):
            value = [v for v in value.replace(" ", "").split(",") if v]
        inner = args[0] if args else str
        items = [_coerce(inner, v, name) for v in value]
        return tuple(items) if origin is tuple else items
    try:
        if tp is bool:
            if isinstance(value, str):
                low = value.lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            return bool(value)
        if tp is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(float(value)) if isinstance(value, str) else int(value)
        if tp is float:
            return float(value)
        if tp is str:
            return str(value)
    except (TypeError, ValueError):
        raise LookbookError(f"{name} must be {getattr(tp, '__name__', tp)}, got {value!r}") from None
    return value


def check(condition: bool, message: str) -> None:
    """Raise LookbookError(message) unless `condition`; used by validate() methods."""
    if not condition:
        raise LookbookError(message)
