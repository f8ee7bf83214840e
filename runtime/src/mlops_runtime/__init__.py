"""mlops-scaffold-runtime: the platform code that projects made by mlops-scaffold depend on.

A generated project keeps what its team owns and edits (configuration, data, features, model,
pipeline steps, thin DAG and pipeline definitions, thin entry points); the behaviour no team
should fork lives here, versioned, so a platform fix reaches every project by a version bump.

The public API is what `docs/runtime.md` lists; modules and names starting with `_` are private
and may change in any release. Importing this package loads nothing heavy: each submodule
imports its libraries (MLflow, FastAPI, pyarrow, ...) itself, and they come with extras.
"""

from __future__ import annotations

__version__ = "1.2.0"

from .project import Project, ProjectError

__all__ = ["Project", "ProjectError", "__version__"]
