"""`python -m` this package: run the whole pipeline locally and print a summary."""

from __future__ import annotations

import argparse
import json
import sys

from .runner import run_pipeline
from .steps import DataValidationError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the training pipeline locally.")
    parser.add_argument("--config", help="pipeline config (default: config/pipeline.yaml)")
    parser.add_argument("--run-dir", help="folder for this run (default: artifacts/runs/<time>)")
    args = parser.parse_args(argv)
    try:
        result = run_pipeline(args.config, args.run_dir)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    evaluation, registered = result["evaluation"], result["registered"]
    print(json.dumps({k: round(v, 4) for k, v in evaluation["metrics"].items()}, indent=2))
    gate = "passed" if evaluation["passed"] else "failed: " + "; ".join(evaluation["gate_failures"])
    print(f"quality gate {gate}")
    print(
        f"registered {registered['model_name']} version {registered['version']} "
        f"(alias candidate{', champion' if registered['promoted'] else ''})"
    )
    print(f"run folder {result['run_dir']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
