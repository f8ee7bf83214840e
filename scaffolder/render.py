"""Answers + level + layers -> a pristine project tree in a directory, rendered by copier."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pydantic import ValidationError

from scaffolder.answers import Answers, check_given
from scaffolder.catalog import Catalog
from scaffolder.errors import InvalidAnswerError, TemplateError

_TREE = "tree"  # must match `_subdirectory` in templates/copier.yml


# copier calls these "unsafe": code run at render time. Our copier.yml loads only our own
# Jinja extension (the escaping filters), so render allows that and refuses the others.
_UNSAFE_KEYS = ("_tasks", "_migrations")
_EXTENSIONS = ["scaffolder.jinja_filters.AnswerFilters"]


def _check_questions_file(path: Path) -> None:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        config = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise TemplateError(f"{path} cannot be read as YAML: {exc}") from exc
    if not isinstance(config, dict):
        raise TemplateError(f"{path} does not hold a mapping of questions")
    unsafe = [key for key in _UNSAFE_KEYS if key in config]
    extensions = config.get("_jinja_extensions", [])
    if unsafe or any(ext not in _EXTENSIONS for ext in extensions):
        raise TemplateError(
            f"{path} runs code at render time ({', '.join(unsafe) or '_jinja_extensions'}); "
            "mlops-scaffold renders only templates that do not"
        )


def stage_template(catalog: Catalog, level: int, staging: Path) -> Path:
    """Lay layers 0..level into one copier template folder; return its root."""
    _check_questions_file(catalog.questions_file)
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

    given = check_given(given)  # callers check too; no answer reaches a template unchecked
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
                unsafe=True,  # only our own extension: see _check_questions_file
                overwrite=True,
            )
        except copier.errors.CopierAnswersInterrupt:
            raise KeyboardInterrupt from None  # Ctrl-C at a prompt; its repr is copier's internals
        except ValueError as exc:  # copier's answer validation, e.g. an invalid choice
            raise InvalidAnswerError(str(exc).splitlines()[0]) from exc
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "a template"
            raise TemplateError(f"template {where} does not render: {exc.message}") from exc
        except copier.errors.CopierError as exc:
            raise TemplateError(f"template does not render: {str(exc).splitlines()[0]}") from exc
        except OSError as exc:
            where = exc.filename or dest  # a failed write() names no file: name the folder
            raise TemplateError(
                f"rendering failed writing {where}: {exc.strerror or exc}; free space or fix "
                "permissions there and try again"
            ) from exc

    dest.mkdir(parents=True, exist_ok=True)  # copier makes no folder for an empty tree
    # A question skipped at this level (orchestrator, ci at level 0) is recorded only when it
    # was answered anyway (a flag, or the state file): a later level then needs not ask it.
    skipped = set(worker.answers.hidden) - {k for k, v in given.items() if v is not None}
    answered = {k: v for k, v in worker.answers.user.items() if k not in skipped}
    try:
        return Answers.model_validate(answered)
    except ValidationError as exc:  # an answer typed at a prompt that copier let through
        first = exc.errors()[0]
        raise InvalidAnswerError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
