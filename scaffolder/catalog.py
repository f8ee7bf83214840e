"""Where templates come from: the built-in level layers shipped with the tool."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scaffolder import __version__
from scaffolder.errors import TemplateError

_LAYER_RE = re.compile(r"^level(\d+)$")


def builtin_templates_dir() -> Path:
    """The templates folder: inside the installed wheel, or at the top of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "templates", package_dir.parent / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise TemplateError(f"no templates found beside {package_dir}; reinstall mlops-scaffold")


@dataclass(frozen=True)
class Catalog:
    """A template source: copier.yml plus one folder per level holding what that level adds."""

    root: Path
    version: str

    @property
    def questions_file(self) -> Path:
        return self.root / "copier.yml"

    def levels(self) -> list[int]:
        """The levels this catalog has a layer for, lowest first."""
        found = []
        for child in self.root.iterdir():
            match = _LAYER_RE.match(child.name)
            if match and child.is_dir():
                found.append(int(match.group(1)))
        return sorted(found)

    def layers_up_to(self, level: int) -> list[Path]:
        """The layer folders whose union is the tree of `level`, lowest first."""
        available = self.levels()
        if level not in available or available != list(range(len(available))):
            have = ", ".join(str(n) for n in available) or "none"
            raise TemplateError(
                f"level {level} has no template in {self.root} (levels available: {have})"
            )
        return [self.root / f"level{n}" for n in range(level + 1)]


def builtin_catalog() -> Catalog:
    return Catalog(root=builtin_templates_dir(), version=__version__)
