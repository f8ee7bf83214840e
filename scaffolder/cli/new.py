"""`mlops-scaffold new NAME`: create a project at a level."""

from __future__ import annotations

import argparse
from pathlib import Path

from scaffolder.choices import DEFAULTS, LEVELS
from scaffolder.cli import base
from scaffolder.cli.base import (
    _answer_options,
    _echo_json,
    _errors_to_exit_codes,
    _format_option,
    _given,
    _levels_help,
    _overlay_options,
    _stderr,
)


def add(sub) -> None:
    p = sub.add_parser(
        "new",
        help="create a project at a maturity level, as a git repository",
        description="""
            Create a new project at a maturity level, as a git repository ready for `make
            setup && make test`.

            The pristine render is committed on branch mlops-scaffold/base and your branch
            `main` starts from it; .mlops-scaffold.yml records the answers. Keep both:
            `mlops-scaffold upgrade` merges later levels into your work through them. With a
            terminal, answers not given are asked for; without one, pass --defaults or every
            answer.
        """,
    )
    p.add_argument("name", metavar="NAME", help="project name; also the folder created")
    p.add_argument(
        "-l", "--level", type=int, choices=LEVELS, metavar="{0,1,2,3}",
        help=_levels_help("maturity level") + f" (default: {DEFAULTS['level']})",
    )  # fmt: skip
    p.add_argument(
        "-o", "--output-dir", type=Path, default=Path("."), metavar="DIR",
        help="folder to create the project in",
    )  # fmt: skip
    _answer_options(
        p,
        data_help="any answer by name: package_name, description, author, python_version "
        "(3.10-3.14), level, orchestrator, ci, data_versioning (dvc, none), data_remote, "
        "feature_store (feast, none; level 2 and up), "
        "default_branch, ci_runner, container_registry, base_image, env_manager (uv, pip), or "
        "an overlay's question",
    )
    _overlay_options(p, "org overlay")
    _format_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from scaffolder.new import NewRequest, closing_message, create_project
    from scaffolder.progress import reporter

    console = _stderr()
    with _errors_to_exit_codes(), reporter(console) as progress:
        given = _given(args.data, level=args.level, orchestrator=args.orchestrator, ci=args.ci)
        request = NewRequest(
            name=args.name,
            output_dir=args.output_dir,
            given=given,
            defaults=args.defaults,
            interactive=base._interactive(args.defaults),
            progress=progress,
            overlays=list(args.overlay or []),
        )
        result = create_project(request)
    if args.format == "json":
        from scaffolder.state import load_state

        state = load_state(result.path)
        _echo_json({
            "path": str(result.path), "level": result.answers.level,
            "answers": result.answers.model_dump(mode="json"),
            "template_version": state.template_version,
            "overlays": [o.model_dump(mode="json") for o in state.overlays],
            "base_commit": result.base_commit,
        })  # fmt: skip
    console.print(closing_message(result), soft_wrap=True, markup=False)
