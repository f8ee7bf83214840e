"""Level 3: watch a model in production and retrain it when the world moves.

prediction_log (what was asked and answered) -> profile (the training data's reference) ->
drift and decay (what changed) -> job (the decision, report and metrics) -> guards and retrain
(retrain safely, on fresh labelled data, through the project's gates). `cli.main(project)` is
the command line. Submodules import their libraries (pandas, scipy, pyarrow, MLflow) themselves;
this package imports nothing heavy.
"""
