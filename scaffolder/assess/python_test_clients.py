"""API tests through a web framework's own test client other than FastAPI's: Flask's
`app.test_client()` (or a pytest `client` fixture built from it) sends requests to the project's
routes in-process, an API test of the service as much as FastAPI's `TestClient`. A test file that
builds its own Flask app tests that app, not the service (`test.own_app`)."""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact, Zone


def _first_call(tree: ast.AST, matches) -> ast.Call | None:
    return next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and matches(n.func)), None)


def flask_test_clients(tree: ast.AST, path: str, zone: Zone) -> list[Fact]:
    client = _first_call(
        tree, lambda func: isinstance(func, ast.Attribute) and func.attr == "test_client"
    )
    if client is None:
        return []
    facts = [
        Fact(
            kind="fastapi.testclient",
            path=path,
            line=client.lineno,
            zone=zone,
            detail={"tool": "Flask test client"},
        )
    ]
    own = _first_call(tree, lambda func: ast.unparse(func) in ("Flask", "flask.Flask"))
    if own is not None:
        facts.append(Fact(kind="test.own_app", path=path, line=own.lineno, zone=zone, detail={}))
    return facts
