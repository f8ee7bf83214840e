"""Ordinary team edits, as hypothesis strategies over a rendered project's files.

Each edit changes the files of level N (a dict path -> text) the way a team does between two
upgrades and says what must survive the merge: (path, text that must appear)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

Files = dict[str, str]
Kept = list[tuple[str, str]]

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)
sentence = st.lists(word, min_size=2, max_size=8).map(lambda w: " ".join(w).capitalize() + ".")


def render_files(level: int, name: str = "churn") -> Files:
    """The files of a fresh project at `level` (rendered once per level and process)."""
    if (level, name) not in _RENDERS:
        import tempfile

        from scaffolder.catalog import builtin_catalog
        from scaffolder.render import render

        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "p"
            given = {"project_name": name, "level": level}
            render(builtin_catalog(), given, dest)
            _RENDERS[(level, name)] = {
                str(p.relative_to(dest)): p.read_text() for p in dest.rglob("*") if p.is_file()
            }
    return dict(_RENDERS[(level, name)])


_RENDERS: dict[tuple[int, str], Files] = {}


def _insert_in_array(text: str, key: str, line: str, position: int) -> str:
    match = re.search(rf"^{re.escape(key)} = \[\n(.*?)^\]", text, re.S | re.M)
    assert match, key
    items = match.group(1).splitlines(keepends=True)
    items.insert(position % (len(items) + 1), f"    {line},\n")
    return text[: match.start(1)] + "".join(items) + text[match.end(1) :]


def add_dependency(files: Files, theirs: Files, name: str, position: int) -> Kept:
    spec = f"{name}-team>=1.0"
    files["pyproject.toml"] = _insert_in_array(
        files["pyproject.toml"], "dependencies", f'"{spec}"', position
    )
    return [("pyproject.toml", f'"{spec}"')]


def bump_dependency(files: Files, theirs: Files, name: str, position: int) -> Kept:
    """Tighten a pin the template leaves alone in the next level."""
    specs = re.findall(r'^    "([a-z-]+>=[0-9.]+)",$', files["pyproject.toml"], re.M)
    untouched = [s for s in specs if f'"{s}"' in theirs.get("pyproject.toml", "")]
    if not untouched:
        return []
    spec = untouched[position % len(untouched)]
    bumped = spec + ",!=9.9"
    files["pyproject.toml"] = files["pyproject.toml"].replace(f'"{spec}"', f'"{bumped}"')
    return [("pyproject.toml", f'"{bumped}"')]


def add_tool_section(files: Files, theirs: Files, name: str, position: int) -> Kept:
    section = f'[tool.{name}]\nsetting = "{name}"\n'
    files["pyproject.toml"] = files["pyproject.toml"].rstrip("\n") + "\n\n" + section
    return [("pyproject.toml", section)]


def readme_text(files: Files, theirs: Files, text: str, position: int) -> Kept:
    """A paragraph outside the template's sections: after the title, between two sections or
    at the end."""
    lines = files["README.md"].splitlines(keepends=True)
    gaps = [i + 1 for i, line in enumerate(lines) if line.startswith("<!-- mlops-scaffold:end")]
    gaps = [3, *gaps, len(lines)]  # 3: after the title and the description
    at = gaps[position % len(gaps)]
    lines.insert(at, f"\n{text}\n")
    files["README.md"] = "".join(lines)
    return [("README.md", text)]


def make_target(files: Files, theirs: Files, name: str, position: int) -> Kept:
    target = f"{name}-team: ## {name}\n\t@echo {name}\n"
    text = files["Makefile"].rstrip("\n") + "\n\n" + target
    if position % 2:  # declared phony too
        text = re.sub(r"^(\.PHONY: .*)$", rf"\1 {name}-team", text, count=1, flags=re.M)
    files["Makefile"] = text
    return [("Makefile", target)]


def ignore_lines(files: Files, theirs: Files, name: str, position: int) -> Kept:
    path = ".dockerignore" if position % 3 == 0 and ".dockerignore" in files else ".gitignore"
    files[path] = files[path].rstrip("\n") + f"\n\n# {name}\n/{name}-cache/\n"
    return [(path, f"/{name}-cache/")]


def config_value(files: Files, theirs: Files, name: str, position: int) -> Kept:
    """A value in config/pipeline.yaml the template leaves alone in the next level."""
    path = "config/pipeline.yaml"
    if path not in files:
        return []
    lines = files[path].splitlines(keepends=True)
    other = theirs.get(path, "").splitlines(keepends=True)
    candidates = [
        i for i, line in enumerate(lines)
        if re.match(r"^ +[a-z_]+: [0-9.]+\s*$", line) and line in other
    ]  # fmt: skip
    if not candidates:
        return []
    i = candidates[position % len(candidates)]
    key = lines[i].split(":")[0]
    lines[i] = f"{key}: {len(name) + 3}\n"
    files[path] = "".join(lines)
    return [(path, lines[i])]


def source_edit(files: Files, theirs: Files, name: str, position: int) -> Kept:
    """A new function in a module the template leaves alone in the next level."""
    modules = sorted(
        p for p in files
        if p.startswith("src/") and p.endswith(".py") and files[p] == theirs.get(p)
    )  # fmt: skip
    if not modules:
        return []
    path = modules[position % len(modules)]
    function = f'\n\ndef {name}_team():\n    """Ours."""\n    return "{name}"\n'
    files[path] = files[path].rstrip("\n") + "\n" + function
    return [(path, function.strip())]


EDITS = {
    "add_dependency": (add_dependency, word),
    "bump_dependency": (bump_dependency, word),
    "add_tool_section": (add_tool_section, word),
    "readme_text": (readme_text, sentence),
    "make_target": (make_target, word),
    "ignore_lines": (ignore_lines, word),
    "config_value": (config_value, word),
    "source_edit": (source_edit, word),
}

edit = st.sampled_from(sorted(EDITS)).flatmap(
    lambda kind: st.tuples(st.just(kind), EDITS[kind][1], st.integers(0, 1000))
)
edits = st.lists(edit, min_size=1, max_size=6, unique_by=lambda e: (e[0], e[1]))


def apply_edits(files: Files, theirs: Files, chosen: list) -> Kept:
    kept: Kept = []
    for kind, value, position in chosen:
        kept += EDITS[kind][0](files, theirs, value, position)
    return kept
