"""`mlops-scaffold upgrade` and `adopt`: merge the next level's render into the user's branch."""
