"""mlops-scaffold: ML project repositories at an MLOps maturity level."""

__version__ = "0.1.0"
