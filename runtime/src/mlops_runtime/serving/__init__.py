"""The serving app of a project's model (extra `serving`): `create_app` in `app`, the request
schema from the data contract in `schemas`, the model loader in `loader`, Prometheus metrics in
`metrics`, per-prediction hooks in `hooks`, champion/challenger routing in `variants`.

Importing this package imports nothing heavy; its modules import FastAPI and prometheus-client.
"""
