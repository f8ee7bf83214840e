"""Continuous delivery as every project runs it: deploy an overlay of `k8s/` with an image
(`deploy`), smoke-test the running service (`smoke`), move `champion` to the version tested in
staging (`promote`). A project keeps three thin scripts (`scripts/deploy.py`,
`scripts/smoke_test.py`, `scripts/promote_model.py`) that pass its names to these modules; its CD
workflow runs those scripts. `deploy` and `smoke` use Python's standard library only, so a CD job
that only deploys installs the runtime without its dependencies (`pip install --no-deps`).
"""
