"""Governance from the command line (what `make rollback`, `make policy-check` and CD run):

    python -m <package>.governance {check,promote,approve,rollback,lineage,audit} --help

The promotion policy engine, alias moves and the audit log are the platform's
(`mlops_runtime.governance`); this project owns config/promotion_policy.yaml.
"""

from __future__ import annotations

import sys

from mlops_runtime.governance.cli import main

from .platform import PROJECT

if __name__ == "__main__":
    sys.exit(main(PROJECT))
