"""Compares champion and challenger on their live metrics and promotes or rejects the challenger
(the platform's: `mlops_runtime.ab`; the queries and thresholds are config/ab_test.yaml's). A
promotion goes through the promotion policy and the audit log like every alias move.

    python -m <package>.serving.ab_compare --prometheus URL [--dry-run]   (make ab-compare)
"""

import sys

from mlops_runtime.ab import main

from ..platform import PROJECT

if __name__ == "__main__":
    sys.exit(main(PROJECT))
