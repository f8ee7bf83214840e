"""The local walkthrough of a level-3 project: its traffic simulator and `make walkthrough`.

- `simulator`: rows from the project's own data generator, normal or shifted (columns moved by
  the amounts the project's binding names) with their true labels, some flipped to simulate a
  world whose answers changed; sent to a serving app's `/predict` (the app logs them), or, with
  the simulator's clock, scored in this process and logged as if served days ago; labels
  recorded as feedback keyed by the server's request ids.
- `driver`: the walkthrough, step by step, each with what it shows: serve, normal traffic,
  shifted traffic, the monitoring job's decision and reasons, a guarded retrain on fresh
  labelled data, the champion decision, serving following the alias, rollback through
  governance, the audit log, and decay over simulated days.
- `cli`: `python -m <package>.walkthrough run|reset|traffic` (the project's thin binding).

Nothing here is imported by serving or training: the walkthrough is a teaching and smoke-testing
tool for a laptop; `reset` refuses anything but local files and a SQLite state store.
"""
