"""Defect classes read from the fourteenth held-out batch's misses once it joined the
calibration part, in reproducibility: a platform tool's own configuration under a config
folder (a StatsD or JMX exporter's mappings, OpenStack's clouds.yaml) read as the run's
parameters, and a saved tokenizer's JSON read as a parameter file.
Each test fails on the code before the fix; each reads a shape of a stack, not one repository's
files, and the near misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, write

STATSD = """
    # StatsD exporter mapping for Airflow metrics
    mappings:
      - match: "airflow.dagrun.duration.*.*"
        name: "airflow_dagrun_duration_seconds"
        labels:
          dag_id: "$1"
      - match: "airflow.scheduler_heartbeat"
        name: "airflow_scheduler_heartbeat_total"
"""
JMX = """
    lowercaseOutputName: true
    rules:
      - pattern: "kafka.server<type=BrokerTopicMetrics, name=(.+)><>Count"
        name: "kafka_server_brokertopicmetrics_$1_total"
        type: COUNTER
"""
CLOUDS = """
    clouds:
      kvm:
        auth:
          auth_url: https://kvm.example.org:5000
        region_name: "KVM"
        interface: "public"
        identity_api_version: 3
"""


def test_exporter_mappings_and_cloud_clients_are_no_parameters(tmp_path):
    # configs/airflow/statsd_mapping.yml, configs/kafka/jmx-exporter.yml, config/openstack/
    # clouds.yaml: how exporters rename metrics and how a client reaches a cloud, no run's
    # parameter
    write(
        tmp_path,
        {
            "requirements.txt": "scikit-learn\n",
            "configs/airflow/statsd_mapping.yml": STATSD,
            "configs/kafka/jmx-exporter-config.yml": JMX,
            "ops/config/openstack/clouds.yaml": CLOUDS,
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


def test_a_config_with_mappings_and_rules_of_the_run_is_parameters(tmp_path):
    # near miss: a run's config whose `mappings` are column renames and whose `rules` are
    # business rules (no `match`, no `pattern` in them) holds the run's parameters
    config = """
        mappings:
          - source: cust_id
            target: customer_id
        rules:
          - column: age
            min: 18
        clouds: aws
        training:
          learning_rate: 0.1
    """
    write(tmp_path, {"requirements.txt": "scikit-learn\n", "configs/train.yml": config})
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS


TOKENIZER_CONFIG = (
    '{"do_lower_case": false, "model_max_length": 512, "tokenizer_class": "BertTokenizer"}'
)


def test_a_saved_tokenizers_config_is_no_parameter_file(tmp_path):
    # models/tokenizer_dir/ as `save_pretrained` writes it: its tokenizer_config.json is an
    # output of training, as a config.json beside model weights is
    write(
        tmp_path,
        {
            "requirements.txt": "transformers\n",
            "models/tokenizer_dir/tokenizer_config.json": TOKENIZER_CONFIG,
            "models/tokenizer_dir/tokenizer.json": '{"version": "1.0"}',
            "models/tokenizer_dir/special_tokens_map.json": '{"cls_token": "[CLS]"}',
            "models/tokenizer_dir/vocab.txt": "[PAD]\n[CLS]\n",
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.FAIL


def test_a_tokenizer_config_the_run_reads_is_a_parameter_file(tmp_path):
    # near miss: a config folder with the tokenizer settings training reads, and only a
    # vocabulary beside it, not a saved tokenizer
    write(
        tmp_path,
        {
            "requirements.txt": "transformers\n",
            "config/tokenizer_config.json": TOKENIZER_CONFIG,
            "config/vocab.txt": "[PAD]\n[CLS]\n",
        },
    )
    assert checks(tmp_path)["repro.config-file"].outcome is Outcome.PASS
