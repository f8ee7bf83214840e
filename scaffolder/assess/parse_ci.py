"""What CI steps run, shared by every CI provider's parser (`parse_ci_github.py`,
`parse_ci_gitlab.py`, `parse_ci_jenkins.py`, `parse_ci_providers.py` for the others).

Each job's steps are classified by what they run (tests, lint, DAG check, pipeline compile,
image build, deploy, promotion, integration tests, data validation); environments and manual
approvals are recorded, and so are the triggers.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any

from scaffolder.assess.models import Fact
from scaffolder.assess.practices import load_tests, release_notes

STEP_KINDS: dict[str, re.Pattern[str]] = {
    # practices the questionnaire asks about (scaffolder/assess/practices)
    "load_test": load_tests.CI_STEP,
    "release_notes": release_notes.CI_STEP,
    # tests, also through task runners (make/just/mise/task/poe/invoke/npm, uv/poetry/hatch run;
    # `make ci-test`, `make unit-tests`: a target named for tests with a prefix)
    "test": re.compile(
        r"\bpytest\b|\bmake\s+([a-z]+[-_])?(test|tests|check|unit|coverage)\b|\btox\b|\bnox\b|"
        r"unittest|"
        r"hatch\s+(run\s+)?test|\b(just|mise\s+run|mise|task|poe|invoke|inv)\s+(test|tests|check)\b|"
        r"\bnpm\s+(run\s+)?test\b|\byarn\s+test\b|\bpixi\s+run\s+test"
    ),
    "lint": re.compile(
        r"\bruff\b|flake8|pylint|pre-commit\s+run|black\s+--check|\bmypy\b|make\s+lint"
    ),
    "dag_check": re.compile(
        r"dag-check|dagbag|airflow\s+dags\s+(list|test|list-import-errors)|test_dag", re.I
    ),
    "pipeline_compile": re.compile(
        r"kfp-compile|kfp\s+dsl\s+compile|kfp.*compile|pipeline\S*\s+compile", re.I
    ),
    "build_image": re.compile(
        # (a registry login or a builder set up builds nothing: amazon-ecr-login,
        # setup-buildx-action)
        r"docker\s+(build|push)|(?<!setup-)buildx|kaniko|buildah|podman\s+(build|push)|"
        r"build-push-action|"
        r"make\s+(image|docker\S*|build-image|push-image)|gcr\.io/cloud-builders/docker|"
        r"sam\s+build|aws-actions/amazon-ecr(?!-login)|"
        r"docker[- ]compose\b[^\n]*\s(build|--build)\b|"
        r"bentoml\s+(build|containerize)|mlflow\s+models\s+build-docker",
        re.I,
    ),
    # the ML pipeline itself is deployed or run by CI/CD
    "pipeline_deploy": re.compile(
        r"\brun-pipeline\b|get-pipeline-definition|upsert|anyscale\s+jobs?\s+submit|"
        r"az\s+ml\s+(job|pipeline)\s+create|\bml_service\.pipelines\b|build_train_pipeline|"
        r"\bdvc\s+(repro|exp\s+run)\b|\bkedro\s+run\b|databricks\s+bundle\s+(deploy|run)|"
        r"dagster-cloud|dagster-io/dagster-cloud-action|prefect\s+deploy|zenml\s+pipeline\s+run|"
        r"gcloud\s+ai\s+custom-jobs|pipeline[-_]deployment|tfx\s+pipeline\s+(create|update)|"
        r"kfp\s+(pipeline\s+)?(upload|run)|metaflow.*(argo-workflows|step-functions)\s+create|"
        r"\bpython\d?\s+\S*run_pipeline\.py|mlflow\s+run\b|pyflyte\s+(register|run\s+--remote)|"
        r"flytectl\s+(register|create\s+execution)|databricks\s+(jobs\s+(create|run-now|reset|submit)|"
        r"runs\s+submit)|\bdbx\s+(deploy|launch|execute)|"
        # the DAG folder copied to the bucket an Airflow environment (MWAA, Composer) reads
        r"gcloud\s+composer\s+environments\s+storage\s+dags\s+import|"
        r"\b(aws\s+s3\s+(cp|sync)|gsutil\s+(-m\s+)?(cp|rsync))\s+(-\S+\s+)*"
        r"\S*\b(dags|airflow)\b\S*\s+(-\S+\s+)*(s3|gs)://",
        re.I,
    ),
    "deploy": re.compile(
        r"kubectl\s+(apply|rollout|set\s+image)|kustomize\s+build|helm\s+(upgrade|install)|"
        r"mlem\s+deployment\s+run\b|"
        r"argocd\s+app|gcloud\s+run\s+deploy|make\s+deploy|sam\s+deploy|argo\s+rollouts|"
        r"skaffold\s+(run|deploy)|k8s-deploy|deploy-cloudrun|az\s+ml\s+online-deployment|"
        r"az\s+ml\s+model\s+deploy|az\s+webapp|AzureWebAppContainer|AzureFunctionApp|"
        r"gcloud\s+ai\s+endpoints\s+deploy-model|deploy[-_]model|create[-_]endpoint|cdk\s+deploy|"
        r"aws\s+cloudformation\s+(deploy|create-stack|update-stack)|\b(create|update)_stack\b|"
        r"az\s+deployment\s+(group|sub)\s+create|"  # a Bicep/ARM template deployed
        r"\b(online|batch)_deployments\.begin_create_or_update\b|"  # Azure ML SDK, inline
        r"\b(create|update)_endpoint\b|terraform\s+apply|pulumi\s+up|serverless\s+deploy|"
        r"\bsls\s+deploy|anyscale\s+service\s+(rollout|deploy)|serve\s+deploy|"
        r"bentoml\s+deploy|mlflow\s+deployments\s+create|deploy-stack|modal\s+deploy|"
        r"aws\s+ecs\s+update-service|aws\s+lambda\s+update-function|"
        r"amazon-ecs-deploy-task-definition|aws\s+ecs\s+deploy\b|"
        r"databricks\s+bundle\s+deploy|"
        r"gcloud\s+deploy\s+releases\s+create|"  # a Google Cloud Deploy release rolls out
        # serving platforms' CLIs: CodeDeploy, App Runner, Container Apps/Instances, App Engine,
        # Elastic Beanstalk, Fly.io, Heroku's container release
        r"aws\s+deploy\s+create-deployment|aws\s+apprunner\s+(create|update)-service|"
        r"aws\s+apprunner\s+start-deployment|az\s+containerapp\s+(create|update|up)\b|"
        r"az\s+container\s+create|gcloud\s+app\s+deploy|\beb\s+deploy\b|"
        r"\bfly(ctl)?\s+deploy\b|heroku\s+container:release|"
        # a command sent to the fleet's instances through SSM, in place of ssh
        r"aws\s+ssm\s+send-command|"
        # the repository pushed to a Hugging Face Space, which builds and runs it
        r"huggingface\.co/spaces/[\s\S]*\bgit\s+push\b|"
        r"\bgit\s+push\b[^\n]*huggingface\.co/spaces/|"
        r"\b(huggingface-cli|hf)\s+upload\b[^\n]*--repo-type[= ]space\b|"
        # a host reached over ssh that then runs the service: deploying to a VM
        r"(ssh-action|\bssh\s)[\s\S]*(docker\s+(run|compose\s+up)|docker-compose\s+up|"
        r"systemctl\s+(restart|start)|bentoml\s+serve)",
        re.I,
    ),
    # a training or processing job launched on a managed service by its CLI: the job runs in
    # the service's container environment
    "managed_job": re.compile(
        r"aws\s+sagemaker\s+create-(training|processing|transform)-job|"
        r"gcloud\s+ai\s+custom-jobs\s+create|gcloud\s+ai-platform\s+jobs\s+submit|"
        r"az\s+ml\s+job\s+create",
        re.I,
    ),
    # the infrastructure applied (what `terraform apply` builds in provisioners comes with it)
    "iac_apply": re.compile(r"\bterraform\s+apply\b|\bterragrunt\s+(run-all\s+)?apply\b", re.I),
    "from_registry": re.compile(
        r"az\s+ml\s+model\s+deploy|--model\s+\S+:\S+|azureml:[\w-]+:\d|deploy-model|"
        # an Azure ML online deployment given the model at deploy time (`--set model=$MODEL`,
        # the `azureml:NAME:VERSION` the registration step returned)
        r"az\s+ml\s+online-deployment\s+(create|update)\b[^\n]*--set\s+model=|"
        # a W&B registry artifact fetched by CD (`wandb artifact get ENTITY/wandb-registry-model/
        # NAME:production`, or the artifact the promote workflow is given) to ship what it holds
        r"\bwandb\s+artifact\s+get\b|"
        r"ModelPackageArn|get_approved_package|models:/",
        re.I,
    ),
    # CD tagging the registered model version with where it came from (az ml model update
    # --set tags.github_run_id=..., gcloud ai models upload --labels=commit_sha=..., az ml model
    # create --set tags.pipeline_job=$JOB_NAME: the Azure ML pipeline job that trained it)
    "lineage_tag": re.compile(
        r"\b(ml\s+model\s+(update|create)|ai\s+models\s+(update|upload))\b[\s\S]{0,300}?"
        r"(tags?|labels?)[.=\s][\w-]*(git|commit|sha|run_id|run_number|workflow|pipeline.?job)",
        re.I,
    ),
    "progressive": re.compile(
        r"weight\.\w+=\d+|--traffic|traffic[-_ ]?split|setWeight|canary|blue[-_ ]?green",
        re.I,
    ),
    "rollback": re.compile(r"rollback|rollout\s+undo|helm\s+rollback|abort", re.I),
    "promote": re.compile(r"promot|set_registered_model_alias|alias\s+champion", re.I),
    "integration": re.compile(r"integration|smoke[-_ ]?test|e2e|endpoint[-_]test", re.I),
    "data_validation": re.compile(
        r"great_expectations|\bgx\b|checkpoint|validate[-_]data|data[-_]contract", re.I
    ),
    "secret_scan": re.compile(r"gitleaks|trufflehog|detect-secrets", re.I),
}
# A test script run by the interpreter (`python test.py`, `python tests/run_tests.py`): the
# scan decides by what the script holds (`scan_ci_links._scripts_of_ci`), by this name when it
# knows none
TEST_SCRIPT = re.compile(r"(^|/)(tests?|run_?tests?|runtests|test_\w+|\w+_tests?)\.py$")


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(_as_text(v) for v in value.values())
    return "" if value is None else str(value)


def _env_name(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name")
        return str(name) if name is not None else None
    return str(value) if value else None


INSTALL = re.compile(
    r"^.*\b(pip3?|uv\s+pip|pipx|conda|mamba|apt(-get)?|npm|brew)\s+install\b.*$", re.M
)


# a deploy step that applies Kubernetes manifests (or a chart, or a rollout) to a cluster
K8S_APPLY = re.compile(
    r"kubectl\s+(apply|rollout|set\s+image|argo\s+rollouts)|kustomize\s+build|"
    r"helm\s+(upgrade|install)|argo\s+rollouts",
    re.I,
)


# a chart deployed with values given at install (`helm upgrade --install api chart -f
# values-prod.yaml`, `--set image.tag=...`, Azure's HelmDeploy task with `overrideValues`): the
# release is set per target by CD, not by one values.yaml
HELM_VALUES = re.compile(
    r"helm\s+(upgrade|install)\b(?:[^\n]|\\\n)*\s(--set(-string)?|--values|-f)[\s=]|"
    r"HelmDeploy@\d[\s\S]*\b(overrideValues|valueFile)\b",
    re.I,
)


# A service started detached on the machine the step runs on (`docker run -d ... -p`,
# `docker compose up -d`, `mlflow models serve`): a deploy where that machine is the target, in
# a job named for deploying (`deploy-prod`) or on Jenkins's own host (parse_ci_jenkins)
# (a command continued over lines with a backslash is one command: `docker compose -f x.yml \` then
# `up -d` on the next line)
DETACHED_SERVICE = re.compile(
    r"docker\s+run\b(?:[^\n]|\\\r?\n)*\s(-d|--detach)\b|"
    r"docker[- ]compose\b(?:[^\n]|\\\r?\n)*\bup\b(?:[^\n]|\\\r?\n)*\s(-d|--detach)\b|"
    r"mlflow\s+models\s+serve\b",
    re.I,
)
DEPLOYING_JOB = re.compile(r"deploy|release|production|\bprod\b", re.I)
# a request to a service the job itself started (`curl -f http://127.0.0.1:8000/health` after
# `docker compose up -d`): the job checks the running service, end to end
LOCAL_REQUEST = re.compile(
    r"\b(curl|wget|http|httpie)\b[^\n]*\b(localhost|127\.0\.0\.1|0\.0\.0\.0)\b", re.I
)


# what a step only prints or comments on (`echo "Run locally: make test-unit"`, `# pytest`): up
# to the end of the line or the next command of it (`echo x | kubectl apply -f -` still applies)
PRINTED = re.compile(r"\b(echo|printf|Write-Host)\b[^|;&\n]*|^\s*#[^\n]*", re.M)
# a CLI registering a model version in a registry (Azure ML v2, Vertex AI, SageMaker), in a step
# of any CI provider
REGISTER_CLI = re.compile(
    r"\baz\s+ml\s+model\s+(create|register)\b|\bgcloud\s+ai\s+models\s+upload\b|"
    r"\baws\s+sagemaker\s+create-model-package\b"
)


# the model's serving image built by the serving tool (a bento, an MLflow model's image): the
# service is built, not the pipeline's images
SERVING_IMAGE = re.compile(r"bentoml\s+(build|containerize)|mlflow\s+models\s+build-docker", re.I)


# a command whose failure is swallowed (`pytest tests/ || true`, `|| echo "no tests"`,
# `|| exit 0`): the build passes whatever the command finds
SWALLOWED = re.compile(r"[^\n;&|]*\|\|\s*(true|:|exit\s+0|echo\b[^\n;&|]*)[ \t]*(?=$|[\n;])", re.M)
# what a step checks: a step whose failure cannot fail the build checks nothing
CHECKING = ("test", "integration")


def swallowed(line: str) -> bool:
    """The command of this line cannot fail the build (`python test.py || true`)."""
    return bool(SWALLOWED.search(line))


def classify(text: str, checked: bool = True) -> list[str]:
    """What a step runs; installing a tool (`pip install pytest`) is not running it, and
    printing a command is not running it either. A step whose only image build is the serving
    tool's is `serving_image`, not `build_image`. Tests whose failure is ignored (`pytest ||
    true`, or `checked=False`: a step marked `continue-on-error`) test nothing."""
    text = INSTALL.sub("", text)
    kept = SWALLOWED.sub("", text)
    tests = STEP_KINDS["test"]
    if not checked or (
        tests.search(PRINTED.sub("", text)) and not tests.search(PRINTED.sub("", kept))
    ):
        text = PRINTED.sub("", kept)
        kinds = [k for k, p in STEP_KINDS.items() if p.search(text) and k not in CHECKING]
    else:
        text = PRINTED.sub("", text)
        kinds = [kind for kind, pattern in STEP_KINDS.items() if pattern.search(text)]
    if "build_image" in kinds and not STEP_KINDS["build_image"].search(
        SERVING_IMAGE.sub(" ", text)
    ):
        kinds[kinds.index("build_image")] = "serving_image"
    return kinds


_PYTHON = re.compile(r"^python(\d+(\.\d+)*)?$")
_SHELLS = {"bash", "sh", "zsh", "source", "."}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def scripts_run(text: str) -> list[dict[str, Any]]:
    """The repository's own scripts a command runs: `python path.py`, `python -m pkg.mod`,
    `bash path.sh`, `./path.sh` (with `VAR=value`, `uv run`, `poetry run` in front)."""
    found: list[dict[str, Any]] = []
    folder = ""  # the folder a `cd pipeline/` line before moved to
    for line in text.replace("\\\n", " ").splitlines():
        unchecked = {"unchecked": True} if swallowed(line) else {}
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        if words[:1] == ["cd"] and len(words) > 1 and words[2:3] in ([], ["&&"], [";"]):
            # a folder named by a variable (`cd $(projectRoot)`) is read as the checkout's root
            target = "" if "$" in words[1] else words[1]
            folder = posixpath.normpath(posixpath.join(folder, target)) if target else ""
            words = words[3:]
        start = len(found)
        for i, word in enumerate(words):
            rest = words[i + 1 :]
            if _PYTHON.match(word.rsplit("/", 1)[-1]):
                args = [a for a in rest if not a.startswith("-") or a == "-m"]
                if args[:1] == ["-m"] and len(args) > 1:
                    found.append({"module": args[1], **unchecked})
                elif args and args[0].endswith(".py"):
                    found.append({"script": _relative(args[0]), **unchecked})
            elif word in _SHELLS and rest and rest[0].endswith(".sh"):
                found.append({"script": _relative(rest[0]), **unchecked})
            elif (
                # `./deploy.sh`, or a script by its folder (`infra/aws/ssm_run.sh backend`)
                (word.startswith("./") or ("/" in word and not word.startswith(("/", "~"))))
                and word.endswith((".sh", ".py"))
                # the command itself, after the variables it is given (`MODEL=x ./submit.sh`)
                and all(_ASSIGNMENT.match(w) for w in words[:i])
            ):
                found.append({"script": _relative(word), **unchecked})
        if folder not in ("", "."):
            for run in found[start:]:
                if "script" in run:
                    run["script"] = posixpath.normpath(posixpath.join(folder, run["script"]))
    unique: list[dict[str, Any]] = []
    for run in found:
        if run not in unique and "$" not in str(run):
            unique.append(run)
    return unique


def _relative(path: str) -> str:
    return path[2:] if path.startswith("./") else path.lstrip("/")


# a model server image built from the model itself: what the service then runs in
MODEL_IMAGE = re.compile(
    r"\b(bentoml)\s+(containerize\b|build\b[^\n]*--containerize\b)|"
    r"\b(mlflow)\s+models\s+build-docker\b",
    re.I,
)


# `mlem deployment run flyio NAME --model PATH`: MLEM builds the model's FastAPI server image
# and runs it on the target, so the step serves the model from a container it builds
MLEM_DEPLOY = re.compile(
    r"\bmlem\s+deployment\s+run\s+(flyio|heroku|docker_container|docker|kubernetes|sagemaker)\b"
)


def _script_facts(
    text: str, path: str, line: int, job: str, checked: bool = True, provider: str = ""
) -> list[Fact]:
    unchecked = {} if checked else {"unchecked": True}
    facts = [
        Fact(kind="ci.step.script", path=path, line=line, detail={"job": job, **run, **unchecked})
        for run in scripts_run(text)
    ]
    if REGISTER_CLI.search(PRINTED.sub("", text)):
        # the step registers a model version (`az ml model create --path azureml://jobs/...`)
        detail = {"tool": f"{provider} CLI" if provider else "registry CLI", "job": job}
        facts.append(Fact(kind="registry.model", path=path, line=line, detail=detail))
    mlem = MLEM_DEPLOY.search(PRINTED.sub("", INSTALL.sub("", text)))
    if mlem:
        detail = {"job": job, "tool": f"MLEM {mlem.group(1)}"}
        facts.append(Fact(kind="container.image", path=path, line=line, detail=dict(detail)))
        facts.append(Fact(kind="serving.app", path=path, line=line, detail=dict(detail)))
    image = MODEL_IMAGE.search(INSTALL.sub("", text))
    if image:
        # `bentoml containerize` / `mlflow models build-docker` in CI builds the image the
        # model's service runs in (from a bentofile or the logged model, not a Dockerfile)
        tool = "BentoML image" if image.group(1) else "MLflow model image"
        facts.append(
            Fact(kind="container.image", path=path, line=line, detail={"job": job, "tool": tool})
        )
    return facts


# the checkout folder a CI provider names in a path (`$(Build.SourcesDirectory)/x.py`)
_CHECKOUT_DIR = re.compile(
    r"^(\$\(\s*(Build\.SourcesDirectory|System\.DefaultWorkingDirectory|Pipeline\.Workspace)\s*\)"
    r"|\$\{\{\s*github\.workspace\s*\}\}|\$\{?(GITHUB_WORKSPACE|CI_PROJECT_DIR|"
    r"CODEBUILD_SRC_DIR|WORKSPACE|BUILD_SOURCESDIRECTORY)\}?)/",
    re.I,
)


def pipeline_scripts(text: str, kind: str = "pipeline_deploy") -> list[str]:
    """The scripts a step runs that make it a pipeline run (or a deploy: `kind`) only by their
    names (`python $(Build.SourcesDirectory)/ml_service/pipelines/build_train_pipeline.py`,
    `python src/deployment/deploy_model.py`): when none is in the repository, the step runs
    nothing of it. Empty when the step's command itself runs the pipeline or deploys."""
    text = PRINTED.sub("", INSTALL.sub("", text))
    scripts = [
        _relative(_CHECKOUT_DIR.sub("", token))
        for token in re.split(r"[\s;&|'\"]+", text)
        if token.endswith(".py") and STEP_KINDS[kind].search(token)
    ]
    rest = re.sub(r"\S+\.py\b", " ", text)
    if not scripts or STEP_KINDS[kind].search(rest) or "$" in "".join(scripts):
        return []
    return scripts
