"""Defect classes read from the fifteenth held-out batch's misses once it joined the
calibration part, in monitoring: a Kafka consumer that loads the model and predicts on each
message, starting a Prometheus exporter beside it, not read as a monitored serving side.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

CONSUMER = """
    import joblib
    from kafka import KafkaConsumer, KafkaProducer
    from prometheus_client import Counter, start_http_server

    PROCESSED = Counter("messages_processed_total", "messages scored")


    def main():
        start_http_server(8000)
        model = {load}
        consumer = KafkaConsumer("customers", bootstrap_servers="kafka:9092")
        producer = KafkaProducer(bootstrap_servers="kafka:9092")
        for message in consumer:
            {use}
            PROCESSED.inc()


    if __name__ == "__main__":
        main()
"""

TRAIN = """
    import joblib
    from sklearn.linear_model import LogisticRegression


    def train(x, y):
        model = LogisticRegression().fit(x, y)
        joblib.dump(model, "models/model.joblib")
"""


def _consumer(load: str, use: str) -> str:
    return CONSUMER.format(load=load, use=use)


def test_a_predicting_stream_consumer_exports_serving_metrics(tmp_path):
    code = _consumer(
        'joblib.load("models/model.joblib")',
        'producer.send("predictions", model.predict([message.value]))',
    )
    write(tmp_path, {"src/streaming/consumer.py": code, "src/train.py": TRAIN})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.PASS


def test_a_consumer_without_a_model_is_no_serving_side(tmp_path):
    # near miss: the same exporter in a consumer that only moves messages
    code = _consumer("None", 'producer.send("raw", message.value)')
    write(tmp_path, {"src/streaming/consumer.py": code, "src/train.py": TRAIN})
    assert checks(tmp_path)["monitoring.serving-metrics"].outcome is Outcome.FAIL
