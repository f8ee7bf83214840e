"""The training pipeline: prepare → validate → train → evaluate → register.

`steps` holds the steps as plain functions over file paths; the local runner (`python -m` this
package), the Airflow DAG and the Kubeflow pipeline all call them.
"""
