"""Practices the maturity questionnaire asks about beyond the rubric's gates (issue 22), each in
the dimension the questionnaire puts it: explanations (section 6: validation, beside the model
tests), load tests against latency objectives (3.2.5: code quality), release notes (3.2.8: code
quality), knowledge limits (4.4.2: monitoring), business goals and KPIs in the model card
(1.1: governance, beside the model card gate) and a feature store (section 5: pipelines, where
features are computed once for training and serving). All are advice: reported with their
evidence and fix, and they answer the questionnaire's questions from evidence, but never hold a
level down. Detectors: `scaffolder/assess/practices/`, one module per evidence shape."""

from __future__ import annotations

from scaffolder.assess.checks.base import (
    U1,
    U2,
    U3,
    Check,
    Verdict,
    elsewhere,
    found,
    of,
    tools,
    where,
)
from scaffolder.assess.models import Facts, Zone
from scaffolder.assess.practices.load_tests import MAKE_TARGET as LOAD_TARGET


def r_explanations(f: Facts) -> Verdict:
    hits = of(f, "explain.model", "explain.endpoint")
    if hits:
        per_row = of(f, "explain.endpoint")
        scope = (
            "per prediction and overall"
            if per_row and of(f, "explain.model")
            else ("per prediction" if per_row else "overall")
        )
        return Verdict(True, where(hits), f"predictions are explained {scope}" + tools(hits))
    return elsewhere(
        f,
        ("explain.model", "explain.endpoint"),
        "no explanations (SHAP, LIME, permutation importance, an /explain route)",
    )


def r_load_tests(f: Facts) -> Verdict:
    targets = [x for x in f.of("make.target") if LOAD_TARGET.match(str(x.detail.get("name")))]
    # a Locust or k6 file under tests/ is a load test all the same (no test runner collects it)
    in_tests = f.of("loadtest.script", Zone.TESTS)
    tests = of(f, "loadtest.script", "ci.step.load_test") + in_tests + targets
    objectives = of(f, "loadtest.objective")
    if not tests:
        return elsewhere(f, ("loadtest.script",), "no load test (Locust, k6, `make load-test`)")
    held = (
        f" against objectives ({objectives[0].where})"
        if objectives
        else "; no latency objective found (an SLO file, k6 thresholds)"
    )
    regular = " and CI runs it" if of(f, "ci.step.load_test") else ""
    return Verdict(
        True,
        where(tests + objectives),
        f"the serving API is load-tested{held}{regular}" + tools(tests),
    )


def r_release_notes(f: Facts) -> Verdict:
    hits = of(f, "release.notes", "ci.step.release_notes")
    written = [x for x in hits if x.detail.get("tool") != "changelog"]
    how = "written on release" if written else "kept by hand (a changelog)"
    return found(hits, f"release notes are {how}", "no release notes or changelog")


def r_knowledge_limits(f: Facts) -> Verdict:
    return found(
        of(f, "limits.ood"),
        "out-of-distribution or low-confidence predictions are detected"
        + tools(of(f, "limits.ood")),
        "no out-of-distribution or low-confidence check on predictions",
    )


def r_business_context(f: Facts) -> Verdict:
    cards = of(f, "model_card.business")
    done = [x for x in cards if {"goal", "kpis"} & set(x.detail.get("filled") or [])]
    if done:
        sections = sorted({s for x in done for s in x.detail["filled"]})
        return Verdict(
            True,
            where(done),
            f"the model card documents the business context ({', '.join(sections)})",
        )
    if cards:
        todo = sorted({s for x in cards for s in x.detail.get("unfilled") or []})
        return Verdict(
            False,
            where(cards),
            f"the business context is still to write ({', '.join(todo)} unfilled)",
        )
    return Verdict(False, [], "no business goal or KPIs documented with the model")


def r_feature_store(f: Facts) -> Verdict:
    definitions = of(f, "feature_store.definition")
    clients = of(f, "feature_store.client")
    if definitions:
        online = " and read by the code" if clients else ""
        return Verdict(
            True,
            where(definitions + clients),
            f"features are defined in a feature store{online}" + tools(definitions + clients),
        )
    if clients:
        return Verdict(
            True,
            where(clients),
            "features are read from a feature store (its definitions live elsewhere)"
            + tools(clients),
        )
    return elsewhere(
        f,
        ("feature_store.definition", "feature_store.client"),
        "no feature store (Feast, Tecton, Hopsworks, Databricks, SageMaker or Vertex AI)",
    )


CHECKS = [
    Check(
        "validation.explanations",
        "Predictions are explained",
        "validation",
        2,
        f"{U2} logs permutation importance in the model card and answers /predict?explain=true",
        "SHAP/LIME/Captum/Alibi/InterpretML/ELI5, permutation importance, /explain routes (AST)",
        r_explanations,
        ("python",),
        None,
        None,
        advice=True,
    ),
    Check(
        "quality.load-tests",
        "The serving API is load-tested against latency objectives",
        "quality",
        2,
        f"{U2} adds config/slo.yaml and `make load-test` (CD runs it against staging)",
        "Locust/Molotov/k6/Artillery/JMeter, `make load-test`, CI load-test steps; SLO files, "
        "k6 thresholds",
        r_load_tests,
        ("python", "yaml"),
        None,
        "config/slo.yaml",
        advice=True,
    ),
    Check(
        "quality.release-notes",
        "Release notes are written for every model release",
        "quality",
        2,
        f"{U2} writes release notes on every promotion to champion (mlops_runtime.release_notes)",
        "CHANGELOG/RELEASE_NOTES files, release_notes/ folders, CI release steps, code writing "
        "release notes",
        r_release_notes,
        (),
        None,
        "CHANGELOG.md",
        advice=True,
    ),
    Check(
        "monitoring.knowledge-limits",
        "The model knows its knowledge limits",
        "monitoring",
        3,
        f"{U3} flags out-of-range and low-confidence rows, logs them and lists them in "
        "`make review`",
        "alibi-detect outlier detectors, PyOD, MAPIE/crepes, mlops_runtime.limits, OOD/uncertainty "
        "functions that compare values (AST)",
        r_knowledge_limits,
        ("python",),
        None,
        None,
        advice=True,
    ),
    Check(
        "governance.business-context",
        "Business goals and KPIs are documented with the model",
        "governance",
        1,
        f"{U1} adds docs/business_context.md (business goal, KPIs, owners, model risk); fill it in",
        "model cards and business-context documents with filled goal/KPI sections",
        r_business_context,
        (),
        None,
        "docs/business_context.md",
        advice=True,
    ),
    Check(
        "pipelines.feature-store",
        "Features are pre-computed in a feature store",
        "pipelines",
        2,
        f"{U2} with `--data feature_store=feast` (a level-3 project: the same at its level) "
        "sets up Feast: definitions in features/, point-in-time training data, `/predict` by "
        "entity id from the online store",
        "Feast feature_store.yaml and FeatureView/FeatureService definitions, Tecton, Hopsworks, "
        "Databricks Feature Store/Feature Engineering, SageMaker and Vertex AI Feature Store "
        "clients and definitions (AST)",
        r_feature_store,
        ("python", "yaml"),
        None,
        "features/feature_store.yaml",
        advice=True,
    ),
]
