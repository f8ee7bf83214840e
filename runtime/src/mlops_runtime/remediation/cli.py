"""`python -m <package>.remediation`: run the remediation receiver (see receiver.py); a project's
entry point (`src/<package>/remediation.py`) calls `main(PROJECT)`."""

from __future__ import annotations

import argparse
import logging
import sys

from ..project import Project


def main(project: Project, argv: list[str] | None = None) -> int:
    """Run the receiver of `project` until interrupted; 1 if its policy or tokens cannot be
    read. `--init-token` writes a random token file (if there is none) and exits."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {project.package}.remediation",
        description="Receive Alertmanager webhooks; apply the policy.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9095, help="port (default 9095)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done, do nothing")
    parser.add_argument(
        "--init-token",
        action="store_true",
        help="write a random token to the token file ($REMEDIATION_TOKEN_FILE, default "
        "secrets/remediation-token) unless it exists, and exit",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from .receiver import TokenError, default_remediator, init_token, load_tokens, make_server
    from .receiver import token_file as token_path

    path = token_path(project)
    if args.init_token:
        print(f"{path}: {'written' if init_token(path) else 'exists, kept'}")
        return 0
    try:
        tokens = load_tokens(path)
        remediator = default_remediator(project, dry_run=args.dry_run)
    except (FileNotFoundError, ValueError, TokenError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    server = make_server(remediator, args.host, args.port, tokens)
    print(f"remediation receiver on http://{args.host}:{args.port}/alerts "
          f"({len(tokens)} caller(s): {', '.join(sorted(tokens))})", flush=True)  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        remediator.close()
    return 0
