"""Level 3: watch the model in production and retrain it when the world moves.

prediction_log (what was asked and answered) -> profile (the training data's reference) ->
drift and decay (what changed) -> job (the decision, report and metrics) -> guards and retrain
(retrain safely, through the level-2 gates). `python -m` this package runs it.
"""
