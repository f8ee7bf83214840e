"""Facts from small text formats: Makefile targets, CODEOWNERS, README, model cards, JSON
(Grafana dashboards, GX suites) and notebooks (their code cells go to the Python parser)."""

from __future__ import annotations

import json
import re

from scaffolder.assess.models import Fact, Problem, Zone
from scaffolder.assess.parse_ci import MODEL_IMAGE, classify
from scaffolder.assess.parse_python import parse_python

_TARGET = re.compile(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", re.M)
_RECIPE = re.compile(r"^\t(.*)$", re.M)  # a recipe line runs in a shell, tab first
SETUP_WORDS = re.compile(
    r"pip install|make setup|uv sync|poetry install|conda env|pipenv install", re.I
)


def parse_makefile(text: str, path: str, zone: Zone) -> list[Fact]:
    facts = []
    for match in _TARGET.finditer(text):
        name = match.group(1)
        if name.startswith(".") or name.isupper():
            continue
        line = text.count("\n", 0, match.start()) + 1
        facts.append(
            Fact(kind="make.target", path=path, line=line, zone=zone, detail={"name": name})
        )
    for match in _RECIPE.finditer(text):
        # a recipe that builds the model's serving image (`bentoml build --containerize`,
        # `bentoml containerize`, `mlflow models build-docker`): the service runs in a container
        # built from the model, as from a Dockerfile (the CI rule, for a Makefile target)
        image = MODEL_IMAGE.search(match.group(1))
        if image:
            tool = "BentoML image" if image.group(1) else "MLflow model image"
            line = text.count("\n", 0, match.start()) + 1
            facts.append(
                Fact(kind="container.image", path=path, line=line, zone=zone, detail={"tool": tool})
            )
    return facts


def parse_codeowners(text: str, path: str, zone: Zone) -> list[Fact]:
    entries = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    owned = [ln for ln in entries if len(ln.split()) >= 2]
    return [Fact(kind="codeowners", path=path, line=1, zone=zone, detail={"entries": len(owned)})]


def parse_readme(text: str, path: str, zone: Zone) -> list[Fact]:
    match = SETUP_WORDS.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    return [Fact(kind="readme", path=path, line=line, zone=zone, detail={"setup": bool(match)})]


MLFLOW_SERVE = re.compile(
    r"\bmlflow\s+models\s+serve\b.*?(?:-m|--model-uri)[\s=]+[\"']?(models:/[^\s\"']+)"
)


# cloud CLIs creating an alert policy or an alarm (the alert rules as code of a script rather
# than of Terraform or YAML)
CLI_ALERTS = re.compile(
    r"\bgcloud\s+(?:alpha\s+|beta\s+)?monitoring\s+policies\s+create\b|"
    r"\baws\s+cloudwatch\s+put-(?:composite-)?(?:metric-)?alarm\b|"
    r"\baz\s+monitor\s+(?:metrics\s+alert|scheduled-query)\s+create\b"
)
CLI_ALERT_TOOLS = {"gcloud": "Cloud Monitoring", "aws": "CloudWatch", "az": "Azure Monitor"}


def parse_shell(text: str, path: str, zone: Zone) -> list[Fact]:
    """The commands of a shell script that CI would classify (build, deploy, tests...), with
    continuation lines joined, for the CI steps that run the script."""
    facts = []
    pending, first = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            first = number
        stripped = raw.strip()
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        command, pending = (pending + stripped).strip(), ""
        served = MLFLOW_SERVE.search(command) if not command.startswith("#") else None
        if served:
            # `mlflow models serve -m models:/NAME/latest`: the server loads what the registry
            # holds (read by tracking.serving-from-registry as a model URI in serving code)
            facts.append(
                Fact(
                    kind="mlflow.model_uri",
                    path=path,
                    line=first,
                    zone=zone,
                    detail={"uri": served.group(1), "via": "mlflow models serve"},
                )
            )
        alert = CLI_ALERTS.search(command) if not command.startswith("#") else None
        if alert:
            tool = CLI_ALERT_TOOLS[alert.group(0).split()[0]]
            facts.append(
                Fact(kind="alert.rule", path=path, line=first, zone=zone, detail={"tool": tool})
            )
        if command and not command.startswith("#") and classify(command):
            facts.append(
                Fact(
                    kind="script.command",
                    path=path,
                    line=first,
                    zone=zone,
                    detail={"command": command},
                )
            )
    return facts


def parse_json(text: str, path: str, zone: Zone) -> tuple[list[Fact], list[Problem]]:
    """Only JSON the rules care about: Grafana dashboards and GX expectation suites."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        return [], [
            Problem(path=path, line=line, category="json", message=f"JSON error: {exc}", zone=zone)
        ]
    facts = []
    if isinstance(data, dict):
        dashboard = data.get("dashboard") if isinstance(data.get("dashboard"), dict) else data
        if isinstance(dashboard.get("panels"), list):
            facts.append(
                Fact(
                    kind="grafana.dashboard",
                    path=path,
                    line=1,
                    zone=zone,
                    detail={"panels": len(dashboard["panels"])},
                )
            )
        if isinstance(data.get("expectations"), list):
            facts.append(
                Fact(
                    kind="gx.suite",
                    path=path,
                    line=1,
                    zone=zone,
                    detail={"expectations": len(data["expectations"])},
                )
            )
    return facts, []


def parse_notebook(text: str, path: str) -> tuple[list[Fact], list[Problem]]:
    """Code cells of a notebook, as Python in the notebook zone (magics dropped)."""
    try:
        cells = json.loads(text).get("cells") or []
    except (ValueError, AttributeError) as exc:
        return [], [
            Problem(
                path=path,
                line=1,
                category="notebook",
                message=f"notebook is not JSON: {exc}",
                zone=Zone.NOTEBOOK,
            )
        ]
    facts: list[Fact] = []
    problems: list[Problem] = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or ""
        source = "".join(source) if isinstance(source, list) else str(source)
        code = "\n".join(
            "" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()
        )
        cell_facts, cell_problems = parse_python(code.encode(), path, Zone.NOTEBOOK, False)
        for fact in cell_facts:
            fact.detail["cell"] = number
        facts.extend(cell_facts)
        problems.extend(cell_problems)
    return facts, problems


def package_json_dependencies(text: str) -> int:
    """How many packages an npm `package.json` declares (dependencies and devDependencies);
    0 for a file that is not one (a JSON file of another shape, broken JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        return 0
    if not isinstance(data, dict):
        return 0
    return sum(
        len(data[key])
        for key in ("dependencies", "devDependencies")
        if isinstance(data.get(key), dict)
    )
