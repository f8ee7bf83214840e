"""Which CI image builds may build the pipeline's image (pipelines.image-build).

A CI job counts unless every image it names is one the pipeline does not run: a build whose
context folder the repository does not hold (it builds nothing of it), the serving app's image
(its command starts a web server or UI, runs the project's serving app or a copied script that
starts one), or an image whose command runs project code that trains nothing (a stream
consumer, a data producer: no model fitted, saved, tracked or evaluated in what it reaches,
on no orchestrator's base image). A job naming no Dockerfile, or one whose command cannot be
read against the project (`bash`, a script the repository does not hold), still counts.
"""

from __future__ import annotations

import posixpath
import re

from scaffolder.assess.checks.base import module_index, of, reachable
from scaffolder.assess.models import Fact, Facts

# what an image of the pipeline runs: the orchestrator's own image (DAGs copied into it)
ORCHESTRATOR_BASE = re.compile(
    r"airflow|astronomer|astro-runtime|prefect|dagster|kubeflow|kfp|flyte|zenml|metaflow|kedro",
    re.I,
)
# what project code that trains shows (a pipeline's step reaching it trains)
TRAINING = (
    "model.save",
    "train.entrypoint",
    "mlflow.tracking",
    "mlflow.registry",
    "track.run",
    "eval.metrics",
    "retrain.function",
    "pipeline.def",
    "airflow.dag",
    "kfp.pipeline",
    "kfp.component",
    "dvc.stage",
)
SERVING = ("serving.app", "fastapi.app", "fastapi.route", "flask.route")


def pipeline_builds(f: Facts) -> list[Fact]:
    """The build steps of jobs that may build an image the pipeline runs."""
    images = {x.path: x for x in f.facts if x.kind == "docker.image"}
    jobs: dict[tuple[str, str], list[Fact]] = {}
    for step in of(f, "ci.step.build_image"):
        # a Cloud Build or CodeBuild file is one build, whatever its steps and phases
        whole = step.detail.get("tool") in ("cloudbuild", "codebuild")
        jobs.setdefault((step.path, "" if whole else str(step.detail.get("job"))), []).append(step)
    kept = []
    for steps in jobs.values():
        named = [s for s in steps if s.detail.get("dockerfiles")]
        if named and all(builds_no_pipeline_image(f, s, images) for s in named):
            continue
        kept += steps
    return kept


def builds_no_pipeline_image(f: Facts, step: Fact, images: dict[str, Fact] | None = None) -> bool:
    """A build (a CI step, a Terraform local-exec) whose named Dockerfiles are all images the
    pipeline does not run; one naming none may build anything."""
    if images is None:
        images = {x.path: x for x in f.facts if x.kind == "docker.image"}
    if step.detail.get("missing"):
        return True
    if not step.detail.get("dockerfiles"):
        return False
    for name in step.detail["dockerfiles"]:
        image = images.get(str(name))
        if image is None or not (_serves(f, image) or _trains_nothing(f, image)):
            return False
    return True


def _entry_files(f: Facts, image: Fact) -> list[str | None]:
    """The project files the image's command runs (None for one not found among them)."""
    index = module_index(f)
    known = {x.path for x in f.facts}
    folder = posixpath.dirname(image.path)
    files: list[str | None] = []
    for entry in image.detail.get("entry") or []:
        entry = str(entry)
        if entry.startswith("mod:"):
            # from the root (or src/), else from the Dockerfile's folder (its build context)
            module = entry[4:].replace(".", "/")
            candidates = [
                posixpath.join(folder, module + ".py"),
                posixpath.join(folder, module, "__init__.py"),
            ]
            files.append(index.get(entry[4:]) or next((c for c in candidates if c in known), None))
            continue
        if entry.endswith(".sh"):
            files.append(None)  # read by the scan (script_serves), else unknown
            continue
        relative = entry.lstrip("/")
        candidates = [posixpath.normpath(posixpath.join(folder, relative)), relative]
        files.append(next((c for c in candidates if c in known), None))
    return files


def _serves(f: Facts, image: Fact) -> bool:
    if image.detail.get("serving") or image.detail.get("ui") or image.detail.get("script_serves"):
        return True
    # the project's serving app (a file that trains nothing itself: a training handler of a
    # Lambda image is no serving app)
    trains = {x.path for kind in TRAINING for x in f.of(kind)}
    serving = {x.path for kind in SERVING for x in f.of(kind)} - trains
    return any(path in serving for path in _entry_files(f, image) if path)


def _trains_nothing(f: Facts, image: Fact) -> bool:
    if ORCHESTRATOR_BASE.search(str(image.detail.get("base"))):
        return False
    files = _entry_files(f, image)
    if not files or None in files:
        return False
    trains = {x.path for kind in TRAINING for x in f.of(kind)}
    return not reachable(f, {p for p in files if p}) & trains
