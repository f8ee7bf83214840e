"""A tiny project package for the runtime's tests: the hooks a generated project provides
(sample data, its target, a tracking URI), nothing else."""
