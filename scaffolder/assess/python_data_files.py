"""Pickles of data, not of a model: `pickle.dump(ALL_SOAPS, open(".../SOAPS.vec", "wb"))`.

`pickle`/`joblib` save and load anything; a dump or load counts as a saved model (or a model
loaded to predict) unless the file is one of data by its extension (feature vectors, arrays,
tables) or, for a dump, what is dumped is named as data (`features`, `soap_vectors`, `df`) and
the file does not say model.
"""

from __future__ import annotations

import ast
import re

from scaffolder.assess.detect_python import _path_text

DATA_FILE = re.compile(r"\.(vec|vecs|npy|npz|csv|tsv|parquet|feather|arrow)$", re.I)
DATA_NAME = re.compile(
    r"(?i:(^|_)(soaps?|features?|vectors?|vecs|embeddings?|dataset|data|df|corpus|vocab|"
    r"descriptors|samples)$)"
)
OPENERS = ("open", "io.open", "gzip.open", "bz2.open")


def opened_path(value: ast.AST, qualified: str | None) -> str | None:
    """The path literal a file handle is opened on (`open(f"{out}/x.vec", "wb")`)."""
    if isinstance(value, ast.Call) and value.args and (qualified or "") in OPENERS:
        return _path_text(value.args[0])
    return None


def _name(node: ast.AST | None) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def is_data_pickle(node: ast.Call, dumping: bool, opened: dict[str, str]) -> bool:
    """A dump/load of data: its file (a path, or a handle opened on one) or, dumping, its
    object says so."""
    args = node.args
    target = (args[1] if len(args) > 1 else None) if dumping else (args[0] if args else None)
    path = ""
    if isinstance(target, ast.Name):
        path = opened.get(target.id, "")
    elif isinstance(target, ast.Call) and _name(target.func) == "open" and target.args:
        path = _path_text(target.args[0])
    elif target is not None:
        path = _path_text(target)
    if path and DATA_FILE.search(path.strip()):
        return True
    if "model" in path.lower():  # `joblib.dump(self.data, "model.joblib")`: the file says model
        return False
    return dumping and bool(args) and bool(DATA_NAME.search(_name(args[0])))
