"""scaffolder/jinja_cache.py: compiled templates kept between runs change nothing a render
writes, survive a damaged or unwritable cache, and keep copier's per-template state right."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffolder import jinja_cache
from scaffolder import render as render_module
from scaffolder.catalog import builtin_catalog
from scaffolder.render import render

GIVEN = {"project_name": "churn", "level": 3, "orchestrator": "both"}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(jinja_cache.CACHE_ENV, str(folder))
    return folder


def test_cached_renders_write_what_an_uncached_render_writes(tmp_path, cache_dir, monkeypatch):
    render(builtin_catalog(), GIVEN, tmp_path / "cold")  # fills the cache
    assert len(list(cache_dir.rglob("*.cache"))) > 100  # file bodies and path parts
    render(builtin_catalog(), GIVEN, tmp_path / "warm")  # compiles nothing
    speed_up = render_module._speed_up
    monkeypatch.setattr(
        render_module, "_speed_up", lambda worker, cache: speed_up(worker, cache=False)
    )
    render(builtin_catalog(), GIVEN, tmp_path / "uncached")
    uncached = _tree(tmp_path / "uncached")
    assert len(uncached) > 100
    assert _tree(tmp_path / "cold") == uncached and _tree(tmp_path / "warm") == uncached


def test_a_damaged_cache_is_recompiled_not_trusted(tmp_path, cache_dir):
    render(builtin_catalog(), GIVEN, tmp_path / "first")
    for entry in cache_dir.rglob("*.cache"):
        entry.write_bytes(b"not bytecode")
    render(builtin_catalog(), GIVEN, tmp_path / "second")
    assert _tree(tmp_path / "second") == _tree(tmp_path / "first")


def test_a_cache_path_that_cannot_be_a_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(jinja_cache.CACHE_ENV, str(blocker / "cache"))
    render(builtin_catalog(), {**GIVEN, "level": 0}, tmp_path / "p")
    assert (tmp_path / "p" / "Makefile").is_file()


def test_copiers_yield_state_is_reset_for_every_cached_template(cache_dir):
    from copier._jinja_ext import YieldExtension, get_yield_context
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(extensions=[YieldExtension])
    jinja_cache.install(env)
    looped = "{% yield item from items %}{{ item }}{% endyield %}"
    for _ in range(2):  # compiled, then from the cache
        env.from_string(looped).render(items=["a"])  # a second yield would raise
        assert get_yield_context(env).yield_name == "item"
        assert get_yield_context(env).yield_iterable == ["a"]
        assert env.from_string("plain").render() == "plain"
        assert get_yield_context(env).yield_name is None
