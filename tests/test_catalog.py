from pathlib import Path

import pytest

from scaffolder.catalog import Catalog, builtin_catalog
from scaffolder.errors import TemplateError


def _layer_paths(layer: Path) -> set[str]:
    """Paths as rendered: the `.jinja` suffix does not make a second path."""
    return {
        str(p.relative_to(layer)).removesuffix(".jinja") for p in layer.rglob("*") if p.is_file()
    }


def test_builtin_levels_are_contiguous_from_zero():
    levels = builtin_catalog().levels()
    assert levels[:2] == [0, 1]
    assert levels == list(range(len(levels)))


def test_every_path_lives_in_exactly_one_layer():
    catalog = builtin_catalog()
    seen: dict[str, int] = {}
    for level in catalog.levels():
        for path in _layer_paths(catalog.root / f"level{level}"):
            assert path not in seen, f"{path} is in level{seen[path]} and level{level}"
            seen[path] = level


def test_layers_up_to_is_the_union_below(tmp_path):
    for n in (0, 1):
        (tmp_path / f"level{n}").mkdir()
    (tmp_path / "copier.yml").write_text("")
    catalog = Catalog(root=tmp_path, version="1")
    assert catalog.layers_up_to(1) == [tmp_path / "level0", tmp_path / "level1"]
    with pytest.raises(TemplateError, match="level 2 has no template"):
        catalog.layers_up_to(2)


def test_a_gap_in_the_layers_is_refused(tmp_path):
    for n in (0, 2):
        (tmp_path / f"level{n}").mkdir()
    with pytest.raises(TemplateError, match="levels available: 0, 2"):
        Catalog(root=tmp_path, version="1").layers_up_to(2)
