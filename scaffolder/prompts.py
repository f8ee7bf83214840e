"""Questions the tool asks itself, before copier asks the rest."""

from __future__ import annotations

LEVEL_NAMES = {0: "manual process", 1: "ML pipeline automation", 2: "CI/CD for ML",
               3: "full automation"}  # fmt: skip


def ask_level(levels: list[int], default: int = 0) -> int:
    """The maturity level, asked first: it decides which template layers are staged."""
    import questionary

    choices = [questionary.Choice(f"{n} - {LEVEL_NAMES.get(n, 'level ' + str(n))}", value=n)
               for n in levels]  # fmt: skip
    answer = questionary.select(
        "MLOps maturity level", choices=choices, default=choices[levels.index(default)]
    ).ask()
    if answer is None:  # Ctrl-C or Esc
        raise KeyboardInterrupt
    return int(answer)
