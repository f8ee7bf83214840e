"""Answers + level + layers -> a pristine project tree in a directory, rendered by copier."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from scaffolder.answers import Answers
from scaffolder.catalog import Catalog
from scaffolder.errors import InvalidAnswerError, TemplateError

_TREE = "tree"  # must match `_subdirectory` in templates/copier.yml


def stage_template(catalog: Catalog, level: int, staging: Path) -> Path:
    """Lay layers 0..level into one copier template folder; return its root."""
    shutil.copy2(catalog.questions_file, staging / "copier.yml")
    tree = staging / _TREE
    tree.mkdir()
    for layer in catalog.layers_up_to(level):
        shutil.copytree(layer, tree, dirs_exist_ok=True)
    return staging


def render(
    catalog: Catalog,
    given: dict[str, object],
    dest: Path,
    *,
    interactive: bool = False,
) -> Answers:
    """Render the level in `given` into `dest` (which must not hold files yet).

    Missing answers take their defaults, or are asked for when `interactive`. Returns the
    answers the tree was made from; questions skipped at this level are left out.
    """
    import copier
    import jinja2

    level = int(given.get("level", 0))  # type: ignore[call-overload]
    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-template-") as tmp:
        source = stage_template(catalog, level, Path(tmp))
        try:
            worker = copier.run_copy(
                str(source),
                dest,
                data=dict(given),
                defaults=not interactive,
                quiet=True,
                unsafe=False,
                overwrite=True,
            )
        except ValueError as exc:  # copier's answer validation, e.g. an invalid choice
            raise InvalidAnswerError(str(exc).splitlines()[0]) from exc
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "a template"
            raise TemplateError(f"template {where} does not render: {exc.message}") from exc
        except copier.errors.CopierError as exc:
            raise TemplateError(f"template does not render: {exc}") from exc
        except OSError as exc:
            raise TemplateError(f"rendering failed writing {exc.filename}: {exc.strerror}") from exc

    dest.mkdir(parents=True, exist_ok=True)  # copier makes no folder for an empty tree
    skipped = set(worker.answers.hidden)
    answered = {k: v for k, v in worker.answers.user.items() if k not in skipped}
    return Answers.model_validate(answered)
