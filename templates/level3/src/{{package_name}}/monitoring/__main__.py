"""`python -m <package>.monitoring monitor|retrain|feedback|guards` (what `make monitor`,
`make retrain`, `make feedback` and `make guards` run): the platform's command line for this
project; `--help` lists the commands."""

from mlops_runtime.monitoring.cli import main

from ..platform import PROJECT

raise SystemExit(main(PROJECT))
