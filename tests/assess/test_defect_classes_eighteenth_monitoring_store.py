"""Defect class read from the calibration part's too-low monitoring cells (eighteenth round): a
serving app that sends every prediction to a model-monitoring store or platform (InfluxDB behind
Grafana, Superwise, Arize, WhyLabs, Fiddler) was not read as monitored: the clients were no
facts, and files naming only them were not parsed. They are now `monitoring.store`, and the
serving side is monitored when the client is in the app's file, a module it imports, a module
beside it, or one the serving image ships with it. Each test fails on the code before the fix;
the near miss beside them (the client used by the training pipeline only) passes on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

SERVER = """
    from flask import Flask, jsonify, request

    from app.predictor import Predictor

    app = Flask(__name__)
    predictor = Predictor()


    @app.route("/v1/predict", methods=["POST"])
    def predict():
        return jsonify(predictor.predict(request.json))
"""
PREDICTOR = """
    import pickle

    from superwise import Superwise


    class Predictor:
        def __init__(self):
            self.model = pickle.load(open("model.pkl", "rb"))
            self.superwise = Superwise()

        def predict(self, rows):
            predictions = self.model.predict(rows).tolist()
            self.superwise.transaction.log_records(model_id=1, records=predictions)
            return predictions
"""
TRAIN = """
    import pickle
    from sklearn.linear_model import LinearRegression

    pickle.dump(LinearRegression().fit([[0], [1]], [0, 1]), open("model.pkl", "wb"))
"""


def _serving(tmp_path, files: dict[str, str]) -> Outcome:
    write(tmp_path, {"training/train.py": TRAIN, **files})
    return checks(tmp_path)["monitoring.serving-metrics"].outcome


def test_a_serving_app_logging_predictions_to_a_monitoring_platform(tmp_path):
    files = {"service/app/server.py": SERVER, "service/app/predictor.py": PREDICTOR}
    assert _serving(tmp_path, files) is Outcome.PASS


def test_an_influx_helper_shipped_in_the_serving_image(tmp_path):
    app = """
        import pickle

        from flask import Flask, request
        from helpers.influx import write_prediction

        app = Flask(__name__)
        model = pickle.load(open("model.pkl", "rb"))


        @app.route("/predict", methods=["POST"])
        def predict():
            prediction = model.predict([request.json["x"]]).tolist()
            write_prediction(prediction)
            return {"prediction": prediction}
    """
    helper = """
        from influxdb_client import InfluxDBClient, Point

        client = InfluxDBClient(url="http://influxdb:8086")


        def write_prediction(value):
            client.write_api().write(bucket="predictions", record=Point("p").field("v", value))
    """
    dockerfile = """
        FROM python:3.10-slim
        COPY src/inference/. /app/
        COPY src/helpers/. /app/helpers/
        CMD ["python", "flask_app.py"]
    """
    files = {
        "src/inference/flask_app.py": app,
        "src/helpers/influx.py": helper,
        "src/inference/Dockerfile": dockerfile,
    }
    assert _serving(tmp_path, files) is Outcome.PASS


def test_a_monitoring_client_used_only_by_training_does_not_watch_serving(tmp_path):
    # near miss: the platform registers the model from the training pipeline; the serving
    # app, in another folder, sends it nothing
    app = """
        import pickle
        from flask import Flask, request

        app = Flask(__name__)
        model = pickle.load(open("model.pkl", "rb"))


        @app.route("/predict", methods=["POST"])
        def predict():
            return {"prediction": model.predict([request.json["x"]]).tolist()}
    """
    register = """
        from superwise import Superwise

        Superwise().model.create(name="diamonds")
    """
    files = {"service/server.py": app, "training/register.py": register}
    assert _serving(tmp_path, files) is Outcome.FAIL
