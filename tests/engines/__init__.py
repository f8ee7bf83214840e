"""Real engines for tests, started on loopback and stopped by their fixtures: PostgreSQL,
Redis, an Airflow deployment, an MLflow tracking server with an S3-compatible store."""
