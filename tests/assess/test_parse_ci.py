from scaffolder.assess.parse_ci_github import github_workflow
from scaffolder.assess.parse_ci_gitlab import gitlab_ci
from scaffolder.assess.parse_yaml import load_yaml_documents


def gh(text: str):
    return github_workflow(load_yaml_documents(text)[0], ".github/workflows/x.yml")


def test_github_triggers_jobs_and_step_kinds():
    facts = gh("""
on: [push, pull_request]
jobs:
  test:
    steps:
      - uses: actions/checkout@v4
      - run: make test
  deploy:
    environment: production
    steps:
      - uses: docker/build-push-action@v6
      - run: kubectl apply -k k8s/overlays/production
""")
    workflow = [f for f in facts if f.kind == "ci.workflow"][0]
    assert workflow.detail["triggers"] == ["push", "pull_request"]
    kinds = {(f.kind, f.line) for f in facts}
    assert ("ci.step.test", 7) in kinds
    assert ("ci.step.build_image", 11) in kinds and ("ci.step.deploy", 12) in kinds
    env = [f for f in facts if f.kind == "ci.environment"][0]
    assert env.detail["name"] == "production" and env.line == 9


def test_github_on_as_a_single_string_and_schedule():
    facts = gh("on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs: {}\n")
    assert "ci.schedule" in {f.kind for f in facts}


def test_gitlab_jobs_merge_requests_and_manual_production():
    doc = load_yaml_documents("""
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
stages: [test, deploy]
.template:
  script: [pytest]
test:
  script:
    - make test
deploy-prod:
  script: [helm upgrade --install churn chart/]
  environment: {name: production}
  when: manual
""")[0]
    facts = gitlab_ci(doc, ".gitlab-ci.yml")
    workflow = [f for f in facts if f.kind == "ci.workflow"][0]
    assert "pull_request" in workflow.detail["triggers"]
    steps = {(f.kind, f.detail["job"]) for f in facts if f.kind.startswith("ci.step")}
    assert ("ci.step.test", "test") in steps and ("ci.step.deploy", "deploy-prod") in steps
    assert not any(f.detail.get("job") == ".template" for f in facts)  # hidden jobs are templates
    env = [f for f in facts if f.kind == "ci.environment"][0]
    assert env.detail == {
        "job": "deploy-prod",
        "name": "production",
        "manual": True,
        "provider": "gitlab",
    }
