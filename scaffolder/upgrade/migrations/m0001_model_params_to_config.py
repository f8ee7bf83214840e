"""Level 0 -> 1: the hyperparameters a team tuned in model.py become the pipeline's config.

At level 0 the estimator and its hyperparameters are the DEFAULT_MODEL_TYPE and DEFAULT_PARAMS
constants of `src/<pkg>/model.py`. At level 1 the pipeline reads them from
`config/pipeline.yaml` (`model.type`, `model.params`), which would silently override the
team's tuning with the template's values; this migration carries the tuned values over.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from scaffolder.state import ProjectState
from scaffolder.upgrade.migrations import Migration, yaml_files

CONFIG = Path("config/pipeline.yaml")


def _model_defaults(tree: Path, state: ProjectState) -> tuple[str, dict[str, Any]] | None:
    """(model type, its params) from the constants in model.py, or None if not literal."""
    path = tree / "src" / state.answers.package_name / "model.py"
    if not path.is_file():
        return None
    try:
        module = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return None
    values: dict[str, Any] = {}
    for node in module.body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id in ("DEFAULT_MODEL_TYPE", "DEFAULT_PARAMS"):
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    model_type = values.get("DEFAULT_MODEL_TYPE")
    params = values.get("DEFAULT_PARAMS", {})
    if not isinstance(model_type, str) or not isinstance(params, dict):
        return None
    chosen = params.get(model_type, {})
    return (model_type, dict(chosen)) if isinstance(chosen, dict) else None


def _config_model(tree: Path) -> dict[str, Any] | None:
    data = yaml_files.load(tree / CONFIG)
    model = data.get("model") if isinstance(data, dict) else None
    return model if isinstance(model, dict) else None


def is_applied(tree: Path, state: ProjectState) -> bool:
    defaults = _model_defaults(tree, state)
    model = _config_model(tree)
    if defaults is None or model is None:
        return True  # nothing we can carry over safely
    model_type, params = defaults
    return model.get("type") == model_type and dict(model.get("params") or {}) == params


def apply(tree: Path, state: ProjectState) -> None:
    defaults = _model_defaults(tree, state)
    if defaults is None:
        return
    data = yaml_files.load(tree / CONFIG)
    if not isinstance(data, dict) or not isinstance(data.get("model"), dict):
        return
    model_type, params = defaults
    data["model"]["type"] = model_type
    current = data["model"].get("params")
    if current is None or not hasattr(current, "clear"):
        data["model"]["params"] = dict(params)
    else:
        for key in [k for k in current if k not in params]:
            del current[key]
        for key, value in params.items():
            current[key] = value
    yaml_files.dump(tree / CONFIG, data)


def paths(state: ProjectState) -> list[str]:
    return [f"src/{state.answers.package_name}/model.py", str(CONFIG)]


MIGRATION = Migration(
    example_only=True,
    id="0001-model-params-to-config",
    from_level=0,
    stage="post",
    summary="carry the hyperparameters tuned in src/<pkg>/model.py into config/pipeline.yaml",
    paths=paths,
    is_applied=is_applied,
    apply=apply,
)
