"""Fixtures shared by every test path in this repository (tests/, runtime/tests/, ...).

`postgres_server`: one throwaway PostgreSQL cluster per session on 127.0.0.1;
`postgres_server.create_database()` returns a fresh database's SQLAlchemy URL."""

pytest_plugins = ["tests.engines.postgres"]

import os

# `make test-all` runs pytest inside make: its MAKELEVEL and MAKEFLAGS would make every `make`
# a test runs a sub-make (printing "Entering/Leaving directory", sharing a jobserver). Tests
# run make as a user does, from a shell.
for _name in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"):
    os.environ.pop(_name, None)
