"""Online serving of the registry's model: a FastAPI app (`app.py`), run by `make serve`."""
