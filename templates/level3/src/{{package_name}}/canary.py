"""Canary analysis as code (the platform's: `mlops_runtime.canary`) over this project's
k8s/base/analysis-template.yaml, the one place the PromQL lives.

    python -m <package>.canary rules [--output FILE | --check]   (make canary-rules)
    python -m <package>.canary check --prometheus URL --arg NAME=VALUE ...   (make canary-check)
"""

import sys

from mlops_runtime.canary import main

from .platform import PROJECT

if __name__ == "__main__":
    sys.exit(main(PROJECT))
