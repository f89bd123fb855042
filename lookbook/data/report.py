"""Ingestion report: every skipped or repaired item counted by reason, with a few examples."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

MAX_EXAMPLES = 5


@dataclass
class IngestReport:
    """Counts of skipped and repaired items by reason; merged across sources and workers."""

    skipped: Counter = field(default_factory=Counter)
    repaired: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unmapped_labels: Counter = field(default_factory=Counter)

    def skip(self, reason: str, example: str = "") -> None:
        """Count one item dropped for `reason` (e.g. "corrupt image", "box outside image")."""
        self.skipped[reason] += 1
        self._example(f"skipped: {reason}", example)

    def repair(self, reason: str, example: str = "") -> None:
        """Count one item kept after a fix (e.g. "CMYK converted to RGB", "malformed CSV line recovered")."""
        self.repaired[reason] += 1
        self._example(f"repaired: {reason}", example)

    def unmapped(self, source: str, label: str) -> None:
        """Count a source label that maps to no unified category (kept as `unmapped`)."""
        self.unmapped_labels[f"{source}:{label}"] += 1

    def _example(self, key: str, example: str) -> None:
        if example and len(self.examples[key]) < MAX_EXAMPLES:
            self.examples[key].append(example)

    def merge(self, other: IngestReport) -> IngestReport:
        """Add `other`'s counts into this report and return self."""
        self.skipped.update(other.skipped)
        self.repaired.update(other.repaired)
        self.unmapped_labels.update(other.unmapped_labels)
        for key, items in other.examples.items():
            for item in items:
                self._example(key, item)
        return self

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON form written into `report.json`."""
        return {
            "skipped_total": self.n_skipped,
            "repaired_total": sum(self.repaired.values()),
            "skipped": dict(self.skipped.most_common()),
            "repaired": dict(self.repaired.most_common()),
            "unmapped_labels": dict(self.unmapped_labels.most_common()),
            "examples": {k: list(v) for k, v in self.examples.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IngestReport:
        rep = cls()
        rep.skipped.update(data.get("skipped", {}))
        rep.repaired.update(data.get("repaired", {}))
        rep.unmapped_labels.update(data.get("unmapped_labels", {}))
        for k, v in data.get("examples", {}).items():
            rep.examples[k].extend(v)
        return rep
