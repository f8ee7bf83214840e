"""The champion/challenger comparison: needs samples and significance, then acts once."""

from __future__ import annotations

import pytest
from mlops_runtime import ab
from mlops_runtime.ab import compare, two_proportion_test


def test_the_comparison_needs_samples_and_significance():
    assert compare((90, 100), (99, 100), min_samples=1000, alpha=0.05).decision == "continue"
    better = compare((9000, 10000), (9200, 10000), min_samples=1000, alpha=0.05)
    assert better.decision == "promote" and better.p_value < 0.001
    assert compare((9200, 10000), (9000, 10000), 1000, 0.05).decision == "reject"
    assert compare((9000, 10000), (9010, 10000), 1000, 0.05).decision == "continue"
    assert compare((9000, 10000), (9200, 10000), 1000, 0.05, min_lift=0.05).decision == "continue"
    z, p = two_proportion_test(50, 100, 65, 100)  # pooled z-test: z = 2.146, p = 0.0319
    assert z == pytest.approx(2.1456, abs=1e-3) and p == pytest.approx(0.03191, abs=1e-4)


@pytest.mark.parametrize(
    ("counts", "moves"),
    [
        ({"champion": (9000, 10000), "challenger": (9200, 10000)}, ["promote 2", "retire"]),
        ({"champion": (9200, 10000), "challenger": (9000, 10000)}, ["retire"]),
        ({"champion": (10, 100), "challenger": (10, 100)}, []),
    ],
)
def test_run_acts_on_the_decision(
    serving_project, serving_registry, tmp_path, monkeypatch, counts, moves
):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "ab_test.yaml").write_text(
        "comparison:\n  successes: s{VARIANT}\n  trials: t{VARIANT}\n  min_samples: 50\n"
    )
    serving_registry.ALIASES["challenger"] = "2"
    monkeypatch.setattr(ab, "live_counts", lambda url, comparison: counts)
    done: list[str] = []
    result = ab.run(
        serving_project, "http://prometheus",
        promote=lambda version, reason: done.append(f"promote {version}"),
        retire=lambda reason: done.append("retire"),
    )  # fmt: skip
    assert done == moves, result
    done.clear()
    ab.run(serving_project, "http://p", dry_run=True, promote=lambda *a: done.append("x"),
           retire=lambda *a: done.append("x"))  # fmt: skip
    assert done == []


def test_the_command_line_reports_a_refusal(serving_project, tmp_path, monkeypatch, capsys):
    from mlops_runtime.governance.aliases import PolicyViolation

    def refuse(version, reason):
        raise PolicyViolation("m", version, "champion", ["no model card"])

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "ab_test.yaml").write_text("comparison:\n  successes: s\n  trials: t\n")
    monkeypatch.setattr(ab, "live_counts", lambda url, c: {"champion": (9000, 10000),
                                                          "challenger": (9500, 10000)})  # fmt: skip
    import fakeserve.registry

    fakeserve.registry.ALIASES["challenger"] = "2"
    code = ab.main(serving_project, ["--prometheus", "http://p"], refuse, lambda r: None)
    err = capsys.readouterr().err
    assert (
        code == 1
        and "the promotion policy refused the challenger" in err
        and "no model card" in err
    )
