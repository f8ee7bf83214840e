"""The terminal report: the per-dimension profile (bars and colours) first, the overall
weakest-link level as one line beside it, the next milestones of the weakest dimensions with the
command providing each, then the evidence, the recommendation and the roadmap. Plain text when
not on a terminal."""

from __future__ import annotations

from scaffolder.assess.models import MAX_LEVEL, Outcome, Report


def _e(text: object) -> str:
    """File contents and paths are shown as written: `[project]` is not rich markup."""
    from rich.markup import escape

    return escape(str(text))


MARK = {
    Outcome.PASS: "[green]✔[/green]",
    Outcome.FAIL: "[red]✘[/red]",
    Outcome.NOT_APPLICABLE: "[dim]–[/dim]",
    Outcome.UNKNOWN: "[yellow]?[/yellow]",
}
COLOUR = {0: "red", 1: "yellow", 2: "cyan", 3: "green"}


def render_text(
    report: Report, console, verbose: bool = False, history_note: str | None = None
) -> None:
    """Print the report on a rich console (its colour system decides colour or plain text)."""
    from rich.table import Table

    console.print(
        f"[bold]MLOps maturity profile of {_e(report.repo)}[/bold]"
        + (f" @ {report.commit[:12]}" if report.commit else "")
    )
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("dimension")
    table.add_column("level", justify="right")
    table.add_column("")
    table.add_column("checks", justify="right")
    table.add_column("next blocker", no_wrap=True, overflow="ellipsis")
    for d in report.dimensions:
        c = COLOUR[d.level]
        bar = (
            f"[{c}]"
            + "█" * (d.level * 4)
            + f"[/{c}]"
            + "[dim]"
            + "░" * ((MAX_LEVEL - d.level) * 4)
            + "[/dim]"
        )
        practice = f" practice {d.practice_score:.0%}" if d.practice_score is not None else ""
        table.add_row(
            d.title,
            f"[{c}]{d.level}[/{c}]",
            bar,
            f"{d.passed}/{d.total}{practice}",
            (d.blocking[0] + (f" +{len(d.blocking) - 1}" if len(d.blocking) > 1 else ""))
            if d.blocking
            else "",
        )
    console.print(table)
    colour = COLOUR[report.level]
    console.print(
        f"Overall level: [bold {colour}]{report.level} ({report.level_name})[/bold {colour}], "
        f"the weakest link   Google {report.google_level}/2   "
        f"Microsoft {report.microsoft_level}/4   ML Test Score ≈ {report.ml_test_score.final:g}"
    )
    if history_note:
        console.print(history_note)
    _next_steps(report, console, verbose)
    console.print()
    for dimension in report.dimensions:
        # up to the level after the dimension's own, and whatever passes above it (level-3
        # evidence shows even when a weaker dimension holds the overall level down)
        rows = [
            r
            for r in report.checks
            if r.dimension == dimension.dimension
            and (verbose or r.level <= dimension.level + 1 or r.outcome is Outcome.PASS)
        ]
        if not rows:
            continue
        console.print(f"[bold]{dimension.title}[/bold]")
        stopper = next((r for r in report.checks if r.id in dimension.blocking), None)
        if stopper is not None:
            # why it stopped where it did, and the cheapest next step
            console.print(
                f"  [dim]at {dimension.level}: {_e(stopper.message)}; next: "
                f"{_e(stopper.upgrade)}[/dim]",
                soft_wrap=True,
            )
        for r in sorted(rows, key=lambda r: r.level):
            exempt = ""
            if r.exemption:
                expired = " EXPIRED" if r.exemption.expired else ""
                exempt = f" [magenta]\\[{r.exemption.status}{expired}][/magenta]"
            evidence = f" [dim]{_e(', '.join(r.evidence[:2]))}[/dim]" if r.evidence else ""
            advice = " [dim]\\[advice][/dim]" if r.advice else ""
            console.print(
                f"  {MARK[r.outcome]} L{r.level} {r.id}{advice}: {_e(r.message)}{exempt}{evidence}",
                soft_wrap=True,
            )
    broken = [p for p in report.problems if not p.note]
    notes = [p for p in report.problems if p.note]
    if broken:
        console.print(
            "\n[bold yellow]Files that do not parse[/bold yellow] (their checks are unknown)"
        )
        for p in broken[:10]:
            console.print(f"  {_e(p.where)} {_e(p.message)}", soft_wrap=True)
    if notes:
        console.print("\n[bold]Files read partly[/bold] (what parses counts as evidence)")
        for p in notes[:10]:
            console.print(f"  {_e(p.where)} {_e(p.message)}", soft_wrap=True)
    if report.exemptions:
        console.print("\n[bold]Exemptions[/bold] (.mlops-scaffold-assess.yml)")
        for e in report.exemptions:
            state = (
                f"expired {e.expires}"
                if e.expired
                else (f"until {e.expires}" if e.expires else "no expiry")
            )
            console.print(f"  {e.check}: {e.status}, {state}: {_e(e.reason)}", soft_wrap=True)
    if report.recommendation:
        console.print(f"\n[bold]Recommendation:[/bold] {_e(report.recommendation)}", soft_wrap=True)
    if report.roadmap:
        console.print("[bold]Roadmap[/bold]")
        for number, step in enumerate(report.roadmap[:8], 1):
            console.print(
                f"  {number}. (L{step.level} {step.dimension}"
                + (" advice" if step.advice else "")
                + f") {step.check}: {_e(step.action)}",
                soft_wrap=True,
            )
        if len(report.roadmap) > 8:
            console.print(f"  … {len(report.roadmap) - 8} more (--format markdown lists all)")


def _next_steps(report: Report, console, verbose: bool) -> None:
    """The milestones that raise the weakest dimensions, each with the command providing it."""
    shown = report.next_steps if verbose else report.next_steps[:3]
    if not shown:
        return
    console.print("\n[bold]Next steps[/bold] (weakest dimensions first)")
    for m in shown:
        console.print(
            f"  [bold]{_e(m.title)}[/bold] {m.level} → {m.target} ({_e(m.target_name)}): "
            f"`{_e(m.provided_by)}` (the {m.template} template)",
            soft_wrap=True,
        )
        for step in m.steps[:4]:
            console.print(f"    - {_e(step.title)}: {_e(step.action)}", soft_wrap=True)
    rest = len(report.next_steps) - len(shown)
    if rest > 0:
        console.print(f"  … {rest} more dimensions (--verbose lists all)")
