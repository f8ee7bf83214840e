"""`mlops-scaffold assess`: facts from one pass over a tree -> checks -> levels -> reports.

Data flows one way: `scan` (facts) -> `checks` (outcomes) -> `scoring` (levels) -> `report_*`.
Facts are kept apart from scores so a changed rubric re-scores stored facts without re-scanning.
"""
