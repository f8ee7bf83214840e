"""Defect classes read from the fourteenth held-out batch's misses once it joined the
calibration part, in deployment: a blue-green step of one workflow and a `rollout undo` job of
another read together as progressive delivery with rollback; a FastAPI form app whose POST
route predicts with the model its imports load not read as a serving API; a model loaded by
`sklearn.externals.joblib` (joblib as old scikit-learn releases vendored it) not read as loaded.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

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
BLUE_GREEN = """
    name: release
    on:
      push:
        branches: [main]
    jobs:
      deploy-production:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: actions/checkout@v4
          - name: Deploy to production with blue-green
            run: |
              kubectl argo rollouts set image api-rollout api=registry/api:${{ github.sha }}
              kubectl argo rollouts promote api-rollout
"""
ROLLBACK_JOB = """
      rollback:
        needs: deploy-production
        if: failure()
        runs-on: ubuntu-latest
        steps:
          - name: Rollback deployment
            run: kubectl argo rollouts undo api-rollout
"""
OTHER_WORKFLOW = """
    name: ci-cd
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - name: Deploy
            run: kubectl apply -f k8s/
      rollback:
        needs: deploy
        if: failure()
        runs-on: ubuntu-latest
        steps:
          - name: Rollback deployment
            run: kubectl rollout undo deployment/api
"""


def test_a_rollback_in_another_workflow_does_not_undo_the_blue_green_shift(tmp_path):
    # release.yml shifts traffic blue-green; ci-cd.yml's rollback job undoes its own
    # `kubectl apply` of other deployments: no stage rolls the shift back
    write(
        tmp_path,
        {
            "api/main.py": SERVE,
            ".github/workflows/release.yml": BLUE_GREEN,
            ".github/workflows/ci-cd.yml": OTHER_WORKFLOW,
        },
    )
    assert checks(tmp_path)["deployment.canary"].outcome is Outcome.FAIL


def test_a_rollback_stage_of_the_blue_green_workflow_undoes_it(tmp_path):
    # near miss: the rollback job is a stage of the workflow that shifts traffic
    write(
        tmp_path,
        {
            "api/main.py": SERVE,
            ".github/workflows/release.yml": BLUE_GREEN.rstrip() + "\n" + ROLLBACK_JOB,
        },
    )
    assert checks(tmp_path)["deployment.canary"].outcome is Outcome.PASS


FORM_APP = """
    from fastapi import FastAPI, Request

    from pipeline.predict import Classifier

    app = FastAPI()


    @app.get("/")
    async def index(request: Request):
        return {"page": "form"}


    @app.post("/")
    async def submit(request: Request):
        form = await request.form()
        return {"prediction": Classifier().predict(dict(form))}
"""
PREDICT_MODULE = """
    import joblib


    class Classifier:
        def __init__(self):
            self.model = joblib.load("artifacts/model.pkl")

        def predict(self, row):
            return int(self.model.predict([list(row.values())])[0])
"""


def test_a_fastapi_form_app_predicting_with_the_model_it_imports_serves_it(tmp_path):
    # app.py posts the form to "/" and predicts with the classifier its pipeline module loads
    write(
        tmp_path,
        {
            "app.py": FORM_APP,
            "pipeline/__init__.py": "",
            "pipeline/predict.py": PREDICT_MODULE,
        },
    )
    assert checks(tmp_path)["deployment.serving-api"].outcome is Outcome.PASS


def test_a_fastapi_app_that_reaches_no_model_serves_none(tmp_path):
    # near miss: the same form app whose POST route uploads a file; the model is loaded only
    # by a batch script the app does not import
    upload = """
        from fastapi import FastAPI, UploadFile

        app = FastAPI()


        @app.post("/")
        async def upload(file: UploadFile):
            return {"name": file.filename}
    """
    write(
        tmp_path,
        {
            "app.py": upload,
            "pipeline/__init__.py": "",
            "pipeline/predict.py": PREDICT_MODULE,
        },
    )
    assert checks(tmp_path)["deployment.serving-api"].outcome is Outcome.FAIL


SELDON_MODEL = """
    from sklearn.externals import joblib


    class SkMnist(object):
        def __init__(self):
            self.clf = joblib.load("/data/sk.pkl")

        def predict(self, X, feature_names):
            return self.clf.predict_proba(X)
"""


def test_a_model_loaded_by_sklearn_externals_joblib_serves_predictions(tmp_path):
    # a Seldon model class of 2018: scikit-learn's vendored joblib is joblib
    write(tmp_path, {"models/sk_mnist/runtime/SkMnist.py": SELDON_MODEL})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.PASS


def test_sklearn_externals_joblib_without_a_load_loads_nothing(tmp_path):
    # near miss: the vendored joblib used to run jobs in parallel, no model loaded
    parallel = """
        from sklearn.externals import joblib


        def squares(values):
            return joblib.Parallel(n_jobs=2)(joblib.delayed(pow)(v, 2) for v in values)
    """
    write(tmp_path, {"jobs/parallel.py": parallel})
    assert checks(tmp_path)["deployment.predict-script"].outcome is Outcome.FAIL
