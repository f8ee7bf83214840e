"""The model card's Markdown from plain values."""

from __future__ import annotations

from types import SimpleNamespace

from mlops_runtime.contract import parse_contract
from mlops_runtime.model_card import render_card
from mlops_runtime.registry import ModelInfo

CFG = SimpleNamespace(
    environment=SimpleNamespace(name="dev"),
    model_card=SimpleNamespace(intended_use="Rank customers.", limitations=[]),
    quality_gate=SimpleNamespace(primary_metric="roc_auc", thresholds={"roc_auc": 0.7}),
    model_tests=SimpleNamespace(champion_margin=0.01, slice_column="kind", slice_metric="roc_auc",
                                min_slice_rows=20, min_slice_metric=0.6),
)  # fmt: skip
CONTRACT = parse_contract({"name": "t", "columns": [{"name": "x", "type": "number", "min": 0}]})
INFO = ModelInfo("m", "champion", "3", "run1", "models:/m/3")


def test_the_card_has_every_section():
    run = {"params": {"C": "1.0"}, "metrics": {"roc_auc": 0.81, "train_rows": 800.0}, "tags": {}}
    tests = {
        "passed": True,
        "holdout_rows": 200,
        "slices": {"a": {"rows": 150, "roc_auc": 0.8, "gated": True}},
        "checks": [{"name": "quality_gate", "passed": True, "detail": "ok"}],
    }
    card = render_card("proj", INFO, run, tests, CFG, CONTRACT)
    assert card.startswith("# Model card: m version 3")
    for section in ("## Intended use", "## Data", "## Holdout metrics", "## Model tests",
                    "## Metrics per slice of `kind`", "## Limitations"):  # fmt: skip
        assert section in card
    assert "| roc_auc | 0.8100 | 0.7000 |" in card and "Rank customers." in card
    assert "## Lineage" not in card


def test_lineage_and_signature_when_recorded():
    run = {"params": {}, "metrics": {}, "tags": {}, "signature": "inputs [x] -> outputs [p]",
           "version_tags": {"lineage.git_sha": "abc", "other": "x"}}  # fmt: skip
    card = render_card("proj", INFO, run, None, CFG, CONTRACT)
    assert "## Lineage" in card and "| git_sha | abc |" in card
    assert "Input and output signature: `inputs [x] -> outputs [p]`." in card


def test_the_teams_business_context_goes_into_the_card():
    run = {"params": {}, "metrics": {}, "tags": {}}
    context = ("# Model card: business context\n\nPreamble for the team.\n\n## Business goal\n\n"
               "Keep customers.\n\n## KPIs\n\nTODO: the KPIs\n")  # fmt: skip
    card = render_card("proj", INFO, run, None, CFG, CONTRACT, context)
    assert "## Business goal\n\nKeep customers." in card and "TODO: the KPIs" in card
    assert "Preamble for the team" not in card
    assert card.index("## Intended use") < card.index("## Business goal") < card.index("## Model\n")
    missing = render_card("proj", INFO, run, None, CFG, CONTRACT, None)
    assert "## Business context" in missing and "docs/business_context.md" in missing


def test_the_card_shows_what_the_model_relies_on():
    run = {"params": {}, "metrics": {}, "tags": {}}
    importance = {"tenure": {"mean": 0.12, "std": 0.01}, "age": {"mean": 0.001, "std": 0.002}}
    card = render_card("proj", INFO, run, None, CFG, CONTRACT, None, importance)
    assert "## What the model relies on" in card and "`roc_auc` drops" in card
    assert "| tenure | 0.1200 | 0.0100 |" in card
    assert card.index("| tenure |") < card.index("| age |")
    assert "## What the model relies on" not in render_card("p", INFO, run, None, CFG, CONTRACT)


def test_write_model_card_writes_the_card_of_the_aliased_version(fake_project, registry_client):
    import pytest
    import yaml
    from fake_project import register
    from mlops_runtime.model_card import write_model_card
    from mlops_runtime.registry import ModelNotFoundError

    contract = fake_project.root / "config" / "data_contract.yaml"
    contract.write_text(yaml.safe_dump({"name": "t", "columns": [{"name": "x", "type": "number"}]}))
    cfg = SimpleNamespace(**vars(CFG), registry=SimpleNamespace(model_name="fake-model"),
                          data=SimpleNamespace(contract="config/data_contract.yaml"))  # fmt: skip
    with pytest.raises(ModelNotFoundError, match="has alias 'champion'"):
        write_model_card(fake_project, alias="champion", config=cfg)
    version = register(fake_project, roc_auc=0.83)
    registry_client.set_registered_model_alias("fake-model", "champion", version)
    path = write_model_card(fake_project, "cards/champion.md", "champion", config=cfg)
    assert path == fake_project.root / "cards" / "champion.md"
    card = path.read_text()
    assert card.startswith(f"# Model card: fake-model version {version}")
    assert "(alias `champion`, environment `dev`)" in card
    assert "| roc_auc | 0.8300 | 0.7000 |" in card
