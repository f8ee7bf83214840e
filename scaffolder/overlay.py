"""Org overlays: a folder or git repository with `mlops-scaffold-overlay.yml` and `levelN/`
layers whose files add to or replace the built-in ones, plus questions, default answers for
the built-in questions, and optional migrations.

A SOURCE is a folder (used as it is) or a git repository: a URL git can clone (`https://`,
`ssh://`, `git@host:path`, `file://`), or any of these or a local path with `@REF` (a tag,
branch or commit). Without a ref a repository is used at its newest release tag (`v2`,
`1.4.0`), or its default branch when it has none.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scaffolder.overlay_checks import check_plain_files, guard, guarded
from scaffolder.overlay_fetch import (  # noqa: F401 - re-exported: callers import them here
    OverlayError,
    _checkout,
    _fetched,
    cache_dir,
    fetch,
    forget_fetches,
    newest_release,
    pinned_tag,
    release_tags,
)

MANIFEST = "mlops-scaffold-overlay.yml"
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_REF_RE = re.compile(r"^[A-Za-z0-9._-]+$")
_URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://|[^/@:\s]+@[^/:\s]+:)")
_QUESTION_KEYS = {"type", "help", "default", "choices", "validator", "when", "secret",
                  "placeholder", "multiline"}  # fmt: skip
Scalar = str | int | float | bool | None
_TYPES = ("str", "int", "float", "bool", "json", "yaml")
# What copier accepts in each field, checked here so a mistake names the overlay, the
# question and the field (copier's own check says "1 validation error for Question").
_QUESTION_FIELDS = (
    ("type", lambda v: v in _TYPES, "one of " + ", ".join(_TYPES)),
    ("help", lambda v: isinstance(v, str), "text"),
    ("choices", lambda v: isinstance(v, (list, dict)), "a list or a mapping"),
    ("validator", lambda v: isinstance(v, str), "a Jinja expression (text)"),
    ("when", lambda v: isinstance(v, (bool, str)), "true, false or a Jinja expression"),
    ("secret", lambda v: isinstance(v, bool), "true or false"),
    ("multiline", lambda v: isinstance(v, (bool, str)), "true, false or a Jinja expression"),
    ("placeholder", lambda v: isinstance(v, str), "text"),
)


class OverlayManifest(BaseModel):
    """`mlops-scaffold-overlay.yml`."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    description: str = ""
    # The mlops-scaffold versions the overlay is made for, e.g. ">=0.1, <1".
    tool_versions: str = ">=0"
    # The project levels the overlay supports (default: every level it may layer over).
    levels: list[int] | None = None
    # Extra questions, in copier's format (type, help, default, choices, validator, when).
    questions: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Default answers for the built-in questions (e.g. ci_runner, container_registry).
    defaults: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError("use lowercase letters, digits and '-', starting with a letter")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> str:
        return str(value)

    @field_validator("tool_versions")
    @classmethod
    def _spec(cls, value: str) -> str:
        from scaffolder.releases import valid_spec

        if not valid_spec(value):
            raise ValueError("write comparisons such as '>=0.1, <1'")
        return value

    @field_validator("questions")
    @classmethod
    def _questions(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, spec in value.items():
            # A leading `_` would make it a copier setting (`_tasks`, `_external_data`).
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                raise ValueError(
                    f"question name {name!r} is not a lowercase identifier starting with a letter"
                )
            if not isinstance(spec, dict):
                raise ValueError(f"question {name!r} is not a mapping of type, help, default...")
            unknown = set(spec) - _QUESTION_KEYS
            if unknown:
                raise ValueError(f"question {name!r} has unknown keys {sorted(unknown)}")
            for field, check, want in _QUESTION_FIELDS:
                if field in spec and not check(spec[field]):
                    raise ValueError(f"question {name!r} field {field!r} must be {want}")
        return value


@dataclass(frozen=True)
class Overlay:
    """An overlay ready to render: its files in `root` and where they came from."""

    manifest: OverlayManifest
    root: Path
    source: str
    ref: str | None = None
    commit: str | None = None

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def changelog(self) -> Path:
        return self.root / "CHANGELOG.md"

    def layer(self, level: int) -> Path | None:
        path = self.root / f"level{level}"
        return path if path.is_dir() else None

    def check_level(self, level: int) -> None:
        supported = self.manifest.levels
        if supported is not None and level not in supported:
            have = ", ".join(map(str, supported)) or "none"
            raise OverlayError(
                f"overlay {self.name} {self.version} does not support level {level} "
                f"(it supports {have}); choose another level or overlay release"
            )

    def record(self):
        from scaffolder.state import OverlaySource

        return OverlaySource(
            name=self.name, source=self.source, version=self.version, ref=self.ref,
            commit=self.commit,
        )  # fmt: skip

    def migrations(self):
        """The overlay's migrations (`migrations/*.py`, each defining MIGRATION), ids prefixed
        with the overlay's name so they never clash with the built-in ones."""
        import dataclasses
        import importlib.util

        from scaffolder import trust

        policy = trust.current()
        if policy is not None and not policy.run_code:
            return []  # a read-only fleet run: no overlay code at all
        if policy is not None:
            entry = policy.allowed(self.record())
            if self.commit != entry.commit:
                raise trust.NotAllowedError(
                    f"overlay {self.name} is at commit {self.commit or '(a folder)'}, not the "
                    f"commit {entry.commit[:12]} {policy.config} pins; its migrations do not run"
                )
        found = []
        for path in self.migration_files():
            digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
            spec = importlib.util.spec_from_file_location(f"_overlay_{digest}", path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            where = f"overlay {self.name} migration {path.name}"
            with guard(where, "does not load"):
                spec.loader.exec_module(module)
                migration = module.MIGRATION
            found.append(dataclasses.replace(
                migration, id=f"{self.name}:{migration.id}",
                is_applied=guarded(migration.is_applied, where, "failed checking the project"),
                apply=guarded(migration.apply, where, "failed"),
                paths=guarded(migration.paths, where, "failed naming its files"),
            ))  # fmt: skip
        return sorted(found, key=lambda m: m.id)

    def migration_files(self) -> list[Path]:
        """The overlay's migration modules, by name only (nothing is run)."""
        folder = self.root / "migrations"
        if not folder.is_dir():
            return []
        return [p for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")]


def parse_spec(spec: str) -> tuple[str, str | None, bool]:
    """SOURCE[@REF] -> (source, ref, is a git repository)."""
    source, ref = spec, None
    head, sep, tail = spec.rpartition("@")
    if sep and head and _REF_RE.match(tail) and not head.endswith(":"):
        source, ref = head, tail
    is_git = ref is not None or bool(_URL_RE.match(source)) or source.endswith(".git")
    if not is_git or not _URL_RE.match(source):
        source = str(Path(source).expanduser().resolve())
    return source, ref, is_git


def load_folder(root: Path, source: str, ref: str | None = None, commit: str | None = None):
    """Read and check an overlay's manifest and layers; one clear line on any fault."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from scaffolder import __version__
    from scaffolder.catalog import builtin_catalog, layer_levels
    from scaffolder.releases import supports

    where = f"{source}@{ref}" if ref else source
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise OverlayError(f"overlay {where} has no {MANIFEST} at its top; is it an overlay?")
    check_plain_files(root, where)
    from scaffolder.safe_read import UnsafeFileError, read_bytes

    try:
        text = read_bytes(manifest_path, root=root, what=f"overlay {where}:").decode("utf-8")
        raw = YAML(typ="safe", pure=True).load(text)
        manifest = OverlayManifest.model_validate(raw if raw is not None else {})
    except UnsafeFileError as exc:
        raise OverlayError(str(exc)) from None
    except (YAMLError, UnicodeDecodeError) as exc:
        raise OverlayError(f"overlay {where}: {MANIFEST} is not valid YAML") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise OverlayError(f"overlay {where}: {MANIFEST} field '{field}': {first['msg']}") from exc
    name = manifest.name
    if not supports(manifest.tool_versions, __version__):
        raise OverlayError(
            f"overlay {name} {manifest.version} supports mlops-scaffold {manifest.tool_versions}, "
            f"not {__version__}; use a release of the overlay made for this version"
        )
    builtin = builtin_catalog()
    levels = builtin.levels()
    for level in layer_levels(root) + (manifest.levels or []):
        if level not in levels:
            raise OverlayError(
                f"overlay {name} has level {level}, which mlops-scaffold does not have "
                f"(levels {', '.join(map(str, levels))})"
            )
    from scaffolder.answers import Answers

    builtin_questions = set(Answers.model_fields) | _builtin_question_names(builtin)
    clash = sorted(set(manifest.questions) & builtin_questions)
    if clash:
        raise OverlayError(
            f"overlay {name} asks {clash[0]!r}, a built-in question; set its default under "
            "`defaults:` instead"
        )
    unknown = sorted(set(manifest.defaults) - builtin_questions)
    if unknown:
        raise OverlayError(
            f"overlay {name} sets a default for {unknown[0]!r}, which is not a built-in question"
        )
    return Overlay(manifest=manifest, root=root, source=source, ref=ref, commit=commit)


def _builtin_question_names(catalog) -> set[str]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(catalog.questions_file.read_text(encoding="utf-8"))
    return {k for k in data if not k.startswith("_")}


def resolve(spec: str, ref: str | None = None, *, git: bool = False) -> Overlay:
    """The overlay SOURCE[@REF] names, fetched and checked (`ref` overrides an @REF; `git`:
    a recorded source known to be a repository, even a local path with no @REF)."""
    from scaffolder import gitops

    source, spec_ref, is_git = parse_spec(spec)
    is_git = is_git or git
    ref = ref or spec_ref
    if spec.startswith("-") or (ref or "").startswith("-"):
        raise OverlayError(f"overlay {spec!r}: a source or ref never starts with '-'")
    if not is_git:
        root = Path(source)
        if not root.is_dir():
            raise OverlayError(f"overlay {spec} is not a folder or a git repository URL")
        if ref is not None:
            raise OverlayError(f"overlay {spec} is a folder, so it has no ref {ref!r}")
        return load_folder(root, source)
    mirror = fetch(source)
    wanted = ref or newest_release(source) or "HEAD"
    commit = gitops.rev_parse(mirror, wanted)
    if commit is None and source in _fetched:  # fetched earlier in this process: once more
        _fetched.discard(source)
        mirror = fetch(source)
        commit = gitops.rev_parse(mirror, wanted)
    if commit is None:
        raise OverlayError(f"overlay {source} has no tag, branch or commit {wanted!r}")
    return load_folder(_checkout(mirror, commit), source, ref=None if wanted == "HEAD" else wanted,
                       commit=commit)  # fmt: skip


def resolve_recorded(record, *, newest: bool, ref: str | None = None) -> Overlay:
    """A recorded overlay again: at `ref`, at its newest release (`newest`), or as recorded.

    In a fleet run only an allowed source is used, at the commit the platform pins."""
    from scaffolder import trust

    policy = trust.current()
    if policy is not None:
        entry = policy.allowed(record)
        overlay = resolve(entry.source, entry.commit, git=True)
        return Overlay(overlay.manifest, overlay.root, overlay.source,
                       pinned_tag(entry.source, entry.commit), overlay.commit)  # fmt: skip
    if record.commit is None:  # a folder: used as it is now
        return resolve(record.source, ref)
    if ref is None and not newest:
        ref = record.commit
    # A recorded commit means a repository, even at a local path: never its work tree.
    overlay = resolve(record.source, ref, git=True)
    if not newest and ref == record.commit and record.ref:
        overlay = Overlay(overlay.manifest, overlay.root, overlay.source, record.ref,
                          overlay.commit)  # fmt: skip
    return overlay
