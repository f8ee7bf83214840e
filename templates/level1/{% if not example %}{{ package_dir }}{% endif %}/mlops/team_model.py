"""Your model as MLflow's generic `python_function` flavour, for a model that is no
scikit-learn estimator (an XGBoost booster, a PyTorch wrapper, a class of yours): it is
pickled with the registered version and its `predict` is yours. Serving loads it back and
calls your object directly."""

from __future__ import annotations

import mlflow.pyfunc


class TeamModel(mlflow.pyfunc.PythonModel):
    def __init__(self, model) -> None:
        self.model = model

    def predict(self, context, model_input, params=None):
        return self.model.predict(model_input)
