"""Reproducibility: version control and declared dependencies (0), parameters in config (1),
environments as config (2), the training data version recorded with the model (3)."""

from __future__ import annotations

import re

from scaffolder.assess.checks.base import U1, U2, U3, Check, Verdict, found, of, where
from scaffolder.assess.models import Facts
from scaffolder.assess.parse_infra import ENV_TOKENS
from scaffolder.assess.parse_manifests import ENV_NAMES


def r_vcs(f: Facts) -> Verdict:
    return found(
        f.of("vcs.git"), "the project is a git repository", "the folder is not a git repository"
    )


def r_dependencies(f: Facts) -> Verdict:
    declared = [x for x in f.of("deps.declared") if x.detail.get("count")]
    return found(
        declared,
        "dependencies are declared",
        "no dependencies declared (pyproject.toml, requirements*.txt, setup.py, Pipfile, "
        "conda environment file)",
    )


def r_seeds(f: Facts) -> Verdict:
    return found(
        f.of("seed"),
        "random seeds are set in the code",
        "no random seed found (random_state=, seed=, numpy/random/torch seeding)",
    )


BENCHMARKS = {"benchmarks", "benchmark", "bench", "benches"}


def environment_tfvars(f: Facts) -> list:
    """Terraform variable files per environment (envs/dev/terraform.tfvars beside
    envs/prod/terraform.tfvars, environments/staging.tfvars beside prod.tfvars): the values set
    per environment are the project's parameters held as config. One lone terraform.tfvars is
    not enough (it may only name a cloud project)."""
    tfvars = [x for x in f.of("config.environment") if x.path.endswith(".tfvars")]
    if len({str(x.detail.get("env")).lower() for x in tfvars}) >= 2:
        return tfvars
    return []


def r_config_file(f: Facts) -> Verdict:
    # a benchmark's settings (benchmarks/triton_analysis/config.yaml) are no run's parameters
    # a schema.yaml listing the data's columns describes the data, not a run's parameters
    configs = [
        x
        for x in f.of("config.file")
        if x.path.split("/")[0] not in BENCHMARKS and not x.detail.get("columns_only")
    ]
    return found(
        configs + environment_tfvars(f),
        "parameters live in a config file",
        "no parameter/config file outside the code (config/, conf/, params.yaml, *.json "
        "parameters, recipe or profile files)",
    )


def deploy_environments(f: Facts) -> list:
    """CD jobs that deploy into a named environment (GitHub/GitLab `environment:`): each holds
    its environment's settings (variables, secrets, protection rules) as config."""
    deploying = {(x.path, x.detail.get("job")) for x in f.of("ci.step.deploy")}
    return [
        x
        for x in f.of("ci.environment")
        if (x.path, x.detail.get("job")) in deploying
        and set(re.split(r"[^a-z]+", str(x.detail.get("name")).lower())) & ENV_NAMES
    ]


LOCAL_NAMES = {"dev", "development", "local"}


def kustomize_overlays(f: Facts) -> dict:
    """Kustomize overlays of one base (`k8s/overlays/local`, `k8s/overlays/aws`): each patches
    the base for the place it deploys to, an environment as config - counted when there are two
    or more and one is named as an environment (`gpu`/`cpu` overlays are variants, not places)."""
    overlays: dict = {}
    for x in f.of("k8s.kustomization"):
        overlay = str(x.detail.get("overlay") or "").lower()
        if overlay and "/overlays/" in "/" + x.path.lower():
            overlays.setdefault(overlay, x)
    if len(overlays) < 2 or not set(overlays) & (ENV_TOKENS | ENV_NAMES):
        return {}
    return overlays


def r_environments(f: Facts) -> Verdict:
    envs = f.of("config.environment")
    names = {str(x.detail.get("env")).lower() for x in envs}
    deployed = deploy_environments(f)
    if len({str(x.detail.get("name")).lower() for x in deployed}) >= 2:
        envs = envs + deployed
        names |= {str(x.detail.get("name")).lower() for x in deployed}
    compose_envs = {x.path for x in envs if x.detail.get("via") == "compose"}
    base = [x for x in f.of("compose.service") if x.path not in compose_envs]
    compose_names = {str(x.detail.get("env")).lower() for x in envs if x.path in compose_envs}
    if compose_envs and base and compose_names - LOCAL_NAMES:
        # docker-compose.yml next to docker-compose.prod.yml: the base file is the local one;
        # beside a docker-compose.dev.yml overlay it is the same local environment, not a second
        names.add("local")
        envs = envs + base[:1]
    overlays = kustomize_overlays(f)
    if overlays:
        names |= set(overlays)
        envs = envs + list(overlays.values())
    if len(names) >= 2:
        return Verdict(True, where(envs), f"environments as config: {', '.join(sorted(names))}")
    return Verdict(
        False, where(envs), "fewer than two environments (dev/staging/prod) defined as config"
    )


def r_data_lineage(f: Facts) -> Verdict:
    tags = [
        x for x in f.of("mlflow.lineage_tag") if re.search(r"data", str(x.detail.get("key")), re.I)
    ]
    return found(
        tags + of(f, "dvc.lock", "data.version"),
        "the training data version is recorded with each model",
        "no data version recorded with the model (data-hash tag on the model version, or a "
        "committed dvc.lock)",
    )


CHECKS = [
    Check(
        "repro.version-control",
        "Code is under version control",
        "reproducibility",
        0,
        "`git init` and commit the code (not data or models); `mlops-scaffold adopt` does "
        "it for you",
        "a .git folder at the root",
        r_vcs,
        ml_test="infrastructure",
        add_file=".git",
    ),
    Check(
        "repro.dependencies",
        "Dependencies are declared",
        "reproducibility",
        0,
        "declare dependencies in pyproject.toml [project] dependencies",
        "pyproject.toml, requirements*.txt, setup.py/setup.cfg, Pipfile, conda environment files",
        r_dependencies,
        ("toml",),
        "infrastructure",
        "pyproject.toml",
    ),
    Check(
        "repro.seeds",
        "Randomness is seeded",
        "reproducibility",
        0,
        "pass a seed (random_state=) to splits and estimators",
        "seed calls and random_state= in Python (AST)",
        r_seeds,
        ("python",),
        "model",
        advice=True,
    ),
    Check(
        "repro.config-file",
        "Parameters live in a config file",
        "reproducibility",
        1,
        f"{U1} adds config/pipeline.yaml with parameters and quality-gate thresholds",
        "YAML/JSON/TOML under config/, conf/, configs/; params/parameters/settings files; "
        "recipes, profiles, "
        "tfvars",
        r_config_file,
        ("yaml",),
        "model",
        "config/pipeline.yaml",
    ),
    Check(
        "repro.environments",
        "Environments are defined as config",
        "reproducibility",
        2,
        f"{U2} adds dev/staging/prod environment config",
        "config files named after environments (staging-config.json, config/prod/), an "
        "`environments:` map, top-level dev/staging/prod sections (YAML, TOML), dbt/bundle "
        "targets, Kustomize overlays, Helm values per environment",
        r_environments,
        ("yaml",),
        "infrastructure",
        "config/environments",
    ),
    Check(
        "repro.data-lineage",
        "Training data version is recorded",
        "reproducibility",
        3,
        f"{U3} tags each model version with the data hash",
        "MLflow data-hash tags and the data version logged as a run parameter (AST), "
        "a committed dvc.lock",
        r_data_lineage,
        ("python", "yaml"),
        "data",
    ),
]
