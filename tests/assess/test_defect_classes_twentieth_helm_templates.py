"""Defect class read from the calibration part's deployment over-scores (a FastAPI service in a
Helm chart that Argo CD syncs, with one values.yaml): a chart's template that is no YAML until
rendered (`{{- toYaml .Values.resources | nindent 12 }}`) gave no resource, so the chart's
Deployment was unknown and per-environment manifests "did not apply" to a project deployed by
one chart with one set of values. A template's top-level `apiVersion:` and `kind:` are literal
whatever its values: the resource is read from them, its spec left unread. The test fails on
the code before the fix; the near miss (the same chart with values per environment) passes on
both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SERVE = """
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")

    @app.post("/predict")
    def predict(x: float):
        return {"y": float(model.predict([[x]])[0])}
"""
DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ .Chart.Name }}
      labels:
        model.platform/version: {{ .Values.model.version | quote }}
    spec:
      replicas: {{ .Values.replicaCount }}
      template:
        spec:
          containers:
            - name: api
              image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
              env:
                - name: MODEL_VERSION
                  value: {{ .Values.model.version | quote }}
              resources:
                {{- toYaml .Values.resources | nindent 12 }}
"""
VALUES = """
    replicaCount: 1
    image:
      repository: ghcr.io/acme/api
      tag: latest
"""
ARGO_APP = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: api
    spec:
      source:
        repoURL: https://github.com/acme/api
        path: helm/api
      destination:
        server: https://kubernetes.default.svc
      syncPolicy:
        automated: {}
"""
CHART = {
    "app/main.py": SERVE,
    "helm/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    "helm/api/templates/deployment.yaml": DEPLOYMENT,
    "kubernetes/argocd/application.yaml": ARGO_APP,
}


def test_a_chart_whose_template_is_no_yaml_deployed_with_one_values_file(tmp_path):
    write(tmp_path, {**CHART, "helm/api/values.yaml": VALUES})
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is Outcome.FAIL


def test_the_same_chart_with_values_per_environment(tmp_path):
    # near miss: values-staging.yaml and values-prod.yaml set the chart per environment
    write(
        tmp_path,
        {
            **CHART,
            "helm/api/values.yaml": VALUES,
            "helm/api/values-staging.yaml": VALUES,
            "helm/api/values-prod.yaml": VALUES.replace("replicaCount: 1", "replicaCount: 3"),
        },
    )
    assert checks(tmp_path)["deployment.k8s-environments"].outcome is not Outcome.FAIL
