"""Whether the metric bars of a config file are read by anything (a whole-tree pass after the
scan): `min_performance_improvement: 0.02` in `config.yaml` decides nothing when no code, script
or pipeline definition reads that key; the only other place it is written is a loader's dict of
defaults (`"min_performance_improvement": 0.02,`). Such keys are recorded as `unread_keys` on
the `config.file` fact (`validation.quality-gate` counts a config by the keys read)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.scan_file import MAX_BYTES, _zone

# prose does not read a key (a README table of settings)
PROSE = (".md", ".rst", ".txt", ".html", ".csv", ".lock")
CODE = (".py", ".ipynb", ".sh", ".r", ".scala", ".java", ".js", ".ts", ".go")


def unread_thresholds(root: Path, files: list[tuple[str, ...]], facts: list[Fact]) -> None:
    configs = [f for f in facts if f.kind == "config.file" and f.detail.get("threshold_keys")]
    if not configs:
        return
    keys = {str(k).lower() for f in configs for k in f.detail["threshold_keys"]}
    # any case, inside a longer name too (`CHURN_ROC_AUC_GATE` as an environment variable)
    alternatives = "|".join(re.escape(k) for k in sorted(keys))
    words = re.compile(rf"(?<![a-z0-9])({alternatives})(?![a-z0-9])", re.I)
    read: set[str] = set()
    code = False  # a tree of configs alone says nothing of what reads them (a platform may)
    for parts in files:
        if parts[-1].lower().endswith(PROSE) or _zone(parts) is Zone.TESTS:
            continue
        if parts[-1].startswith("test_"):
            continue
        try:
            full = os.path.join(root, *parts)
            if os.path.getsize(full) > MAX_BYTES:
                continue
            with open(full, "rb") as handle:
                text = handle.read().decode("utf-8", errors="replace")
        except OSError:
            continue
        code = code or parts[-1].lower().endswith(CODE)
        for hit in words.finditer(text):
            # written (`key: 0.02`, `"key": 0.02`, `key = 0.02`), not read
            after = text[hit.end() : hit.end() + 4]
            if not re.match(r"[\"']?\s*(:|=(?!=))", after):
                read.add(hit.group(1).lower())
        if read >= keys:
            return
    if not code:
        return
    for fact in configs:
        unread = [k for k in fact.detail["threshold_keys"] if str(k).lower() not in read]
        if unread:
            fact.detail["unread_keys"] = unread
