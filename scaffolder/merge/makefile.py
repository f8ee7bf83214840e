"""The Makefile by entry: each rule (target line and recipe), variable assignment, conditional
or `define` block is an entry, with the comment lines above it. Targets either side added are
kept; `.PHONY` lists merge as word sets; only a target or variable both sides changed
differently conflicts, inside that entry."""

from __future__ import annotations

import re

from scaffolder.merge.entries import (
    Entry,
    Labels,
    MergeResult,
    line_clash,
    merge_entries,
    split_lines,
    unique_keys,
)

_VARIABLE = re.compile(
    r"^(?:export\s+|override\s+)*([A-Za-z_.][A-Za-z0-9_.-]*)\s*(?:\?|:|::|\+|!)?="
)
_RULE = re.compile(r"^([^\s#:=][^#:=]*?)\s*::?(?!=)")
_OPEN = re.compile(r"^(ifeq|ifneq|ifdef|ifndef)\b")
_DEFINE = re.compile(r"^define\s+(\S+)")


def _continued(line: str) -> bool:
    return line.rstrip("\r\n").endswith("\\")


def entries(text: str) -> list[Entry]:
    lines = split_lines(text)
    pairs: list[tuple[str, str]] = []
    trivia: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.startswith("#"):
            trivia.append(line)
            i += 1
            continue
        start = i
        i += 1
        if _OPEN.match(line) or _DEFINE.match(line):
            closing = "endef" if _DEFINE.match(line) else "endif"
            depth = 1
            while i < len(lines) and depth:
                word = lines[i].strip().split(" ")[0]
                if closing == "endif" and _OPEN.match(lines[i]):
                    depth += 1
                elif word == closing:
                    depth -= 1
                i += 1
            define = _DEFINE.match(line)
            key = f"define:{define.group(1)}" if define else f"block:{line.strip()}"
        else:
            while _continued(lines[i - 1]) and i < len(lines):
                i += 1
            variable = _VARIABLE.match(line)
            rule = None if variable else _RULE.match(line)
            if rule:
                while i < len(lines) and (lines[i].startswith("\t") or _continued(lines[i - 1])):
                    i += 1
                target = " ".join(rule.group(1).split())
                # A line that only adds prerequisites (`help: mlops-help`, no recipe) is no
                # definition of the rule: it merges apart from the one that has the recipe.
                bare = i == start + 1 and not _continued(line) and ";" not in line
                kind = "prereq" if bare and rule.group(0) != line.rstrip("\r\n") else "rule"
                key = "phony" if target == ".PHONY" else f"{kind}:{target}"
                if key == "phony" and i < len(lines) and _RULE.match(lines[i]) \
                        and not _VARIABLE.match(lines[i]):  # fmt: skip
                    # `.PHONY: test` right above `test:` (cookiecutter-data-science's style)
                    # belongs to that rule, as the comment above it does.
                    trivia.extend(lines[start:i])
                    continue
            elif variable:
                key = f"var:{variable.group(1)}"
            else:
                key = f"line:{line.strip()}"
        pairs.append((key, "".join(trivia + lines[start:i])))
        trivia = []
    if trivia:
        pairs.append(("tail", "".join(trivia)))
    return unique_keys(pairs)


def _split_trivia(text: str) -> tuple[str, str]:
    lines = split_lines(text)
    n = 0
    while n < len(lines) and (not lines[n].strip() or lines[n].startswith("#")):
        n += 1
    return "".join(lines[:n]), "".join(lines[n:])


def _phony_words(body: str) -> list[str]:
    joined = body.replace("\\\n", " ")
    return joined.split(":", 1)[1].split() if ":" in joined else []


def _merge_phony(base: str | None, ours: str, theirs: str) -> str:
    """`.PHONY` as a word set: ours' words, minus those theirs dropped, plus theirs' new ones."""
    b_triv, b_body = _split_trivia(base or "")
    o_triv, o_body = _split_trivia(ours)
    t_triv, t_body = _split_trivia(theirs)
    b, o, t = (_phony_words(x) for x in (b_body, o_body, t_body))
    words = [w for w in o if not (w in b and w not in t)]
    words += [w for w in t if w not in b and w not in words]
    trivia = t_triv if o_triv == b_triv else o_triv
    return trivia + ".PHONY: " + " ".join(words) + "\n"


def merge(base: str, ours: str, theirs: str, labels: Labels) -> MergeResult:
    fallback = line_clash(labels)
    ours_entries = entries(ours)
    # Every target the team declares phony, on any `.PHONY` line (one above its rule too).
    declared = {w for e in ours_entries for line in e.text.splitlines()
                if line.startswith(".PHONY") for w in _phony_words(line)}  # fmt: skip

    def clash(key: str, b: str | None, o: str | None, t: str | None):
        if key.startswith("phony") and o is not None and t is not None:
            if labels.adopting and b is None:
                # The team's line stays as written; the template's other targets follow it.
                new = [w for w in _phony_words(_split_trivia(t)[1]) if w not in declared]
                return o + (".PHONY: " + " ".join(new) + "\n" if new else ""), 0
            return _merge_phony(b, o, t), 0
        return fallback(key, b, o, t)

    theirs_entries = entries(theirs)
    if labels.adopting and not base and not any(e.key == "phony" for e in ours_entries):
        # Only `.PHONY` lines above their rules: the template's line declares the rest.
        theirs_entries = [_without(e, declared) if e.key == "phony" else e for e in theirs_entries]
    return merge_entries(entries(base), ours_entries, theirs_entries, clash)


def _without(entry: Entry, declared: set[str]) -> Entry:
    trivia, body = _split_trivia(entry.text)
    words = [w for w in _phony_words(body) if w not in declared]
    return Entry(entry.key, trivia + ".PHONY: " + " ".join(words) + "\n" if words else trivia)


def valid(text: str) -> bool:
    return True
