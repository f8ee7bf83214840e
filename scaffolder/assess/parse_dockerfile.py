"""Facts from Dockerfiles: base image pinning, user, health check, what the image runs."""

from __future__ import annotations

import re
import shlex

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.platform_services import runs_platform

SERVING = re.compile(r"uvicorn|gunicorn|fastapi|serve|bentoml|mlflow\s+models\s+serve|flask", re.I)
# what the image's command runs of the project: `python app.py`, `python -m pkg.mod`, a shell
# script (`/app/start.sh`); read against the project's facts (checks/pipelines_images.py)
_PYTHON = re.compile(r"\bpython[\d.]*\s+(?:-[uOB]\s+)*(-m\s+)?([\w./-]+)")
_SCRIPT = re.compile(r"([\w./-]+\.sh)\b")
# a web UI the image starts: the app of a person, not a pipeline's step
_UI_APP = re.compile(r"\b(streamlit\s+run|gradio|panel\s+serve|voila)\b", re.I)


# an AWS Lambda base image runs the handler its CMD names (`lambda_function.lambda_handler`)
_LAMBDA_BASE = re.compile(r"(^|/)(lambda/python|aws-lambda-python)", re.I)
_HANDLER = re.compile(r"^\W*([A-Za-z_][\w.]*)\.[A-Za-z_]\w*\W*$")


def instruction_words(args: str) -> list[str]:
    """An instruction's arguments, exec form (`["a", "b"]`) or shell form (quotes kept
    together, as the shell reads them)."""
    args = args.strip()
    if args.startswith("["):
        return re.findall(r'"([^"]*)"', args)
    try:
        return shlex.split(args)
    except ValueError:
        return args.split()


def _entry(run: str, base: str) -> list[str]:
    """The project's files and modules the command runs (`mod:pkg.mod` for `-m`)."""
    words = run.replace('", "', " ").replace('","', " ")
    entry = [f"mod:{m.group(2)}" if m.group(1) else m.group(2) for m in _PYTHON.finditer(words)]
    entry += [m.group(1) for m in _SCRIPT.finditer(words)]
    if _LAMBDA_BASE.search(base) and (handler := _HANDLER.match(run.strip())):
        entry.append(f"mod:{handler.group(1)}")
    return [e for e in entry if e not in ("-c",)][:5]


# `RUN python train.py`: a script of the project run while the image builds
BUILD_SCRIPT = re.compile(r"\bpython\d?(\.\d+)?\s+[^\s-]\S*\.py\b")


def _instructions(text: str) -> list[tuple[int, str, str]]:
    """(line, INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    result: list[tuple[int, str, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if not buffer:
            start = number
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        parts = buffer.split(None, 1)
        result.append((start, parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        buffer = ""
    return result


def parse_dockerfile(text: str, path: str, zone: Zone) -> list[Fact]:
    instructions = _instructions(text)
    bases = [(line, args) for line, ins, args in instructions if ins == "FROM"]
    if not bases:
        return [Fact(kind="docker.invalid", path=path, line=1, zone=zone)]
    stages = {m.group(1).lower() for _, a in bases if (m := re.search(r"\bAS\s+(\S+)", a, re.I))}
    pinned = True
    for _, args in bases:
        image = [a for a in args.split() if not a.startswith("--")][0]
        if image.lower() in stages or image == "scratch":
            continue
        tag = image.rsplit("/", 1)[-1]
        if "@sha256:" not in image and (":" not in tag or tag.endswith(":latest")):
            pinned = False
    users = [args.strip() for _, ins, args in instructions if ins == "USER"]
    run = " ".join(args for _, ins, args in instructions if ins in ("CMD", "ENTRYPOINT"))
    built = " ".join(args for _, ins, args in instructions if ins == "RUN")
    return [
        Fact(
            kind="docker.image",
            path=path,
            line=bases[-1][0],
            zone=zone,
            detail={
                "base": bases[-1][1].split()[0] if bases[-1][1].split() else "",
                "pinned": pinned,
                "non_root": bool(users) and users[-1].split(":")[0] not in ("root", "0"),
                "healthcheck": any(ins == "HEALTHCHECK" for _, ins, _ in instructions),
                "serving": bool(SERVING.search(run)),
                "runs": run[:200],
                "entry": _entry(run, bases[-1][1]),
                "copies": [
                    word
                    for _, ins, args in instructions
                    if ins in ("COPY", "ADD") and "--from" not in args
                    for word in instruction_words(args)[:-1]
                    if not word.startswith("--")
                ][:20],
                **({"ui": True} if _UI_APP.search(run) else {}),
                # the image starts a platform server (`mlflow server`), none of the project's code
                **({"platform": True} if runs_platform(run) else {}),
                # a script of the project run while the image builds (training at build time)
                **({"builds_with": True} if BUILD_SCRIPT.search(built) else {}),
            },
        )
    ]
