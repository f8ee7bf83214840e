"""The environment every worker of a project runs with, declared once: `config/worker_env.yaml`
(`$WORKER_ENV_CONFIG`), applied to every Kubeflow Pipelines component and to the Airflow workers.

A worker (a KFP component's pod, an Airflow worker or KubernetesExecutor pod) runs the same code
as a laptop and finds its endpoints through `mlops_runtime.settings`; on a cluster those come
from the environment. The declaration names them once:

```yaml
config_map: churn-worker-env          # plain settings, one key per variable (not secret)
variables:                            # variable: the value the ConfigMap holds
  MLFLOW_TRACKING_URI: http://mlflow.mlops.svc:5000
  PREDICTION_LOG_URI: s3://models/churn/predictions
secrets:                              # references only: a Secret's name and key, never a value
  - {env: MLOPS_STATE_URI, secret: churn-state, key: uri}
  - {env: GOVERNANCE_AUDIT_KEY, secret: churn-audit-key, key: key}
  - {env: MLFLOW_TRACKING_TOKEN, secret: churn-serving-mlflow, key: MLFLOW_TRACKING_TOKEN,
     optional: true}
```

- `apply_to_kfp_pipeline(env)`, called at the end of a `@dsl.pipeline` body, gives every
  component task of that pipeline the variables (`kfp.kubernetes.use_config_map_as_env`) and
  the Secrets (`use_secret_as_env`); the compiled pipeline carries them in its Kubernetes
  platform spec. `kfp.local` ignores that spec: local runs use the process's environment.
  `compile_and_check(pipeline_file, env, output)` compiles a project's pipeline module and
  checks that every component carries the declaration (`compiled_problems`).
- `airflow_helm_values(env)`: values for the official Airflow Helm chart (`secret` for the
  required Secrets, `extraEnv` for optional ones, `extraEnvFrom` for the ConfigMap), which the
  chart gives to the scheduler, the workers and the KubernetesExecutor pod template.
- `config_map_manifest(env)`: the ConfigMap itself.

`python -m mlops_runtime.worker_env render --out DIR` writes `configmap.yaml` and
`airflow-values.yaml` from the declaration (what `make worker-env` runs); `check --out DIR`
exits 1 when they differ from it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_VARIABLE = "WORKER_ENV_CONFIG"
DEFAULT_PATH = Path("config/worker_env.yaml")
CONFIG_MAP_FILE = "configmap.yaml"
AIRFLOW_VALUES_FILE = "airflow-values.yaml"

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
# A variable with one of these endings holds a credential: it belongs under `secrets`.
_SECRET_LIKE = ("KEY", "TOKEN", "PASSWORD", "SECRET", "CREDENTIALS")


class WorkerEnvError(ValueError):
    """The declaration cannot be used; the message says which entry and how to fix it."""


@dataclass(frozen=True)
class SecretEnv:
    """One variable taken from a key of a Kubernetes Secret."""

    env: str
    secret: str
    key: str
    optional: bool = False


@dataclass(frozen=True)
class WorkerEnv:
    """What every worker gets: `variables` from the ConfigMap `config_map`, and `secrets`."""

    config_map: str | None
    variables: dict[str, str]
    secrets: tuple[SecretEnv, ...]

    @property
    def names(self) -> list[str]:
        """Every variable a worker receives, in declaration order."""
        return [*self.variables, *(s.env for s in self.secrets)]


def worker_env_path(root: Path) -> Path:
    """The declaration: `$WORKER_ENV_CONFIG` (relative to `root` unless absolute), else
    `root/config/worker_env.yaml`."""
    chosen = Path(os.environ.get(ENV_VARIABLE) or DEFAULT_PATH)
    return chosen if chosen.is_absolute() else root / chosen


def _env_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _ENV_NAME.match(name):
        raise WorkerEnvError(f"{where}: {name!r} is not an environment variable name (A-Z, 0-9, _)")
    return name


def parse_worker_env(raw: Any, source: str = "worker env") -> WorkerEnv:
    """Check a parsed declaration and build it; WorkerEnvError names the first bad entry."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise WorkerEnvError(f"{source}: expected a mapping with config_map, variables, secrets")
    unknown = set(raw) - {"config_map", "variables", "secrets"}
    if unknown:
        raise WorkerEnvError(f"{source}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    variables_raw = raw.get("variables") or {}
    if not isinstance(variables_raw, dict):
        raise WorkerEnvError(f"{source}: variables must map each variable to its value")
    variables = {}
    for name, value in variables_raw.items():
        _env_name(name, f"{source}: variables")
        if name.endswith(_SECRET_LIKE):
            raise WorkerEnvError(
                f"{source}: {name} looks like a credential; move it under secrets "
                "(a Secret's name and key), not into the ConfigMap"
            )
        if isinstance(value, (dict, list)) or value is None:
            raise WorkerEnvError(f"{source}: variables.{name} must be a plain value")
        # A ConfigMap holds strings; YAML's true/false become the text a shell would see.
        variables[name] = str(value).lower() if isinstance(value, bool) else str(value)
    config_map = raw.get("config_map")
    if variables and not config_map:
        raise WorkerEnvError(f"{source}: variables need a config_map name to live in")
    if config_map is not None and (
        not isinstance(config_map, str) or not _K8S_NAME.match(config_map)
    ):
        raise WorkerEnvError(f"{source}: config_map {config_map!r} is not a Kubernetes name")
    secrets_raw = raw.get("secrets") or []
    if not isinstance(secrets_raw, list):
        raise WorkerEnvError(f"{source}: secrets must be a list of {{env, secret, key}}")
    secrets = []
    for index, entry in enumerate(secrets_raw):
        where = f"{source}: secrets[{index}]"
        if not isinstance(entry, dict) or set(entry) - {"env", "secret", "key", "optional"}:
            raise WorkerEnvError(f"{where} must have env, secret, key (and optional)")
        env = _env_name(entry.get("env"), where)
        secret, key = entry.get("secret"), entry.get("key")
        if not isinstance(secret, str) or not _K8S_NAME.match(secret):
            raise WorkerEnvError(f"{where}: secret {secret!r} is not a Kubernetes name")
        if not isinstance(key, str) or not _SECRET_KEY.match(key):
            raise WorkerEnvError(f"{where}: key {key!r} is not a Secret key")
        optional = entry.get("optional", False)
        if not isinstance(optional, bool):
            raise WorkerEnvError(f"{where}: optional must be true or false")
        if env in variables or any(s.env == env for s in secrets):
            raise WorkerEnvError(f"{where}: {env} is declared twice")
        secrets.append(SecretEnv(env, secret, key, optional))
    return WorkerEnv(config_map or None, variables, tuple(secrets))


def load_worker_env(path: str | Path) -> WorkerEnv:
    """Read and check the declaration at `path` (see `worker_env_path`)."""
    import yaml

    resolved = Path(path)
    if not resolved.is_file():
        raise WorkerEnvError(f"worker env declaration not found: {resolved} (set {ENV_VARIABLE})")
    try:
        raw = yaml.safe_load(resolved.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise WorkerEnvError(f"{resolved}:{line} is not valid YAML") from exc
    return parse_worker_env(raw, str(resolved))


def apply_to_kfp_task(task: Any, env: WorkerEnv) -> Any:
    """Give one KFP component task the declared variables and Secrets."""
    try:
        from kfp import kubernetes
    except ImportError as exc:  # kfp without its Kubernetes extension
        raise ImportError(
            "kfp-kubernetes is needed to give KFP components their environment: "
            'pip install ".[kubeflow]"'
        ) from exc
    if env.config_map and env.variables:
        kubernetes.use_config_map_as_env(task, env.config_map, {n: n for n in env.variables})
    for secret in env.secrets:
        kubernetes.use_secret_as_env(
            task, secret.secret, {secret.key: secret.env}, optional=secret.optional
        )
    return task


def apply_to_kfp_pipeline(env: WorkerEnv) -> list[str]:
    """Inside a `@dsl.pipeline` body, after its tasks: apply `env` to every component task of
    the pipeline being defined (a nested pipeline's tasks get it from its own body). Returns
    the names of the tasks it applied to."""
    from kfp.dsl import pipeline_context

    pipeline = pipeline_context.Pipeline.get_default_pipeline()
    if pipeline is None:
        raise RuntimeError("apply_to_kfp_pipeline is called inside a @dsl.pipeline body")
    applied = []
    for name, task in pipeline.tasks.items():
        if task.container_spec is None:  # a nested pipeline: its own body applied it
            continue
        apply_to_kfp_task(task, env)
        applied.append(name)
    return applied


def compiled_problems(documents: list[dict[str, Any]], env: WorkerEnv) -> tuple[int, list[str]]:
    """Check a compiled KFP pipeline (`[pipeline spec, platform spec]`, the documents `kfp`
    compiles to) against `env`: the number of its components and, per component, what it runs
    without (the ConfigMap's variables, each declared Secret; empty: every one carries `env`)."""
    pipeline, platform = documents[0], documents[1] if len(documents) > 1 else {}
    executors = pipeline["deploymentSpec"]["executors"]
    configured = platform.get("platforms", {}).get("kubernetes", {})
    configured = configured.get("deploymentSpec", {}).get("executors", {})
    wanted = {(s.env, s.secret, s.key, s.optional) for s in env.secrets}
    problems = []
    for name in executors:
        config = configured.get(name, {})
        from_map = {
            entry["envVar"]
            for source in config.get("configMapAsEnv", [])
            if source["configMapName"] == env.config_map
            for entry in source["keyToEnv"]
        }
        if from_map != set(env.variables if env.config_map else ()):
            problems.append(f"{name}: ConfigMap variables {sorted(from_map)}, declared "
                            f"{sorted(env.variables)}")  # fmt: skip
        from_secrets = {
            (entry["envVar"], source["secretName"], entry["secretKey"], source["optional"])
            for source in config.get("secretAsEnv", [])
            for entry in source["keyToEnv"]
        }
        if from_secrets != wanted:
            missing = sorted(s[0] for s in wanted - from_secrets)
            extra = sorted(s[0] for s in from_secrets - wanted)
            also = f", not declared {extra}" if extra else ""
            problems.append(
                f"{name}: Secrets differ from the declaration (missing {missing}{also})"
            )
    return len(executors), problems


def compile_and_check(
    pipeline_file: str | Path, env: WorkerEnv, output: str | Path
) -> tuple[int, list[str]]:
    """Compile the pipeline module `pipeline_file` (its `compile_pipeline(output)`) and check
    the result against `env` as `compiled_problems` does. The module and the modules beside it
    are imported afresh, before and after, so the pipeline reads the declaration as it is now
    (`$WORKER_ENV_CONFIG`), as `kfp` would when compiling it in a new process."""
    import importlib.util

    import yaml

    path = Path(pipeline_file).resolve()
    folder = str(path.parent)
    _forget_modules_in(path.parent)
    sys.path.insert(0, folder)
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.compile_pipeline(Path(output))
    finally:
        sys.path.remove(folder)
        _forget_modules_in(path.parent)
    documents = list(yaml.safe_load_all(Path(output).read_text(encoding="utf-8")))
    return compiled_problems(documents, env)


def _forget_modules_in(folder: Path) -> None:
    """Drop from `sys.modules` every module imported from a file directly in `folder`."""
    for name, module in list(sys.modules.items()):
        source = getattr(module, "__file__", None)
        if source and Path(source).resolve().parent == folder:
            sys.modules.pop(name, None)


def airflow_helm_values(env: WorkerEnv) -> dict[str, Any]:
    """Values for the official Airflow Helm chart giving its containers (scheduler, workers,
    triggerer, the KubernetesExecutor pod template) the declared environment."""
    import yaml

    values: dict[str, Any] = {}
    required = [s for s in env.secrets if not s.optional]
    optional = [s for s in env.secrets if s.optional]
    if required:
        values["secret"] = [
            {"envName": s.env, "secretName": s.secret, "secretKey": s.key} for s in required
        ]
    if optional:
        values["extraEnv"] = yaml.safe_dump(
            [
                {
                    "name": s.env,
                    "valueFrom": {
                        "secretKeyRef": {"name": s.secret, "key": s.key, "optional": True}
                    },
                }
                for s in optional
            ],
            sort_keys=False,
        )
    if env.config_map and env.variables:
        values["extraEnvFrom"] = yaml.safe_dump(
            [{"configMapRef": {"name": env.config_map}}], sort_keys=False
        )
    return values


def config_map_manifest(env: WorkerEnv) -> dict[str, Any] | None:
    """The ConfigMap holding the declared variables (None when there are none)."""
    if not (env.config_map and env.variables):
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": env.config_map},
        "data": dict(env.variables),
    }


_HEADER = (
    "# Written by `python -m mlops_runtime.worker_env render` (make worker-env) from {source}:\n"
    "# edit that file, not this one. {what}\n"
)


def rendered_files(env: WorkerEnv, source: str, airflow: bool = True) -> dict[str, str]:
    """File name -> text of what `render` writes (the Airflow values only with `airflow`)."""

    files = {}
    if airflow:
        files[AIRFLOW_VALUES_FILE] = _HEADER.format(
            source=source,
            what=f"Give it to the official Airflow chart: helm ... -f {AIRFLOW_VALUES_FILE}",
        ) + _dump(airflow_helm_values(env) or {})
    manifest = config_map_manifest(env)
    if manifest is not None:
        files[CONFIG_MAP_FILE] = _HEADER.format(
            source=source, what="Apply it where the workers run (KFP and Airflow namespaces)."
        ) + _dump(manifest)
    return files


def _dump(data: Any) -> str:
    """YAML with multi-line strings (the chart's YAML-in-a-string values) as `|` blocks."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, text)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False)


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    """`render` or `check` the files of `--out` against the declaration; the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m mlops_runtime.worker_env",
        description="Render or check the workers' environment from config/worker_env.yaml.",
    )
    parser.add_argument("command", choices=["render", "check"])
    parser.add_argument("--config", default=None, help=f"the declaration (${ENV_VARIABLE})")
    parser.add_argument("--out", default="k8s/workers", help="where the rendered files go")
    parser.add_argument(
        "--no-airflow", action="store_true", help="no Airflow Helm values (a KFP-only project)"
    )
    args = parser.parse_args(argv)
    root = root or Path.cwd()
    path = Path(args.config) if args.config else worker_env_path(root)
    try:
        env = load_worker_env(path)
    except WorkerEnvError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    try:
        source = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        source = path.as_posix()
    files = rendered_files(env, source, airflow=not args.no_airflow)
    import yaml

    if args.command == "render":
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
            print(f"wrote {out / name}")
        return 0
    stale = [
        n for n, text in files.items() if _parsed(out / n) != _normalised(yaml.safe_load(text))
    ]
    if stale:
        print(
            f"error: {', '.join(str(out / n) for n in stale)} differ from {source}; "
            "run `make worker-env`",
            file=sys.stderr,
        )
        return 1
    print(f"{out}: up to date with {source}")
    return 0


def _normalised(values: Any) -> Any:
    """Parsed YAML with the chart's YAML-in-a-string values parsed too, so formatting and
    comments never count as a difference."""
    import yaml

    if isinstance(values, dict):
        return {
            k: yaml.safe_load(v) if k in ("extraEnv", "extraEnvFrom") and isinstance(v, str)
            else v
            for k, v in values.items()
        }  # fmt: skip
    return values


def _parsed(path: Path) -> Any:
    """The YAML at `path`, normalised (a missing or broken file: a marker nothing equals)."""
    import yaml

    if not path.is_file():
        return _MISSING
    try:
        return _normalised(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError:
        return _MISSING


_MISSING = object()


if __name__ == "__main__":
    raise SystemExit(main())
