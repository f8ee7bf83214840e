"""Continuous delivery as every project runs it: move `champion` to the version tested in
staging (`promote`). A project keeps a thin script (`scripts/promote_model.py`) that passes its
`Project` to this module; its CD workflow runs that script.
"""
