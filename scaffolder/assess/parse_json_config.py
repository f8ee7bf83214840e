"""Facts from parameter files read as text or JSON: JSON parameter/config files
(`parameters.json`, `staging-config.json`, `config/*.json`), CloudFormation templates in JSON,
and templated YAML (dbt profiles) with a section per environment."""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from scaffolder.assess.config_names import named_config
from scaffolder.assess.json_shapes import holds_no_parameters
from scaffolder.assess.models import Fact, Problem, Zone
from scaffolder.assess.parse_infra import CFN_RESOURCES, ENV_TOKENS, RUN_SETTINGS, _fact, env_of

_ENV_KEY = re.compile(r"^\s{2,8}([A-Za-z]+)\s*:\s*$", re.M)


def template_envs(text: str, path: str, zone: Zone) -> list[Fact]:
    """A templated YAML (dbt profiles with `{{ env_var() }}`) with sections for two or more
    environments: config per environment, read from its indented keys."""
    envs: dict[str, int] = {}
    for match in _ENV_KEY.finditer(text):
        key = match.group(1).lower()
        if key in ENV_TOKENS and key not in envs:
            envs[key] = text.count("\n", 0, match.start()) + 1
    if len(envs) < 2:
        return []
    facts = [_fact("config.file", path, 1, zone, thresholds=False, keys=len(envs))]
    facts.extend(_fact("config.environment", path, line, zone, env=e) for e, line in envs.items())
    return facts


def json_facts(text: str, path: str, zone: Zone) -> tuple[list[Fact], list[Problem]]:
    """Parameter/config JSON (`parameters.json`, `staging-config.json`, `config/*.json`) and
    CloudFormation templates in JSON."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return [], [
            Problem(
                path=path,
                line=getattr(exc, "lineno", 1),
                category="json",
                message=f"JSON error: {exc}",
                zone=zone,
            )
        ]
    if not isinstance(data, dict):
        return [], []
    facts: list[Fact] = []
    if isinstance(data.get("Resources"), dict) and "AWSTemplateFormatVersion" in data:
        for logical, body in data["Resources"].items():
            kind = str(body.get("Type", "")) if isinstance(body, dict) else ""
            for fact_kind, tool in CFN_RESOURCES.get(kind, []):
                facts.append(_fact(fact_kind, path, 1, zone, tool=tool, resource=str(logical)))
        return facts, []
    if holds_no_parameters(data):
        # a Clarify analysis config, a serving traffic-routing file (json_shapes.py)
        return facts, []
    if not {str(k).lower() for k in data} <= RUN_SETTINGS:
        # a file of only where the run happens (an Azure ML workspace's `config.json`:
        # subscription, resource group, workspace, location) sets no parameter
        facts.append(_fact("config.file", path, 1, zone, thresholds=False, keys=len(data)))
    # named for its environment, or under a folder named after one (`variables/prod/...json`)
    env = env_of(path) or next(
        (p.lower() for p in PurePosixPath(path).parts[:-1] if p.lower() in ENV_TOKENS), None
    )
    if env:
        facts.append(_fact("config.environment", path, 1, zone, env=env))
    return facts, []


def is_config_json(parts: tuple[str, ...]) -> bool:
    if any(p.lower() in ("config", "configs", "conf", "confs", "params") for p in parts[:-1]):
        return True
    return named_config(parts[-1])
