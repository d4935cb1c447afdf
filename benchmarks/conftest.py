"""Benchmarks use the test suite's database and world (SQLite unless PORTAL_TEST_DATABASE=postgresql)."""

from tests.conftest import (  # noqa: F401  (fixtures)
    _empty_database_after_each_test,
    app,
    database,
    make_app,
    shared_app,
    world,
)
