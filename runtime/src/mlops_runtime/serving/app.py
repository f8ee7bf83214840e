"""The serving app: `/predict`, `/health` (liveness), `/ready` (readiness), `/metrics`.

A project keeps a thin `serving/app.py` that calls `create_app(PROJECT, features, scorer)` with
its contract's feature columns and its scoring function; everything else is here. A project
without a data contract (adopted around a team's package) passes `features=None` and a loader
that reads each version's MLflow signature (`serving.signature.create_app` does both): the rows
are then checked against the served version's signature, and labels are the model's own.

- Model: at start-up the version behind `$SERVING_MODEL_ALIAS`, else the environment's alias, or
  the version `$SERVING_MODEL_VERSION` when set; until that succeeded `/ready` and `/predict`
  answer 503 and a background task retries every `$SERVING_RETRY_SECONDS` (30).
- Alias changes: every `$SERVING_RELOAD_SECONDS` (30; 0 turns it off; at most 300) the app asks
  the registry which version the alias names; when it changed (a promotion or a rollback) the new
  version is loaded beside the old one and swapped in with one assignment, so requests in flight
  finish on the old version and none fails. A pinned version is never swapped.
- Limits: a request body over `$SERVING_MAX_BODY_BYTES` (1 MiB) is refused with 413 before it is
  read, whatever its headers say (a body without or with a wrong Content-Length is counted as it
  arrives); a body that does not arrive within `$SERVING_BODY_TIMEOUT_SECONDS` (10) gets 408; at
  most `MAX_ROWS` rows per request; a 422 names the field and the rule, never the value sent.
- Request ids: every response carries `X-Request-ID`, made by the server; a caller's
  `X-Request-ID` is kept only as the correlation id of the prediction event (hooks, logs), never
  as a key.
- Hooks (`hooks.ServingHooks`) run after each prediction (the prediction log at level 3); a hook
  reporting not ready (e.g. a log sink down too long) makes `/ready` answer 503.
- Champion/challenger (`variants`): with `ab_config` set, the router decides per request.
- By entity id (`entities`, `by_entity`): with a feature store's server given, `/predict` also
  takes `{"customer_ids": [...]}` and scores the entities' online features.
"""

# No `from __future__ import annotations`: FastAPI reads the handler's annotations, and the
# request model is built at run time, inside create_app.
import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..contract import ColumnSpec
from ..explain import DEFAULT_TOP, MAX_EXPLAINED_ROWS
from ..limits import LimitsPolicy
from ..project import Project
from .by_entity import OnlineRows, with_ids, without_entity
from .edge import REQUEST_ID_HEADER, BodyLimit, correlation_id
from .entities import EntityNotFound, FeatureServer, FeatureServerDown
from .explanations import Explainer, explains_values
from .hooks import PredictionEvent, ServingHooks
from .lifecycle import (
    MAX_RELOAD_SECONDS,
    Loader,
    ServingState,
    follow_alias,
    retry_until_loaded,
)
from .limits import Checkers, refusal, shown
from .loader import VERSION_ENV, LoadedModel, load_alias, load_model, serving_alias
from .metrics import ServingMetrics
from .rows import SignatureRows
from .schemas import (
    MAX_ROWS,
    ExplainedPrediction,
    ExplainedSignaturePrediction,
    Prediction,
    PredictResponse,
    Readiness,
    SignaturePrediction,
    SignatureResponse,
    entity_request_model,
    free_request_model,
    free_row_model,
    request_model,
    row_model,
)
from .variants import VariantConfig, VariantRouter

Scorer = Callable[[Any, pd.DataFrame], tuple[list[float], list[int]]]


@dataclass(frozen=True)
class ServingOptions:
    """The app's limits and intervals, from the environment (the table in the module doc)."""

    retry_seconds: float = 30.0
    reload_seconds: float = 30.0
    max_body_bytes: int = 1 << 20
    body_timeout_seconds: float = 10.0
    max_rows: int = MAX_ROWS

    @classmethod
    def from_env(cls) -> "ServingOptions":
        env = os.environ.get
        reload_seconds = float(env("SERVING_RELOAD_SECONDS") or 30)
        return cls(
            retry_seconds=float(env("SERVING_RETRY_SECONDS") or 30),
            # bounded: a typo cannot leave a rollback unseen for hours
            reload_seconds=min(max(reload_seconds, 0.0), MAX_RELOAD_SECONDS),
            max_body_bytes=int(env("SERVING_MAX_BODY_BYTES") or 1 << 20),
            body_timeout_seconds=float(env("SERVING_BODY_TIMEOUT_SECONDS") or 10),
        )


def create_app(
    project: Project,
    features: Sequence[ColumnSpec] | None,
    scorer: Scorer,
    *,
    alias: str | None = None,
    loader: Loader | None = None,
    hooks: ServingHooks | None = None,
    ab_config: str | Path | None = None,
    challenger_loader: Callable[[str], LoadedModel] | None = None,
    options: ServingOptions | None = None,
    summary: str = "Predictions from the registry's model",
    baseline_loader: Callable[[LoadedModel], dict[str, Any] | None] | None = None,
    limits: LimitsPolicy | None = None,
    ranges_loader: Callable[[LoadedModel], dict[str, Any] | None] | None = None,
    entities: FeatureServer | None = None,
) -> FastAPI:
    """The app serving `alias` (default: `$SERVING_MODEL_ALIAS`, else the environment's alias).

    `features`: the data contract's feature columns (the request schema, in order), or None: each
    row is checked against the served version's `LoadedModel.features` (its MLflow signature,
    set by the loader), labels are the model's own values and a probability may be None;
    `scorer`: `(model, frame) -> (probabilities, labels)`, the project's own scoring; `loader`:
    how a version is loaded (default: the registry, through the project's hooks); `hooks`: run after
    each prediction; `ab_config`: the project's A/B config file (champion/challenger routing;
    `challenger_loader` loads an alias for it); `baseline_loader`: the reference row of a
    version for `explain=true` (default: its run's `explanation_baseline.json`, else the
    contract's midpoints); `limits`: what a row past the knowledge limits gets (default
    `LimitsPolicy.from_env()`), checked against `ranges_loader(version)` (default: its run's
    `feature_ranges.json`); `entities`: a feature store's server (`serving.entities`), so
    `/predict` also takes entity ids (`{"customer_ids": [...]}`) and scores their online
    features (404 naming ids without an online row, 503 when the server gives no answer).
    """
    options = options or ServingOptions.from_env()
    metrics = ServingMetrics(project.name)
    hooks = hooks or ServingHooks()
    hooks.register_metrics(metrics.registry, project.name)
    router = None
    if ab_config is not None:
        router = VariantRouter(
            project.name,
            VariantConfig.load(project.path(ab_config)),
            metrics.registry,
            loader=challenger_loader or loader or (lambda a: load_alias(project, a)),
            scorer=scorer,
            hooks=hooks,  # shadow scorings reach the hooks as `challenger-shadow`
        )
    explainer = Explainer(project, list(features or ()), baseline_loader)
    checkers = Checkers(project, limits or LimitsPolicy.from_env(), ranges_loader)
    load = loader or (lambda a: load_model(project, a))

    def loading(wanted: str | None) -> LoadedModel:
        # Where a version is loaded (start-up, an alias move), never on a request's path: its
        # training ranges are fetched for it. (The explanation baseline is fetched by the
        # first explain=true request, which asked for the extra work.)
        loaded = load(wanted)
        checkers.prefetch(loaded)
        return loaded

    state = ServingState(
        project,
        alias or serving_alias(),
        loading,
        hooks,
        router,
        metrics,
    )
    by_signature = features is None
    if by_signature:
        predict_request = free_request_model(options.max_rows)
        answer, answer_row = SignatureResponse, SignaturePrediction
    else:
        columns = [spec.name for spec in features]
        contract_row = row_model(list(features))
        predict_request = request_model(contract_row, options.max_rows)
        check_online = OnlineRows(columns, contract_row)
        answer, answer_row = PredictResponse, Prediction
    if entities is not None:
        row = free_row_model() if by_signature else contract_row
        predict_request = entity_request_model(
            row, entities.ids_field, entities.id_type, options.max_rows
        )
    signature_rows = SignatureRows()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        tasks = []
        state.hooks.start()
        if not await asyncio.to_thread(state.load):
            tasks.append(asyncio.create_task(retry_until_loaded(state, options.retry_seconds)))
        if options.reload_seconds > 0 and not os.environ.get(VERSION_ENV):
            tasks.append(asyncio.create_task(follow_alias(state, options.reload_seconds)))
        yield
        if state.router is not None:
            state.router.close()
        for task in tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(state.hooks.stop)  # e.g. writes what the prediction log holds

    app = FastAPI(title=f"{project.name} serving", summary=summary, lifespan=lifespan)
    app.state.serving = state
    known_paths: set[str] = set()

    @app.exception_handler(RequestValidationError)
    async def refuse(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Name the field and the rule, never the value: a 422 must not echo what was sent.
        errors = [
            {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")}
            for e in exc.errors()[:20]
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.middleware("http")
    async def record_metrics(request: Request, call_next):
        # Label by route, never by raw path, so unknown URLs cannot grow the series count.
        if not known_paths:
            known_paths.update(getattr(route, "path", "") for route in app.routes)
        handler = request.url.path if request.url.path in known_paths else "other"
        started = time.perf_counter()
        status = 500
        request.state.request_id = uuid.uuid4().hex
        request.state.correlation_id = correlation_id(request.headers.get(REQUEST_ID_HEADER))
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers[REQUEST_ID_HEADER] = request.state.request_id
            return response
        finally:
            state.metrics.observe_request(
                handler, request.method, status, time.perf_counter() - started
            )

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "environment": os.environ.get("MLOPS_ENV", "dev")}

    @app.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
    def ready() -> JSONResponse:
        """Readiness: 200 once the model is loaded and every hook is ready, 503 before."""
        loaded = state.loaded
        if loaded is None:
            body = Readiness(status="not ready", model_alias=state.alias, reason=state.error)
            return JSONResponse(body.model_dump(), status_code=503)
        hooks_ready, why = state.hooks.ready()
        body = Readiness(
            status="ready" if hooks_ready else "not ready",
            model_name=loaded.name,
            model_version=loaded.version,
            model_alias=loaded.alias,
            reason=why,
        )
        return JSONResponse(body.model_dump(), status_code=200 if hooks_ready else 503)

    @app.post(
        "/predict",
        response_model=answer,
        responses={
            503: {"description": "no model loaded yet, or the feature server gave no answer"},
            404: {"description": "an entity id has no online features (feature store only)"},
        },
    )
    def predict_rows(
        request: predict_request, http: Request, explain: bool = False, top: int = DEFAULT_TOP
    ) -> PredictResponse | JSONResponse:
        """Probability and label for each row, and the model version that scored them; with
        `explain=true` also each row's `top` feature contributions (`ExplainedResponse`)."""
        loaded = state.loaded  # one read: a swap meanwhile does not touch this request
        if loaded is None:
            return JSONResponse({"detail": state.error}, status_code=503)
        ids = getattr(request, entities.ids_field) if entities is not None else None
        if explain and len(ids or request.rows) > MAX_EXPLAINED_ROWS:
            return JSONResponse(
                {"detail": f"explain=true takes at most {MAX_EXPLAINED_ROWS} rows"},
                status_code=422,
            )
        if ids is None:
            records = [row.model_dump() for row in request.rows]
        else:
            try:
                records = entities.rows(ids)
            except EntityNotFound as exc:
                return JSONResponse({"detail": str(exc)}, status_code=404)
            except FeatureServerDown as exc:
                return JSONResponse({"detail": str(exc)}, status_code=503)
            if by_signature:
                records = without_entity(entities.entity, records)
            else:
                records, broken = check_online(entities.entity, ids, records)
                if broken:
                    return JSONResponse({"detail": broken}, status_code=502)
        if by_signature:
            records, refused = signature_rows.check(loaded, records)
            if refused:
                return JSONResponse({"detail": refused}, status_code=422)
            frame = pd.DataFrame(records, columns=signature_rows.columns(loaded, records))
        else:
            frame = pd.DataFrame(records, columns=columns)
        if state.router is not None:
            key = http.headers.get(state.router.config.key_header)
            loaded, (probabilities, labels) = state.router.score(
                loaded, frame, key, http.state.request_id
            )
        else:
            probabilities, labels = scorer(loaded.model, frame)
        if by_signature:
            probabilities = [None if p is None else float(p) for p in probabilities]
            labels = [label.item() if hasattr(label, "item") else label for label in labels]
            if explain and None in probabilities and not explains_values(loaded.model, labels):
                return JSONResponse(
                    {"detail": "explain=true needs a binary classifier's positive-class "
                     "probability (predict_proba) or a regressor's numeric prediction; this "
                     "model has neither"},
                    status_code=422,
                )  # fmt: skip
        else:
            probabilities = [float(p) for p in probabilities]
            labels = [int(label) for label in labels]
        checker = checkers.of(loaded)
        row_limits = checker.assess(records, probabilities)
        state.metrics.observe_flags([r.flags for r in row_limits])
        if checker.policy.action == "refuse" and any(r.flags for r in row_limits):
            state.metrics.refused.labels(state.metrics.project).inc()
            return JSONResponse({"detail": refusal(row_limits)}, status_code=422)
        state.metrics.observe_predictions(probabilities, labels)
        state.hooks.after_predict(
            PredictionEvent(
                request_id=http.state.request_id,
                features=frame,
                probabilities=probabilities,
                labels=labels,
                model_name=loaded.name,
                model_version=loaded.version,
                model_alias=loaded.alias,
                correlation_id=http.state.correlation_id,
                limits=row_limits,
            )
        )
        if explain:
            explained = ExplainedSignaturePrediction if by_signature else ExplainedPrediction
            result = explainer.response(loaded, frame, probabilities, labels, top, scorer,
                                        explained, values=None in probabilities)  # fmt: skip
            return result if ids is None else with_ids(result, entities.entity, ids)
        result = answer(
            model_name=loaded.name,
            model_version=loaded.version,
            model_alias=loaded.alias,
            predictions=[
                answer_row(probability=p, label=label, **shown(limit, checker.policy))
                for p, label, limit in zip(probabilities, labels, row_limits, strict=True)
            ],
        )
        return result if ids is None else with_ids(result, entities.entity, ids)

    @app.get("/metrics", include_in_schema=False)
    def metrics_page() -> Response:
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(
        BodyLimit, max_bytes=options.max_body_bytes, timeout=options.body_timeout_seconds
    )
    if by_signature:
        app.openapi = _with_served_example(app, state)  # type: ignore[method-assign]
    return app


def _with_served_example(app: FastAPI, state: ServingState) -> Callable[[], dict[str, Any]]:
    """`/openapi.json` with the served version's input example as the row's example (what the
    smoke and load tests send to a model served by its signature)."""

    def openapi() -> dict[str, Any]:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        loaded = state.loaded
        row = schema.get("components", {}).get("schemas", {}).get("Row")
        if loaded is not None and loaded.example is not None and row is not None:
            row["examples"] = [loaded.example]
        return schema

    return openapi
