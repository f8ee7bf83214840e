"""`assess` end to end: scan, check, apply exemptions, questionnaire, score, write the report.

The one function the CLI calls is `run_assess`; `assess_repo` is the library entry point.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scaffolder.assess.models import AssessError, Report

FORMATS = ("text", "markdown", "json", "sarif")


class FailUnderError(AssessError):
    """The repository is below `--fail-under`: the CI gate fails (exit 1)."""


@dataclass
class AssessRequest:
    path: Path = Path(".")
    format: str = "text"
    output: Path | None = None
    fail_under: int | None = None
    questionnaire: str | None = None  # None: no questionnaire; "builtin" or a bank file
    interactive: bool = False
    history: Path | None = None
    verbose: bool = False
    explain: str | None = None
    repos_file: Path | None = None
    jsonl: Path | None = None
    jobs: int | None = None


@dataclass
class AssessResult:
    report: Report | None
    summary: str


def assess_repo(root: Path, questionnaire: str | None = None, ask=None) -> Report:
    """Assess one checkout and return its report (no output is written, except saved answers)."""
    from scaffolder.assess.checks import run_checks
    from scaffolder.assess.exemptions import apply_exemptions, load_exemptions
    from scaffolder.assess.scan import head_commit, scan
    from scaffolder.assess.scoring import build_report

    facts = scan(root)
    exemptions = load_exemptions(root)
    results = apply_exemptions(run_checks(facts), exemptions)
    questions = None
    if questionnaire is not None:
        from scaffolder.assess.questionnaire import load_bank, run_questionnaire

        questions = run_questionnaire(root, load_bank(questionnaire), results, ask)
    return build_report(str(root), head_commit(root), facts, results, exemptions, questions)


def _existing(root: Path) -> set[str]:
    from scaffolder.assess.checks import CHECKS

    candidates = {c.add_file for c in CHECKS if c.add_file} | {"pyproject.toml", "README.md"}
    return {c for c in candidates if (root / c).exists()}


def run_assess(request: AssessRequest, console) -> AssessResult:
    """Do what the command line asked; machine formats go to stdout or --output, the rest to
    `console` (stderr). Raises FailUnderError after writing the report when below --fail-under."""
    import sys

    if request.explain:
        from scaffolder.assess.explain import explain

        return AssessResult(None, explain(request.explain))
    if request.format not in FORMATS:
        raise AssessError(f"format '{request.format}' is not one of {', '.join(FORMATS)}")
    if request.fail_under is not None and not 0 <= request.fail_under <= 3:
        raise AssessError(f"--fail-under {request.fail_under} is not a level; use 0 to 3")
    if request.repos_file or request.jsonl:
        return _fleet(request)
    root = request.path
    if not root.is_dir():
        raise AssessError(f"{root} is not a folder; pass the path of a repository checkout")
    ask = None
    if request.questionnaire is not None and request.interactive:
        from scaffolder.assess.questionnaire import terminal_asker

        ask = terminal_asker()
    report = assess_repo(root, request.questionnaire, ask)
    history_note = None
    if request.history:
        from scaffolder.assess.history import append_history

        history_note = append_history(request.history, report)
    if request.format == "text":
        from scaffolder.assess.report_text import render_text

        if request.output:
            from rich.console import Console

            with _open(request.output) as handle:
                render_text(
                    report,
                    Console(file=handle, color_system=None, width=120),
                    request.verbose,
                    history_note,
                )
        else:
            render_text(report, console, request.verbose, history_note)
    else:
        text = _render(report, request.format, root)
        if request.output:
            with _open(request.output) as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
        if history_note:
            console.print(history_note)
    if request.fail_under is not None and report.level < request.fail_under:
        weakest = min(report.dimensions, key=lambda d: d.level)
        raise FailUnderError(
            f"{root} is at level {report.level}, under --fail-under {request.fail_under} "
            f"({weakest.title} is at {weakest.level}); follow the roadmap in the report"
        )
    summary = f"Level {report.level} ({report.level_name})"
    if request.output:
        summary += f"; report written to {request.output}"
    return AssessResult(report, summary)


def _render(report: Report, fmt: str, root: Path) -> str:
    if fmt == "json":
        from scaffolder.assess.report_json import render_json

        return render_json(report)
    if fmt == "markdown":
        from scaffolder.assess.report_markdown import render_markdown

        return render_markdown(report)
    from scaffolder.assess.report_sarif import render_sarif

    return render_sarif(report, _existing(root))


def _open(path: Path):
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise AssessError(f"cannot write {path}: {exc.strerror}; choose another --output") from None


def _fleet(request: AssessRequest) -> AssessResult:
    from scaffolder.assess.fleet import read_repos_file, run_fleet

    if not (request.repos_file and request.jsonl):
        raise AssessError(
            "--repos-file and --jsonl go together: the repos to assess and the JSON-lines "
            "file to write"
        )
    repos = read_repos_file(request.repos_file)
    counts = run_fleet(repos, request.jsonl, request.jobs)
    levels = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if k.startswith("level"))
    return AssessResult(
        None,
        f"Assessed {counts['repos']} repos ({levels or 'none'}; "
        f"{counts['errors']} errors) into {request.jsonl}",
    )
