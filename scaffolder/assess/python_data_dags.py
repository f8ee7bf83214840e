"""An Airflow DAG that only moves data: ingestion, not a training pipeline.

A DAG is the project's training pipeline only when its tasks can train. A DAG file whose imports
are all the standard library, data and I/O libraries (pandas, requests, SQLAlchemy, cloud storage
clients) and Airflow's own Python, transfer, sensor and storage operators, which runs no command
(no subprocess, no Bash, Docker, Kubernetes or managed-job operator, no other DAG triggered),
imports none of the project's modules, calls nothing that fits, trains or saves a model and
defines its tasks itself (not a DAG factory), can only fetch, copy and load data: its
`airflow.dag` fact says `moves_data`, and the pipelines dimension counts it neither as an
orchestrated training pipeline (as a KFP pipeline of data steps, `python_scoring.py`) nor as
scheduled training.
"""

from __future__ import annotations

import ast
import re
import sys

from scaffolder.assess.models import Fact
from scaffolder.assess.python_scoring import TRAINS

STDLIB = frozenset(sys.stdlib_module_names) - {"subprocess", "multiprocessing"}
# libraries that fetch, parse, store and move data, and train nothing
DATA_LIBRARIES = frozenset(
    {
        "pandas",
        "numpy",
        "requests",
        "httpx",
        "aiohttp",
        "urllib3",
        "bs4",
        "lxml",
        "feedparser",
        "sqlalchemy",
        "psycopg2",
        "pymysql",
        "pymongo",
        "redis",
        "boto3",
        "s3fs",
        "gcsfs",
        "pyarrow",
        "pendulum",
        "dateutil",
        "pytz",
        "yaml",
        "dotenv",
        "kafka",
        "confluent_kafka",
    }
)
DATA_PREFIXES = ("google.cloud.storage", "google.cloud.bigquery")
# Airflow's own modules whose operators run only the DAG file's Python or move data
AIRFLOW_PREFIXES = (
    "airflow.DAG",
    "airflow.models",
    "airflow.decorators",
    "airflow.operators.python",
    "airflow.operators.empty",
    "airflow.operators.dummy",
    "airflow.utils",
    "airflow.hooks",
    "airflow.sensors",
    "airflow.exceptions",
    "airflow.datasets",
    "airflow.sdk",
    "airflow.providers.common.sql",
    "airflow.providers.postgres",
    "airflow.providers.mysql",
    "airflow.providers.slack",
)
# provider operators that copy or list objects (GCSToLocalFilesystemOperator, S3 copies)
AIRFLOW_DATA_PARTS = (".transfers.", ".hooks.", ".sensors.", ".operators.gcs", ".operators.s3")
# facts a data-moving DAG file may hold besides its DAG: its failure callbacks
OWN_KINDS = {"airflow.dag", "alert.notify"}


def _data_import(name: str) -> bool:
    top = name.split(".")[0]
    if top == "airflow":
        return (
            name == "airflow"
            or name.startswith(AIRFLOW_PREFIXES)
            or (
                name.startswith("airflow.providers.")
                and any(part in name + "." for part in AIRFLOW_DATA_PARTS)
            )
        )
    if name.startswith(DATA_PREFIXES) or name in ("google", "google.cloud"):
        return True
    return top in STDLIB or top in DATA_LIBRARIES


# a string that names training or a model (`"http://trainer/train"`, `"models/churn.pkl"`): the
# DAG may start training elsewhere (an HTTP call, a queue message), so it is not marked
TRAINING_TEXT = re.compile(r"train|model", re.I)


def _runs_or_trains(tree: ast.AST) -> bool:
    """A call that runs a command (`os.system`, `task.bash`) or whose name trains (`fit`), or a
    string that names training or a model."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and TRAINING_TEXT.search(node.value)
        ):
            return True
        if isinstance(node, ast.Attribute) and node.attr in (
            "system",
            "popen",
            "bash",
            "docker",
            "kubernetes",
            "external_python",
        ):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if TRAINS.search(name):
                return True
    return False


def _defines_tasks(tree: ast.AST) -> bool:
    """The file defines its DAG's tasks (an operator given a `task_id=`, a `@task` function):
    a DAG factory whose tasks a caller adds (`define()` inside `with DAG(...)`) says nothing
    of what they run."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(k.arg == "task_id" for k in node.keywords):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else ""
                name = name or getattr(target, "id", "")
                if name == "task":
                    return True
    return False


def mark_data_dags(
    tree: ast.AST, facts: list[Fact], imports: set[str], local_imports: list[str]
) -> None:
    """Mark the file's Airflow DAGs as moving data when nothing in the file can train."""
    dags = [f for f in facts if f.kind == "airflow.dag"]
    if not dags or any(f.kind not in OWN_KINDS for f in facts):
        return
    # a relative import is the project's own module (an absolute one is read by its name below:
    # a folder named `airflow/` makes Airflow's own modules look local)
    if any(name not in imports for name in local_imports):
        return
    if not all(_data_import(name) for name in imports) or _runs_or_trains(tree):
        return
    if not _defines_tasks(tree):
        return
    for fact in dags:
        fact.detail["moves_data"] = True
