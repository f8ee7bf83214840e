"""Git merge driver: `python -m scaffolder.merge %O %A %B %P [--marker-size %L]`.

Writes the merge of the three versions into %A and exits 0 when clean, 1 when the result
holds conflict markers (git's contract for merge drivers). Any failure of a structured merger
falls back to git's line merge, so the driver never loses a side.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# A file the tool names for one merge: each entry kept from ours while adopting, one per line.
NOTES_ENV = "MLOPS_SCAFFOLD_MERGE_NOTES"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scaffolder.merge")
    parser.add_argument("base")
    parser.add_argument("ours")
    parser.add_argument("theirs")
    parser.add_argument("path")
    parser.add_argument("--marker-size", type=int, default=7)
    parser.add_argument("--ours-label", default="HEAD")
    parser.add_argument("--theirs-label", default="theirs")
    parser.add_argument("--adopting", action="store_true", help="no common ancestor: keep ours")
    args = parser.parse_args(argv)

    from scaffolder.merge import Labels, merge_text
    from scaffolder.merge.entries import line_merge

    texts = [Path(p).read_bytes().decode("utf-8", "surrogateescape") for p in
             (args.base, args.ours, args.theirs)]  # fmt: skip
    labels = Labels(args.ours_label, args.theirs_label, args.marker_size, args.adopting)
    try:
        result = merge_text(args.path, *texts, labels)
    except Exception:  # a bug in a structured merger must never cost a line: merge by lines
        labels.kept.clear()
        result = line_merge(*texts, labels)
    Path(args.ours).write_bytes(result.text.encode("utf-8", "surrogateescape"))
    notes = os.environ.get(NOTES_ENV)
    if notes and labels.kept:
        with open(notes, "a", encoding="utf-8") as handle:
            handle.writelines(f"{args.path}\t{key}\n" for key in labels.kept)
    return 1 if result.conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
