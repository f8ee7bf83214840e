"""`python -m scaffolder` runs the CLI."""

from scaffolder.cli import main

main()
