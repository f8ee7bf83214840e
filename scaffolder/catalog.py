"""Where templates come from: the built-in level layers shipped with the tool, their release
version and changelog, and the org overlays laid over them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scaffolder.errors import TemplateError

if TYPE_CHECKING:
    from scaffolder.overlay import Overlay
    from scaffolder.state import OverlaySource

_LAYER_RE = re.compile(r"^level(\d+)$")
BUILTIN = "mlops-scaffold"  # the name of the built-in templates in reports and release notes


def builtin_templates_dir() -> Path:
    """The templates folder: inside the installed wheel, or at the top of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "templates", package_dir.parent / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise TemplateError(f"no templates found beside {package_dir}; reinstall mlops-scaffold")


def layer_levels(root: Path) -> list[int]:
    """The levels a folder has a `levelN/` layer for, lowest first."""
    found = []
    if root.is_dir():
        for child in root.iterdir():
            match = _LAYER_RE.match(child.name)
            if match and child.is_dir():
                found.append(int(match.group(1)))
    return sorted(found)


@dataclass(frozen=True)
class Catalog:
    """Template sources: copier.yml plus one folder per level holding what that level adds,
    and the org overlays laid over them, in order."""

    root: Path
    version: str
    overlays: tuple[Overlay, ...] = field(default=())

    @property
    def questions_file(self) -> Path:
        return self.root / "copier.yml"

    @property
    def changelog(self) -> Path:
        return self.root / "CHANGELOG.md"

    def levels(self) -> list[int]:
        """The levels this catalog has a layer for, lowest first."""
        return layer_levels(self.root)

    def layers_up_to(self, level: int) -> list[Path]:
        """The layer folders whose union is the tree of `level`, lowest first."""
        available = self.levels()
        if level not in available or available != list(range(len(available))):
            have = ", ".join(str(n) for n in available) or "none"
            raise TemplateError(
                f"level {level} has no template in {self.root} (levels available: {have})"
            )
        return [self.root / f"level{n}" for n in range(level + 1)]

    def with_overlays(self, overlays: list[Overlay]) -> Catalog:
        seen: dict[str, str] = {}
        for overlay in overlays:
            if overlay.name in seen:
                raise TemplateError(
                    f"two overlays are named {overlay.name} ({seen[overlay.name]} and "
                    f"{overlay.source}); their files and migrations would clash, use one"
                )
            seen[overlay.name] = overlay.source
        return Catalog(root=self.root, version=self.version, overlays=tuple(overlays))

    def describe(self) -> str:
        """`template 1.0.0` plus `, overlay acme 2` for each overlay (commit messages)."""
        return f"template {self.version}" + "".join(
            f", overlay {o.name} {o.version}" for o in self.overlays
        )

    def overlay_records(self) -> list[OverlaySource]:
        return [o.record() for o in self.overlays]

    def check_level(self, level: int) -> None:
        """Refuse a level an overlay does not support, before anything renders."""
        for overlay in self.overlays:
            overlay.check_level(level)

    def question_names(self) -> list[str]:
        """Every question an answer may be given for: built-in ones, then the overlays'."""
        from scaffolder.answers import Answers

        names = list(Answers.model_fields)
        for overlay in self.overlays:
            names += [n for n in overlay.manifest.questions if n not in names]
        return names

    def check_known(self, given: dict[str, object]) -> None:
        """Refuse an answer to a question no source asks (a typo, or a missing --overlay)."""
        from scaffolder.errors import InvalidAnswerError

        known = self.question_names()
        for key in given:
            if key not in known:
                raise InvalidAnswerError(
                    f"--data key {key!r} is not a question; known keys: {', '.join(known)}"
                )

    def fingerprint(self) -> str:
        """What a render depends on besides the answers: every source's exact content."""
        import hashlib

        digest = hashlib.sha256()
        for root in [self.root, *(o.root for o in self.overlays)]:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                if "__pycache__" in path.parts:
                    continue
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes())
            digest.update(b"\1")
        return digest.hexdigest()


def builtin_version(root: Path) -> str:
    """The built-in templates' own release (templates/VERSION), apart from the tool's version."""
    path = root / "VERSION"
    try:
        version = path.read_text(encoding="utf-8").strip()
    except OSError:
        version = ""
    if not version:
        raise TemplateError(f"{path} is missing or empty; reinstall mlops-scaffold")
    return version


def builtin_catalog() -> Catalog:
    root = builtin_templates_dir()
    return Catalog(root=root, version=builtin_version(root))
