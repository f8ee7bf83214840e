"""Governance: a README (0), changes checked on pull/merge requests (1), a model card and an
approval before production (2), CODEOWNERS and a checked promotion policy (3). Secret scanning
is advice."""

from __future__ import annotations

import re

from scaffolder.assess.checks.base import U1, U2, U3, Check, Verdict, found, of, tools
from scaffolder.assess.models import Facts

SECRET_HOOKS = {
    "detect-private-key",
    "detect-secrets",
    "gitleaks",
    "trufflehog",
    "detect-aws-credentials",
}


def r_readme(f: Facts) -> Verdict:
    readmes = f.of("readme")
    top = [x for x in readmes if "/" not in x.path]
    if top:
        return found(top, "the project has a README", "")
    # a folder of sub-projects (seed repositories, services): each documented in its own README
    if len({x.path.split("/")[0] for x in readmes}) >= 2:
        return found(readmes, "each sub-project has a README", "")
    return Verdict(False, [], "no README")


def r_secret_scanning(f: Facts) -> Verdict:
    hooks = [x for x in f.of("precommit.hook") if x.detail.get("id") in SECRET_HOOKS]
    return found(
        hooks + of(f, "ci.step.secret_scan"),
        "commits are scanned for secrets",
        "no secret scanning (detect-private-key, gitleaks...)",
    )


def r_change_review(f: Facts) -> Verdict:
    prs = [
        w
        for w in f.of("ci.workflow")
        if {"pull_request", "pull_request_target"} & set(w.detail["triggers"])
        # a docs site's workflow filtered to docs/ and mkdocs.yml checks no change to the code
        and not w.detail.get("pr_docs_only")
    ]
    return found(
        prs, "changes are checked on pull/merge requests", "CI does not run on pull/merge requests"
    )


def r_model_card(f: Facts) -> Verdict:
    return found(
        of(f, "model_card", "model_card.generator"),
        "a model card documents the model",
        "no model card",
    )


def manual_promotions(f: Facts) -> list:
    """Model promotions in a workflow that only a person starts (`on: workflow_dispatch`, no
    push, schedule or other event) and that promotes only: each promotion to production is
    someone's decision. A manual retraining workflow that promotes what it just trained (a
    script of its own, a pipeline run) approves nothing."""
    manual = {
        x.path
        for x in f.of("ci.workflow")
        if (x.detail.get("triggers") or []) == ["workflow_dispatch"]
    }
    promotes = [x for x in f.of("ci.step.promote") if x.path in manual]
    lines = {(x.path, x.line) for x in promotes}
    training = {x.path for x in f.of("ci.step.pipeline_deploy")} | {
        x.path
        for x in f.of("ci.step.script")
        if x.detail.get("script") and (x.path, x.line) not in lines
    }
    return [x for x in promotes if x.path not in training]


def r_production_approval(f: Facts) -> Verdict:
    envs = [x for x in f.of("ci.environment") if re.match(r"prod", str(x.detail.get("name")), re.I)]
    approvals = of(f, "approval.gate") + manual_promotions(f)
    return found(
        envs + approvals,
        "production deploys go through a protected environment / manual approval"
        + tools(approvals),
        "no approval gate before production",
    )


def r_codeowners(f: Facts) -> Verdict:
    owners = [x for x in f.of("codeowners") if x.detail.get("entries")]
    return found(owners, "CODEOWNERS assigns reviewers", "no CODEOWNERS file")


def r_promotion_policy(f: Facts) -> Verdict:
    return found(
        f.of("policy.promotion"), "a promotion policy is checked", "no promotion policy check"
    )


CHECKS = [
    Check(
        "governance.readme",
        "The project has a README",
        "governance",
        0,
        "write a README with the set-up commands",
        "a README at the root",
        r_readme,
        (),
        None,
        "README.md",
    ),
    Check(
        "governance.secret-scanning",
        "Commits are scanned for secrets",
        "governance",
        1,
        f"{U1} adds detect-private-key to pre-commit",
        "pre-commit hook ids; gitleaks/trufflehog CI steps",
        r_secret_scanning,
        ("yaml",),
        None,
        ".pre-commit-config.yaml",
        advice=True,
    ),
    Check(
        "governance.change-review",
        "Changes are checked on pull requests",
        "governance",
        1,
        f"{U1} adds CI triggered on pull/merge requests",
        "CI triggers in any provider (GitHub `on:` read as written, GitLab rules, Azure `pr:`, "
        "Bitbucket pull-requests, CircleCI)",
        r_change_review,
        ("ci",),
        None,
        ".github/workflows/ci.yml",
    ),
    Check(
        "governance.model-card",
        "A model card documents the model",
        "governance",
        2,
        f"{U2} generates a model card",
        "MODEL_CARD.md / model_card* files or a generator",
        r_model_card,
        (),
        None,
        "MODEL_CARD.md",
    ),
    Check(
        "governance.production-approval",
        "Production needs approval",
        "governance",
        2,
        f"{U2} adds a production environment with approval in the CD workflow",
        "CI jobs with a prod* environment; manual approvals (GitLab `when: manual`, Azure "
        "ManualValidation, CodePipeline approval actions, Jenkins input); registry approval "
        "status pending manual approval; a promotion-only workflow started by hand "
        "(`workflow_dispatch`)",
        r_production_approval,
        ("ci",),
        "infrastructure",
    ),
    Check(
        "governance.codeowners",
        "Owners review changes",
        "governance",
        3,
        f"{U3} adds CODEOWNERS",
        "CODEOWNERS entries",
        r_codeowners,
        (),
        None,
        "CODEOWNERS",
    ),
    Check(
        "governance.promotion-policy",
        "Promotion follows a checked policy",
        "governance",
        3,
        f"{U3} adds a promotion policy and its check",
        "promotion policy files",
        r_promotion_policy,
        ("yaml", "python"),
        None,
    ),
]
