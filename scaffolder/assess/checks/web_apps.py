"""Web apps that serve a model whatever their routes are called."""

from __future__ import annotations

from scaffolder.assess.checks.base import of, reachable
from scaffolder.assess.models import Fact, Facts


def flask_apps_serving_a_model(f: Facts) -> list[Fact]:
    """A route of each Flask app whose module, or the project modules it imports, load a model:
    the app predicts with it (`@app.route("/")` of a form app posting the features), whatever
    its routes are called."""
    return _first_route_of_apps_loading_a_model(f, of(f, "flask.route"))


def fastapi_form_apps_serving_a_model(f: Facts) -> list[Fact]:
    """A POST route of each FastAPI app whose module, or the project modules it imports, load a
    model (`@app.post("/")` of a form app posting the features): it predicts with the model, as
    a Flask form app does, whatever the route is called. Its GET routes serve pages."""
    posts = [x for x in of(f, "fastapi.route") if x.detail.get("method") == "post"]
    return _first_route_of_apps_loading_a_model(f, posts)


def _first_route_of_apps_loading_a_model(f: Facts, routes: list[Fact]) -> list[Fact]:
    """The first of `routes` in each file whose module, or the project modules it imports, load
    a model."""
    if not routes:
        return []
    loads = {x.path for x in of(f, "model.load")}
    hits = []
    for path in sorted({x.path for x in routes}):
        if reachable(f, {path}) & loads:
            hits.append(next(x for x in routes if x.path == path))
    return hits
