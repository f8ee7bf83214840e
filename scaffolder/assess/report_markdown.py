"""The Markdown report, for CI job summaries, merge-request comments and wikis."""

from __future__ import annotations

from scaffolder.assess.models import Outcome, Report
from scaffolder.assess.next_steps import profile_line

ICON = {Outcome.PASS: "✅", Outcome.FAIL: "❌", Outcome.NOT_APPLICABLE: "➖", Outcome.UNKNOWN: "❓"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    lines = [
        f"# MLOps maturity profile: {_cell(profile_line(report.dimensions))}",
        "",
        f"Repository `{_cell(report.repo)}`"
        + (f" at `{report.commit[:12]}`" if report.commit else "")
        + f"; rubric {report.rubric_version}, mlops-scaffold {report.tool_version}.",
        "",
        "| dimension | level | checks passed | next milestone | blocking the next level |",
        "|---|---|---|---|---|",
    ]
    milestones = {m.dimension: m for m in report.next_steps}
    for d in report.dimensions:
        m = milestones.get(d.dimension)
        lines.append(
            f"| {d.title} | {'■' * d.level}{'□' * (3 - d.level)} {d.level} | "
            f"{d.passed}/{d.total} | "
            + (f"{m.target}: `{m.provided_by}`" if m else "—")
            + f" | {', '.join(f'`{b}`' for b in d.blocking) or '—'} |"
        )
    lines += [
        "",
        f"**Overall level (weakest link): {report.level} ({report.level_name})**; "
        f"Google **{report.google_level}**/2, Microsoft **{report.microsoft_level}**/4, "
        f"ML Test Score estimate **{report.ml_test_score.final:g}** "
        f"({', '.join(f'{k} {v:g}' for k, v in report.ml_test_score.sections.items())}).",
    ]
    if report.next_steps:
        lines += ["", "## Next steps (weakest dimensions first)", ""]
        for m in report.next_steps:
            lines += [
                f"### {m.title}: {m.level} → {m.target} ({m.target_name})",
                "",
                f"Provided by `{m.provided_by}` (the {m.template} template).",
                "",
            ]
            lines += [f"- [ ] {_cell(s.title)} (`{s.check}`): {_cell(s.action)}" for s in m.steps]
            lines.append("")
        lines.pop()
    if report.recommendation:
        lines += ["", f"**Recommendation:** {report.recommendation}"]
    if report.roadmap:
        lines += ["", "## Roadmap", ""]
        lines += [
            f"{i}. **L{s.level} {s.dimension}** `{s.check}`: {s.action}"
            for i, s in enumerate(report.roadmap, 1)
        ]
    lines += [
        "",
        "## Checks",
        "",
        "| | check | level | result | evidence |",
        "|---|---|---|---|---|",
    ]
    for r in report.checks:
        note = f" ({r.exemption.status})" if r.exemption else ""
        note += " (advice)" if r.advice else ""
        lines.append(
            f"| {ICON[r.outcome]} | `{r.id}` | {r.level} | {_cell(r.message)}{note} | "
            f"{_cell(', '.join(f'`{e}`' for e in r.evidence[:3]))} |"
        )
    if report.exemptions:
        lines += ["", "## Exemptions", ""]
        for e in report.exemptions:
            lines.append(
                f"- `{e.check}` "
                f"{e.status}{' (expired ' + e.expires + ')' if e.expired else ''}: {e.reason}"
            )
    broken = [p for p in report.problems if not p.note]
    notes = [p for p in report.problems if p.note]
    if broken:
        lines += ["", "## Files that do not parse", ""]
        lines += [f"- `{p.where}`: {p.message}" for p in broken]
    if notes:
        lines += ["", "## Files read partly (what parses counts as evidence)", ""]
        lines += [f"- `{p.where}`: {p.message}" for p in notes]
    if report.questionnaire:
        lines += [
            "",
            "## Practices (questionnaire)",
            "",
            "| question | answer | credit |",
            "|---|---|---|",
        ]
        for q in report.questionnaire:
            lines.append(f"| {_cell(q.text)} | {q.answer or '—'} ({q.source}) | {q.credit:g} |")
    return "\n".join(lines) + "\n"
