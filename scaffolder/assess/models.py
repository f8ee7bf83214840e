"""Typed models shared by the assess modules: facts, check results, levels, the report."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scaffolder.errors import ScaffoldError

FACTS_SCHEMA_VERSION = 1
REPORT_SCHEMA_VERSION = 1
MAX_LEVEL = 3

DIMENSIONS: dict[str, str] = {
    "reproducibility": "Reproducibility",
    "quality": "Code quality and testing",
    "tracking": "Tracking and registry",
    "pipelines": "Pipelines",
    "validation": "Data and model validation",
    "deployment": "Deployment",
    "monitoring": "Monitoring",
    "governance": "Governance",
}

LEVEL_NAMES = {
    0: "manual process",
    1: "ML pipeline automation",
    2: "CI/CD for ML",
    3: "full automation",
}


class AssessError(ScaffoldError):
    """assess cannot run as asked (a missing path, a bad option, a damaged exemptions file...)."""


class Zone(str, Enum):
    """Where a file lives; only `source` counts as the project's own working code."""

    SOURCE = "source"
    TESTS = "tests"
    EXAMPLES = "examples"
    DOCS = "docs"
    VENDORED = "vendored"
    NOTEBOOK = "notebook"


class Fact(BaseModel):
    """One thing the scanners saw, where they saw it."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    path: str
    line: int = 1
    zone: Zone = Zone.SOURCE
    detail: dict[str, Any] = Field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class Problem(BaseModel):
    """A file that could not be parsed; checks that need its kind report `unknown`. A *note*
    (`note: true`) is a file read partly or after conversion (Python 2, a top-level block that
    does not parse): its facts count, and it makes no check unknown."""

    model_config = ConfigDict(extra="forbid")

    path: str
    line: int = 1
    category: str
    message: str
    zone: Zone = Zone.SOURCE
    note: bool = False

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class Facts(BaseModel):
    """Everything one scan found; the input of every check."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = FACTS_SCHEMA_VERSION
    files_scanned: int = 0
    skipped: list[str] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)

    def of(self, kind: str, *zones: Zone) -> list[Fact]:
        """Facts of `kind` (a trailing `*` matches a prefix) in `zones` (default: source)."""
        wanted = zones or (Zone.SOURCE,)
        if kind.endswith("*"):
            prefix = kind[:-1]
            return [f for f in self.facts if f.kind.startswith(prefix) and f.zone in wanted]
        return [f for f in self.facts if f.kind == kind and f.zone in wanted]


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


class Exemption(BaseModel):
    """An entry of `.mlops-scaffold-assess.yml`: a check accepted or not applicable, and why."""

    model_config = ConfigDict(extra="forbid")

    check: str
    status: str  # "not_applicable" or "accepted"
    reason: str
    expires: str | None = None
    expired: bool = False
    line: int = 1


class CheckResult(BaseModel):
    """The outcome of one check on one repository."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    dimension: str
    level: int
    outcome: Outcome
    message: str
    evidence: list[str] = Field(default_factory=list)
    upgrade: str
    exemption: Exemption | None = None
    advice: bool = False  # hygiene: shown with its fix, never holds a dimension down

    @property
    def counts_as_passed(self) -> bool:
        if self.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE):
            return True
        return self.exemption is not None and not self.exemption.expired


class DimensionLevel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dimension: str
    title: str
    level: int
    passed: int
    total: int
    blocking: list[str] = Field(default_factory=list)  # check ids that stop the next level
    practice_score: float | None = None  # questionnaire, 0..1


class MLTestScore(BaseModel):
    """An estimate of Breck et al.'s ML Test Score: points per section, the final is the minimum."""

    model_config = ConfigDict(extra="forbid")

    sections: dict[str, float]
    final: float


class RoadmapStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check: str
    dimension: str
    level: int
    action: str
    advice: bool = False  # hygiene: does not raise a level


class MilestoneStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check: str
    title: str
    action: str


class Milestone(BaseModel):
    """The next level of one dimension: the gates it needs, and the command (with the template
    level) that provides them."""

    model_config = ConfigDict(extra="forbid")

    dimension: str
    title: str
    level: int  # where the dimension is
    target: int  # the level this milestone reaches
    target_name: str
    steps: list[MilestoneStep]
    provided_by: str  # `mlops-scaffold adopt --level N` or `upgrade --to N`
    template: str  # the template level that carries the files: "level N"


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str  # "no" | "manual" | "automated" | "yes"


class QuestionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    dimension: str
    text: str
    weight: float
    answer: str | None
    credit: float
    source: str  # "answer" | "evidence" | "unanswered"
    ml_test: str | None = None


class Report(BaseModel):
    """The assessment of one repository; the JSON format is this model (`schema_version`)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = REPORT_SCHEMA_VERSION
    tool_version: str
    rubric_version: str
    repo: str
    commit: str | None = None
    level: int
    level_name: str
    google_level: int
    microsoft_level: int
    ml_test_score: MLTestScore
    dimensions: list[DimensionLevel]
    checks: list[CheckResult]
    roadmap: list[RoadmapStep]
    recommendation: str | None = None
    # the per-dimension profile (dimension -> level) and, weakest dimensions first, the next
    # milestone of each dimension below level 3
    profile: dict[str, int] = Field(default_factory=dict)
    next_steps: list[Milestone] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    questionnaire: list[QuestionResult] = Field(default_factory=list)
    files_scanned: int = 0
