"""Which version the app serves: loading it at start-up (retried until it succeeds), following
its alias and swapping a new version in with one assignment (requests in flight keep theirs)."""

import asyncio
import logging
import os
from collections.abc import Callable

from ..project import Project
from .hooks import ServingHooks
from .loader import VERSION_ENV, LoadedModel, resolve
from .metrics import ServingMetrics
from .variants import VariantRouter

log = logging.getLogger("mlops_runtime.serving.app")

MAX_RELOAD_SECONDS = 300.0
Loader = Callable[[str | None], LoadedModel]


class ServingState:
    """What the handlers share: the loaded model (or why there is none) and the metrics."""

    def __init__(
        self,
        project: Project,
        alias: str | None,
        loader: Loader,
        hooks: ServingHooks,
        router: VariantRouter | None,
        metrics: ServingMetrics,
    ):
        self.project = project
        self.alias = alias
        self.loader = loader
        self.hooks = hooks
        self.router = router
        self.metrics = metrics
        self.loaded: LoadedModel | None = None
        self.error: str | None = "model not loaded yet"

    def load(self) -> bool:
        """Load the model to serve; False (and the reason in `error`) when that failed."""
        try:
            loaded = self.loader(self.alias)
        except Exception as exc:  # any failure leaves the app running, not ready
            pinned = os.environ.get(VERSION_ENV)
            wanted = f"version {pinned}" if pinned else f"alias {self.alias or 'of MLOPS_ENV'}"
            self.error = f"cannot load {wanted}: {exc}"
            log.warning("%s", self.error)
            return False
        self.swap(loaded)
        if self.router is not None:
            self.router.load_challenger()
        return True

    def swap(self, loaded: LoadedModel) -> None:
        """Serve `loaded` from the next request on (requests in flight keep theirs)."""
        previous = self.loaded
        self.loaded, self.error = loaded, None
        self.metrics.model_ready(loaded.name, loaded.version, loaded.alias)
        if previous is not None and previous.version != loaded.version:
            self.metrics.swaps.labels(self.metrics.project).inc()
            log.info("swapped %s version %s -> %s", loaded.name, previous.version, loaded.version)
        else:
            log.info("serving %s version %s (alias %s)", loaded.name, loaded.version, loaded.alias)

    def reload_if_moved(self) -> bool:
        """Load and swap in the version the alias names now, if it moved; True when swapped."""
        current = self.loaded
        if current is None or current.alias is None:  # not loaded yet, or a pinned version
            return False
        try:
            _, version, _ = resolve(self.project, current.alias)
            if version == current.version:
                return False
            loaded = self.loader(current.alias)
        except Exception as exc:  # the registry is away: keep serving what we have
            self.metrics.reload_errors.labels(self.metrics.project).inc()
            log.warning("cannot check alias %s: %s", current.alias, exc)
            return False
        self.swap(loaded)
        return True


async def retry_until_loaded(state: ServingState, every: float) -> None:
    """Load until it succeeds, every `every` seconds (the app answers 503 meanwhile)."""
    while not await asyncio.to_thread(state.load):
        await asyncio.sleep(every)


async def follow_alias(state: ServingState, every: float) -> None:
    """Every `every` seconds, swap in the version the alias names if it moved."""
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(state.reload_if_moved)
