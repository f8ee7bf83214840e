"""API tests through a web framework's own test client other than FastAPI's: Flask's
`app.test_client()` (or a pytest `client` fixture built from it) sends requests to the project's
routes in-process, an API test of the service as much as FastAPI's `TestClient`. A test file that
builds its own Flask app tests that app, not the service (`test.own_app`)."""

from __future__ import annotations

import ast

from scaffolder.assess.models import Fact, Zone


def flask_test_clients(tree: ast.AST, path: str, zone: Zone) -> list[Fact]:
    facts: list[Fact] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "test_client" and not facts:
            facts.append(
                Fact(
                    kind="fastapi.testclient",
                    path=path,
                    line=node.lineno,
                    zone=zone,
                    detail={"tool": "Flask test client"},
                )
            )
    if facts:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("Flask", "flask.Flask"):
                facts.append(
                    Fact(kind="test.own_app", path=path, line=node.lineno, zone=zone, detail={})
                )
                break
    return facts
