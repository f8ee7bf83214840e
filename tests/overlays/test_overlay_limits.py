"""An overlay's templates render under memory, CPU and time limits (scaffolder.render_limits):
a bomb no Jinja check sees ends in one line naming the template and the limit, nothing written,
and the built-in templates still render in the process."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from scaffolder import render_limits
from tests.overlays.acme import EXAMPLE

# Each builds memory or burns CPU by a path the sandbox's operator checks do not see.
BOMBS = {
    # `~` doubling a string: 2**40 characters unless something stops it
    "concat-doubling": "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
    # a filter that pads to any width
    "center": "{{ 'x' | center(4000000000) | length }}",
    # 10**10 empty iterations: no output, only CPU
    "nested-loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
    "{% endfor %}",
}


def _overlay(tmp_path: Path, name: str, template: str) -> Path:
    folder = tmp_path / f"overlay-{name}"
    shutil.copytree(EXAMPLE, folder)
    (folder / "level0" / f"{name}.txt.jinja").write_text(template)
    return folder


@pytest.fixture
def small_limits(monkeypatch):
    """Limits small enough for a test to hit in seconds; the mechanism is the same."""
    monkeypatch.setattr(render_limits, "MEMORY_MIB", 256)
    monkeypatch.setattr(render_limits, "CPU_SECONDS", 2)


@pytest.mark.parametrize(
    ("bomb", "limit"),
    [
        ("concat-doubling", "it needs over the 256 MiB of memory an overlay render may use"),
        ("center", "it needs over the 256 MiB of memory an overlay render may use"),
        ("nested-loops", "it ran over 2 s of CPU time, the limit for an overlay render"),
    ],
)
def test_a_template_bomb_stops_at_a_limit_with_one_line_naming_the_template(
    run_cli, tmp_path, small_limits, bomb, limit
):
    folder = _overlay(tmp_path, bomb, BOMBS[bomb])
    started = time.monotonic()
    result = run_cli("new", "churn", "--defaults", "-o", tmp_path / "projects", "--overlay", folder)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: template {bomb}.txt.jinja (with overlay acme 2) does not render: {limit}; "
        "templates must be bounded"
    ]
    assert not (tmp_path / "projects").exists()
    assert elapsed < 60


def test_a_render_that_ignores_its_limits_is_killed_by_the_parent(run_cli, tmp_path, monkeypatch):
    """A child that neither finishes nor stops itself (here: its alarm never fires) is killed
    after the wall-clock limit, with one line naming the overlay."""
    monkeypatch.setattr(render_limits, "WALL_SECONDS", 1)
    monkeypatch.setattr(render_limits, "_GRACE", 1)
    monkeypatch.setattr(render_limits.signal, "alarm", lambda _seconds: 0)
    folder = _overlay(tmp_path, "sleepy", "{% for i in range(100000) %}"
                      "{% for j in range(100000) %}{% endfor %}{% endfor %}")  # fmt: skip
    result = run_cli("new", "churn", "--defaults", "-o", tmp_path / "projects", "--overlay", folder)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: rendering the project (with overlay acme 2) did not finish in 1 s and was "
        "stopped; templates must be bounded"
    ]
    assert not (tmp_path / "projects").exists()


def test_an_overlay_renders_in_a_child_and_the_builtin_templates_do_not(
    run_cli, tmp_path, monkeypatch
):
    forks = []
    real_fork = os.fork

    def counting_fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(render_limits.os, "fork", counting_fork)
    builtin = run_cli("new", "plain", "--defaults", "--level", "1", "-o", tmp_path / "p")
    assert builtin.exit_code == 0, builtin.stderr
    assert forks == []
    folder = _overlay(tmp_path, "fine", "{{ project_name }} {{ 'ab' ~ 'cd' }}\n")
    made = run_cli("new", "churn", "--defaults", "-o", tmp_path / "p", "--overlay", folder)
    assert made.exit_code == 0, made.stderr
    assert forks == [1]
    assert (tmp_path / "p" / "churn" / "fine.txt").read_text() == "churn abcd\n"


def test_an_overlay_questions_default_and_when_render_under_the_limits(small_limits, tmp_path):
    """Interactive `new` evaluates an overlay question's `when` and default itself (before
    copier runs): bounded like a template, one line naming the question."""
    from scaffolder.errors import TemplateError
    from scaffolder.prompts import Question, default_of, is_asked, load_questions

    burn = Question(name="team", when=BOMBS["nested-loops"] + "true", trusted=False)
    with pytest.raises(TemplateError) as cpu:
        is_asked(burn, {})
    assert str(cpu.value) == (
        "the `when` of question 'team' does not render: it ran over 2 s of CPU time, the limit "
        "for an overlay render; templates must be bounded"
    )
    grow = Question(name="team", default=BOMBS["concat-doubling"], trusted=False)
    with pytest.raises(TemplateError, match="^the default of question 'team' does not render: "
                       "it needs over the 256 MiB of memory"):  # fmt: skip
        default_of(grow, {})
    fine = Question(name="team", default="{{ project_name }}-ml", trusted=False)
    assert default_of(fine, {"project_name": "churn"}) == "churn-ml"
    broken = Question(name="team", default="{{ project_name | nosuchfilter }}")
    with pytest.raises(TemplateError, match="default of question 'team' does not render: "):
        default_of(broken, {"project_name": "churn"})
    # Which questions are the overlay's: the names it asks or sets a default of.
    questions = tmp_path / "copier.yml"
    questions.write_text("author:\n  type: str\n  default: x\nteam:\n  type: str\n")
    trusted = {q.name: q.trusted for q in load_questions(questions, {"team"})}
    assert trusted == {"author": True, "team": False}
