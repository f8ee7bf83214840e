"""The remediation receiver for Alertmanager's webhooks (what `make receiver` runs):

    python -m <package>.remediation [--host 127.0.0.1] [--port 9095] [--dry-run]

The receiver is the platform's (`mlops_runtime.remediation`); this project owns
config/remediation.yaml, which says which alert triggers which action.
"""

from __future__ import annotations

import sys

from mlops_runtime.remediation.cli import main

from .platform import PROJECT

if __name__ == "__main__":
    sys.exit(main(PROJECT))
