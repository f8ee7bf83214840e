"""Answers + level + layers -> a pristine project tree in a directory.

The built-in templates alone render straight with Jinja (`scaffolder.render_direct`: copier's
rules for the copier features they use, the same tree, without copier's import and per-file
bookkeeping); with an overlay, or at a prompt, copier renders, in a bounded child for overlays.
"""

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
    # PyYAML, as copier reads the file (its C loader when built: a tenth of a second less
    # than a pure-Python parse on every render).
    import yaml
    from yaml import YAMLError

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
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
    """Lay layers 0..level, then each overlay's layers 0..level, into one copier template
    folder; return its root."""
    _check_questions_file(catalog.questions_file)
    layers = catalog.layers_up_to(level)
    catalog.check_level(level)
    _stage_questions(catalog, staging / "copier.yml")
    tree = staging / _TREE
    tree.mkdir()
    for layer in layers:
        shutil.copytree(layer, tree, dirs_exist_ok=True)
    for overlay in catalog.overlays:
        for n in range(level + 1):
            layer = overlay.layer(n)
            if layer is not None:
                _lay_over(layer, tree)
    return staging


def _lay_over(layer: Path, tree: Path) -> None:
    """Copy `layer` onto `tree`; a file replaces the built-in one it renders to (`X` or
    `X.jinja`), so the two never both render."""
    for path in sorted(layer.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(layer)
        target = tree / relative
        twin = (
            target.with_name(target.name.removesuffix(".jinja"))
            if target.name.endswith(".jinja")
            else target.with_name(target.name + ".jinja")
        )
        if twin.is_file():
            twin.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def questions_file_with_overlays(catalog: Catalog, folder: Path) -> Path:
    """The copier.yml a render uses (built-in questions, the overlays' questions and default
    answers), written into `folder`: what an interactive `new` asks."""
    _check_questions_file(catalog.questions_file)
    path = folder / "copier.yml"
    _stage_questions(catalog, path)
    return path


def _stage_questions(catalog: Catalog, dest: Path) -> None:
    """copier.yml with the overlays' default answers and questions added, in order, and the
    sources' releases as values the templates can show (catalog-info.yaml)."""
    import json

    releases = (
        "\n# The sources' releases, written by mlops-scaffold (never asked, never recorded).\n"
        f"template_release:\n  type: str\n  when: false\n  default: {json.dumps(catalog.version)}\n"
        "overlay_releases:\n  type: str\n  when: false\n  default: "
        + json.dumps(", ".join(f"{o.name} {o.version}" for o in catalog.overlays))
        + "\n"
    )
    if not catalog.overlays:
        text = catalog.questions_file.read_text(encoding="utf-8")
        dest.write_text(text.rstrip("\n") + "\n" + releases, encoding="utf-8")
        return
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    data = yaml.load(catalog.questions_file.read_text(encoding="utf-8"))
    for overlay in catalog.overlays:
        for name, value in overlay.manifest.defaults.items():
            data[name]["default"] = value
        for name, spec in overlay.manifest.questions.items():
            data[name] = dict(spec)
    with dest.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
        handle.write(releases)


# Set by `fleet` (enable_cache): renders are kept here by (sources, releases, answers, level),
# so a hundred repositories with the same answers render once.
_cache_dir: Path | None = None
_fingerprints: dict[tuple, str] = {}


def enable_cache(folder: Path | None) -> None:
    global _cache_dir
    _cache_dir = folder


def _cache_key(catalog: Catalog, given: dict[str, object]) -> str:
    import hashlib
    import json

    sources = (catalog.root, catalog.version, *((o.root, o.commit) for o in catalog.overlays))
    if sources not in _fingerprints:
        _fingerprints[sources] = catalog.fingerprint()
    payload = json.dumps([_fingerprints[sources], sorted(given.items())], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


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
    if _cache_dir is None or interactive:
        return _render(catalog, given, dest, interactive=interactive)
    import fcntl
    import json

    entry = _cache_dir / _cache_key(catalog, given)
    _cache_dir.mkdir(parents=True, exist_ok=True)
    with (_cache_dir / f"{entry.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers wait for the first render
        if not (entry / "answers.json").is_file():
            tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=_cache_dir))
            answers = _render(catalog, given, tmp / "tree", interactive=False)
            (tmp / "answers.json").write_text(answers.model_dump_json(), encoding="utf-8")
            tmp.rename(entry)
    shutil.copytree(entry / "tree", dest, symlinks=True, dirs_exist_ok=True)
    return Answers.model_validate(json.loads((entry / "answers.json").read_text("utf-8")))


def _render(
    catalog: Catalog,
    given: dict[str, object],
    dest: Path,
    *,
    interactive: bool = False,
) -> Answers:
    if catalog.overlays:  # not our templates: in a child with memory, CPU and time limits
        from scaffolder.render_limits import bounded

        what = "the project" + _overlay_note(catalog)
        return bounded(_render_here, catalog, given, dest, interactive=interactive, what=what)
    if not interactive:
        from scaffolder.render_direct import Unsupported

        try:
            return _render_direct(catalog, given, dest)
        except Unsupported:  # a built-in template grew a copier feature: copier renders it
            shutil.rmtree(dest, ignore_errors=True)
    return _render_here(catalog, given, dest, interactive=interactive)


def _render_direct(catalog: Catalog, given: dict[str, object], dest: Path) -> Answers:
    """The built-in templates without copier (`scaffolder.render_direct`: the same tree)."""
    import jinja2

    from scaffolder import jinja_cache
    from scaffolder import render_direct as direct

    given = check_given(given)
    level = int(given.get("level", 0))  # type: ignore[call-overload]
    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-template-") as tmp:
        source = stage_template(catalog, level, Path(tmp))
        config = direct.load_config(source / "copier.yml")
        env = direct.environment(source, list(config.get("_jinja_extensions", [])))
        jinja_cache.install(env)
        try:
            user, hidden = direct.answers(config, dict(given), env)
            direct.render_tree(source, config, env, {**given, **user}, dest)
        except jinja2.TemplateError as exc:
            where = _failing_template(exc, source) or "(a file name or copier.yml)"
            raise TemplateError(f"template {where} does not render: {exc.message}") from exc
        except ValueError as exc:  # an answer copier's rules refuse, e.g. an invalid choice
            raise InvalidAnswerError(str(exc).splitlines()[0]) from exc
        except OSError as exc:
            raise _write_failed(exc, dest) from exc
    return _rendered_answers(dest, given, user, hidden)


def _render_here(
    catalog: Catalog,
    given: dict[str, object],
    dest: Path,
    *,
    interactive: bool = False,
) -> Answers:
    import copier
    import jinja2
    from copier._main import Worker

    from scaffolder.render_limits import LimitExceeded, memory_note

    given = check_given(given)  # callers check too; no answer reaches a template unchecked
    level = int(given.get("level", 0))  # type: ignore[call-overload]
    with tempfile.TemporaryDirectory(prefix="mlops-scaffold-template-") as tmp:
        source = stage_template(catalog, level, Path(tmp))
        try:
            # copier's Worker (what run_copy wraps) so _speed_up can reach it before it runs.
            with Worker(
                src_path=str(source),
                dst_path=dest,
                data=dict(given),
                defaults=not interactive,
                quiet=True,
                unsafe=True,  # only our own extension: see _check_questions_file
                overwrite=True,
            ) as worker:
                _speed_up(worker, cache=not catalog.overlays)
                worker.run_copy()
        except copier.errors.CopierAnswersInterrupt:
            raise KeyboardInterrupt from None  # Ctrl-C at a prompt; its repr is copier's internals
        except ValidationError as exc:  # copier's own models (a question's spec)
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise TemplateError(
                f"copier.yml{_overlay_note(catalog)}: a question's field '{field}' is invalid: "
                f"{first['msg']}"
            ) from None
        except ValueError as exc:  # copier's answer validation, e.g. an invalid choice
            raise InvalidAnswerError(str(exc).splitlines()[0]) from exc
        except jinja2.TemplateError as exc:
            where = _failing_template(exc, source) or "(a file name or copier.yml)"
            raise TemplateError(
                f"template {where}{_overlay_note(catalog)} does not render: {exc.message}"
            ) from exc
        except (OverflowError, RecursionError, MemoryError, LimitExceeded) as exc:  # a bomb
            where = _failing_template(exc, source) or "(a file name or copier.yml)"
            what = {"RecursionError": "it recurses too deeply", "MemoryError": memory_note()}
            raise TemplateError(
                f"template {where}{_overlay_note(catalog)} does not render: "
                f"{what.get(type(exc).__name__, str(exc))}; templates must be bounded"
            ) from None
        except copier.errors.CopierError as exc:
            raise TemplateError(
                f"template does not render{_overlay_note(catalog)}: {str(exc).splitlines()[0]}"
            ) from exc
        except OSError as exc:
            raise _write_failed(exc, dest) from exc

    return _rendered_answers(dest, given, worker.answers.user, worker.answers.hidden)


def _write_failed(exc: OSError, dest: Path) -> TemplateError:
    where = exc.filename or dest  # a failed write() names no file: name the folder
    return TemplateError(
        f"rendering failed writing {where}: {exc.strerror or exc}; free space or fix "
        "permissions there and try again"
    )


def _rendered_answers(dest: Path, given, user: dict, hidden: set) -> Answers:
    """Check the rendered tree; the answers it was made from."""
    dest.mkdir(parents=True, exist_ok=True)  # copier makes no folder for an empty tree
    _check_inside(dest)
    _check_size(dest)
    # A question skipped at this level (orchestrator, ci at level 0) is recorded only when it
    # was answered anyway (a flag, or the state file): a later level then needs not ask it.
    skipped = set(hidden) - {k for k, v in given.items() if v is not None}
    answered = {k: v for k, v in user.items() if k not in skipped}
    try:
        return Answers.model_validate(answered)
    except ValidationError as exc:  # an answer typed at a prompt that copier let through
        first = exc.errors()[0]
        raise InvalidAnswerError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _speed_up(worker, *, cache: bool) -> None:
    """What copier does per file that a render into a fresh folder does not need.

    - copier runs `git config` (and `git ls-files`) for every file it writes, to carry an
      executable bit into the index of a repository the destination is tracked in; ours is a
      new temporary folder whose files no index tracks, so each call is a wasted process. It
      also asks git whether the template is a repository or a bundle; it is a staged folder.
    - with `cache` (the built-in templates only, which never read copier's `_copier_conf`):
      compiled templates are kept between runs (`scaffolder.jinja_cache`), Jinja's compiler
      being most of a render's time; and copier's render context, which it rebuilds for every
      file and path part although the answers are final once files render, is built once.
    """
    worker._sync_git_index_executable_bit = lambda *args, **kwargs: None
    # The template is a folder we staged: never a git repository or bundle, which copier finds
    # out with three git processes (rev-parse, and an init + bundle verify in a scratch repo).
    vars(worker.template).update(vcs=None, url_expanded=worker.template.url)
    if not cache:
        return
    from scaffolder import jinja_cache

    jinja_cache.install(worker.jinja_env)
    render_template = worker._render_template

    def render_template_with_one_context() -> None:
        context = worker._render_context()
        worker._render_context = lambda: context
        try:
            render_template()
        finally:
            del worker._render_context

    worker._render_template = render_template_with_one_context


def _failing_template(exc: BaseException, source: Path) -> str | None:
    """The template file (relative to the template tree) an error came from: Jinja names it,
    or its frame does in the traceback."""
    tree = f"{source}/{_TREE}/"
    named = getattr(exc, "filename", None) or getattr(exc, "name", None)
    if named and str(named).startswith(tree):
        return str(named)[len(tree) :]
    found = question = path = None
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        filename = frame.f_code.co_filename
        if filename.startswith(tree):
            found = filename[len(tree) :]
        owner = frame.f_locals.get("self")
        if frame.f_code.co_name == "render_value" and hasattr(owner, "var_name"):
            question = owner.var_name  # copier rendering a question's default or validator
        if frame.f_code.co_name == "_render_path" and "relpath" in frame.f_locals:
            path = str(frame.f_locals["relpath"])  # copier rendering a file or folder name
        tb = tb.tb_next
    if found:
        return found
    if question:
        return f"copier.yml question {question!r}"
    if path:
        return f"the name of {path}"
    return str(named) if named else None


MAX_FILE_BYTES = 8 * 1024 * 1024  # a rendered file; a project's are kilobytes
MAX_TREE_BYTES = 64 * 1024 * 1024
MAX_TREE_FILES = 5000


def _check_size(dest: Path) -> None:
    """A render is bounded: an overlay must not fill a disk through the tool."""
    total = count = 0
    for path in dest.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        count += 1
        if size > MAX_FILE_BYTES:
            raise TemplateError(
                f"template renders {path.relative_to(dest)} of over {MAX_FILE_BYTES >> 20} MiB; "
                "templates must render files of a sane size"
            )
        if total > MAX_TREE_BYTES or count > MAX_TREE_FILES:
            raise TemplateError(
                f"template renders over {MAX_TREE_BYTES >> 20} MiB or {MAX_TREE_FILES} files; "
                "templates must render a project of a sane size"
            )


def _overlay_note(catalog: Catalog) -> str:
    if not catalog.overlays:
        return ""
    return " (with overlay " + ", ".join(f"{o.name} {o.version}" for o in catalog.overlays) + ")"


def _check_inside(dest: Path) -> None:
    """A rendered name must not lead out of the project (`{{ '..' }}` in a file name)."""
    root = dest.resolve()
    for path in dest.rglob("*"):
        if path.is_symlink() or not path.resolve().is_relative_to(root):
            raise TemplateError(f"template renders {path.name} outside the project; fix its name")
