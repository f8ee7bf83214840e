"""The PostgreSQL fixture: a fresh database answers over TCP on loopback through SQLAlchemy."""

from __future__ import annotations

import sqlalchemy


def test_create_database_and_select(postgres_server):
    url = postgres_server.create_database()
    assert url.startswith(f"postgresql+psycopg2://mlops:{postgres_server.password}@127.0.0.1:")
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("select 1")).scalar() == 1
            assert (
                conn.execute(sqlalchemy.text("select current_database()")).scalar()
                == (url.rsplit("/", 1)[1])
            )
            # The server listens on loopback only.
            listen = conn.execute(sqlalchemy.text("show listen_addresses")).scalar()
            assert listen == "127.0.0.1"
    finally:
        engine.dispose()
    # Each call gives another database.
    assert postgres_server.create_database() != url
