"""Facts from a project's TOML configuration (`config.toml`, `settings.toml`, `params.toml`):
parameters in a config file, and the environments it holds sections for.

A TOML config is read as its YAML and JSON counterparts are: a file named for configuration, or
under a config folder, that sets values is a config file. Tables named for environments
(`[production]`/`[development]` of a Dynaconf `settings.toml`, or per-environment sub-tables
such as Prefect 1's `[docker.develop]`/`[docker.production]`) define those environments as
config when there are two or more of them.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from scaffolder.assess.config_names import named_config
from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_infra import ENV_NAMES
from scaffolder.assess.parse_toml import _loads

CONFIG_DIRS = {"config", "configs", "conf", "confs", "params", "settings"}
# `develop` is a branch-style name for the development environment
ALIASES = {"develop": "dev", "development": "dev", "production": "prod", "prd": "prod"}
# a static site generator's `config.toml` (Hugo: baseURL, theme) configures a website
SITE_KEYS = {"baseurl", "theme", "languagecode"}


def is_config_toml(path: str) -> bool:
    p = PurePosixPath(path)
    if p.suffix != ".toml":
        return False
    parts = {part.lower() for part in p.parts[:-1]}
    return bool(parts & CONFIG_DIRS) or named_config(p.name)


def _env(name: str) -> str | None:
    key = name.lower()
    if key in ALIASES:
        return ALIASES[key]
    return key if key in ENV_NAMES else None


def _line_of(text: str, header: str) -> int:
    match = re.search(rf"^\s*\[{re.escape(header)}\]", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def config_toml_facts(text: str, path: str, zone: Zone) -> list[Fact]:
    try:
        data = _loads(text)
    except Exception:  # noqa: BLE001 - a TOML that does not parse sets nothing
        return []
    if not data or {str(k).lower() for k in data} & SITE_KEYS:
        return []
    facts = [
        Fact(
            kind="config.file",
            path=path,
            line=1,
            zone=zone,
            detail={"thresholds": False, "keys": len(data)},
        )
    ]
    # environment tables at the top, or one level down (`[docker.production]`)
    envs: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            continue
        if (env := _env(str(key))) is not None:
            envs.setdefault(env, str(key))
            continue
        for inner, body in value.items():
            if isinstance(body, dict) and (env := _env(str(inner))) is not None:
                envs.setdefault(env, f"{key}.{inner}")
    if len(envs) >= 2:
        facts.extend(
            Fact(
                kind="config.environment",
                path=path,
                line=_line_of(text, header),
                zone=zone,
                detail={"env": env},
            )
            for env, header in sorted(envs.items())
        )
    return facts
