"""Business context in the model card (questionnaire 1.1): the business goal and the KPIs the
model serves are written down (and, with them, owners and a model risk evaluation).

Evidence: a model card (`MODEL_CARD.md`, `model_card*.md`) or a business-context document
(`business_context.md`, `business_case.md`, `kpis.md`) with a filled section headed business
goal/objective or KPIs/success metrics, or a labelled line of its own (`- Business objective:
...`, `**KPIs**: ...`). A section that still holds only a `TODO`/`TBD` line (as
generated, before the team writes it) is reported as unfilled, as `mlops-scaffold check` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scaffolder.assess.models import Fact, Zone

KIND = "model_card.business"
DOC = re.compile(r"business[_-]?(context|case|goals?|objectives?)|^kpis?\b", re.I)
# sections, not the title: `##`.. headings and setext `---` underlines (a `#`/`===` title such as
# "Model card: business context of X" names the document, it is no section)
HEADING = re.compile(r"^\s{0,3}(#{2,6}\s+.+?|.+\n-{3,})\s*$", re.M)
SECTIONS = {
    "goal": re.compile(r"business\s+(goal|objective|context|case|problem|value)|use\s+case", re.I),
    "kpis": re.compile(
        r"\bKPIs?\b|key\s+performance|success\s+(metric|criteri)|business\s+metric", re.I
    ),
    "risk": re.compile(r"\brisk", re.I),
    "owners": re.compile(r"\bowner", re.I),
}
UNFILLED = re.compile(r"^\W*(TODO|TBD|FIXME|XXX|\[?fill)", re.I)
# a labelled line instead of a section (`- Business objective: support rebalancing`,
# `**KPI**: ...`): the label names the section, the rest of the line is its body
LABELLED = re.compile(
    r"^\s{0,3}(?:[-*+]\s+)?\**\s*(?P<label>business\s+(?:goal|objective|problem|case)s?|KPIs?"
    r"|success\s+(?:metric|criteri)\w*)\s*\**\s*:\s*\**(?P<body>.*)$",
    re.I | re.M,
)


def card_facts(path: str, zone: Zone, text: str) -> list[Fact]:
    """The business sections of a model card's text, filled or not."""
    heads = list(HEADING.finditer(text))
    filled: dict[str, int] = {}
    unfilled: dict[str, int] = {}
    for i, head in enumerate(heads):
        title = head.group(1).splitlines()[0]
        body_end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[head.end() : body_end].strip()
        line = text.count("\n", 0, head.start()) + 1
        for section, pattern in SECTIONS.items():
            if pattern.search(title):
                target = unfilled if (not body or UNFILLED.match(body)) else filled
                target.setdefault(section, line)
    for labelled in LABELLED.finditer(text):
        section = "goal" if labelled["label"].lower().startswith("business") else "kpis"
        body = labelled["body"].strip()
        target = unfilled if (not body or UNFILLED.match(body)) else filled
        target.setdefault(section, text.count("\n", 0, labelled.start()) + 1)
    if not (set(filled) | set(unfilled)) & {"goal", "kpis"}:
        return []
    first = min([*filled.values(), *unfilled.values()])
    return [
        Fact(
            kind=KIND,
            path=path,
            line=first,
            zone=Zone.SOURCE if zone is Zone.DOCS else zone,
            detail={"filled": sorted(filled), "unfilled": sorted(unfilled)},
        )
    ]


def file_facts(parts: tuple[str, ...], zone: Zone, read: Callable[[], str | None]) -> list[Fact]:
    name = parts[-1]
    if not name.lower().endswith((".md", ".rst")) or not DOC.search(name):
        return []
    text = read()
    return card_facts("/".join(parts), zone, text) if text else []
