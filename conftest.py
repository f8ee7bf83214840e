"""Fixtures shared by every test path in this repository (tests/, runtime/tests/, ...).

`postgres_server`: one throwaway PostgreSQL cluster per session on 127.0.0.1;
`postgres_server.create_database()` returns a fresh database's SQLAlchemy URL."""

pytest_plugins = ["tests.engines.postgres"]
