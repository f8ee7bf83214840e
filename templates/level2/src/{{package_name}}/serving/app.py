"""The serving app: `/predict`, `/health` (liveness), `/ready` (readiness), `/metrics`.

At start-up it loads from the MLflow registry the model version behind `$SERVING_MODEL_ALIAS`,
else behind the environment's alias (MLOPS_ENV, config/environments.yaml), or the version
`$SERVING_MODEL_VERSION` when set; until that succeeded `/ready` and `/predict` answer 503 and a
background task retries. The request schema comes from the data contract, and rows are scored
by the package's `predict.predict` (which calls `features.build_features`), the same code as
training and batch scoring, so serving cannot drift from them.
"""

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

import pandas as pd
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..config import PROJECT_NAME
from ..contract import load_contract
from ..features import FEATURE_COLUMNS
from ..predict import predict
from .loader import VERSION_ENV, LoadedModel, load_model, serving_alias
from .metrics import ServingMetrics
from .schemas import Prediction, PredictResponse, Readiness, request_model, row_model

log = logging.getLogger(__name__)

RETRY_ENV = "SERVING_RETRY_SECONDS"
Loader = Callable[[str | None], LoadedModel]


class ServingState:
    """What the handlers share: the loaded model (or why there is none) and the metrics."""

    def __init__(self, alias: str | None, loader: Loader):
        self.alias = alias
        self.loader = loader
        self.loaded: LoadedModel | None = None
        self.error: str | None = "model not loaded yet"
        self.metrics = ServingMetrics()

    def load(self) -> bool:
        try:
            loaded = self.loader(self.alias)
        except Exception as exc:  # any failure leaves the app running, not ready
            pinned = os.environ.get(VERSION_ENV)
            wanted = f"version {pinned}" if pinned else f"alias {self.alias or 'of MLOPS_ENV'}"
            self.error = f"cannot load {wanted}: {exc}"
            log.warning("%s", self.error)
            return False
        self.loaded, self.error = loaded, None
        self.metrics.model_ready(loaded.name, loaded.version, loaded.alias)
        log.info("serving %s version %s (alias %s)", loaded.name, loaded.version, loaded.alias)
        return True


async def _retry_until_loaded(state: ServingState, every: float) -> None:
    while not await asyncio.to_thread(state.load):
        await asyncio.sleep(every)


def create_app(alias: str | None = None, loader: Loader = load_model) -> FastAPI:
    """The app serving `alias` (default: `$SERVING_MODEL_ALIAS`, else the environment's alias).

    The request schema is built here from the data contract's feature columns.
    """
    state = ServingState(alias or serving_alias(), loader)
    row = row_model(load_contract().features())
    predict_request = request_model(row)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        retry = None
        if not await asyncio.to_thread(state.load):
            every = float(os.environ.get(RETRY_ENV, "30"))
            retry = asyncio.create_task(_retry_until_loaded(state, every))
        yield
        if retry is not None:
            retry.cancel()
            with suppress(asyncio.CancelledError):
                await retry

    app = FastAPI(
        title=f"{PROJECT_NAME} serving",
        summary="Churn predictions from the registry's model",
        lifespan=lifespan,
    )
    app.state.serving = state
    known_paths: set[str] = set()

    @app.middleware("http")
    async def record_metrics(request: Request, call_next):
        # Label by route, never by raw path, so unknown URLs cannot grow the series count.
        if not known_paths:
            known_paths.update(getattr(route, "path", "") for route in app.routes)
        handler = request.url.path if request.url.path in known_paths else "other"
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
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
        """Readiness: 200 once the model is loaded, 503 before."""
        loaded = state.loaded
        if loaded is None:
            body = Readiness(status="not ready", model_alias=state.alias, reason=state.error)
            return JSONResponse(body.model_dump(), status_code=503)
        body = Readiness(
            status="ready",
            model_name=loaded.name,
            model_version=loaded.version,
            model_alias=loaded.alias,
        )
        return JSONResponse(body.model_dump())

    @app.post(
        "/predict",
        response_model=PredictResponse,
        responses={503: {"description": "no model loaded yet"}},
    )
    def predict_rows(request: predict_request) -> PredictResponse | JSONResponse:
        """Churn probability and label for each row, and the model version that scored them."""
        loaded = state.loaded
        if loaded is None:
            return JSONResponse({"detail": state.error}, status_code=503)
        frame = pd.DataFrame([row.model_dump() for row in request.rows], columns=FEATURE_COLUMNS)
        scored = predict(loaded.model, frame)
        probabilities = [float(p) for p in scored["churn_probability"]]
        labels = [int(label) for label in scored["prediction"]]
        state.metrics.observe_predictions(probabilities, labels)
        return PredictResponse(
            model_name=loaded.name,
            model_version=loaded.version,
            model_alias=loaded.alias,
            predictions=[
                Prediction(probability=p, label=label)
                for p, label in zip(probabilities, labels, strict=True)
            ],
        )

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


app = create_app()
