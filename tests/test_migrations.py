"""The Alembic migrations build exactly the schema the models declare, and can be rolled back.

``compare_metadata`` after ``upgrade head`` must find no differences: a model change without a migration
(new column, index, constraint, type change) fails here. Runs on SQLite always and, when
``MARKETPLACE_TEST_DATABASE_URL`` points at PostgreSQL, on a throwaway database on that server too.

Each check runs ``flask_migrate.upgrade`` inside ``create_app(...)`` in a fresh Python process, so nothing
leaks into the other tests: Alembic's ``env.py`` reconfigures logging globally (``fileConfig`` disables
existing loggers), and a second app rebinds process-wide state such as the task queue's bound app.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from marketplace.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("MARKETPLACE_TEST_DATABASE_URL") or ""
IS_PG = PG_URL.startswith(("postgres://", "postgresql://", "postgresql+"))
SCRIPT = textwrap.dedent('''
    import json, sys, warnings
    warnings.simplefilter("error")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="flask_limiter.*")  # as pyproject

    import flask_migrate
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect, text

    from marketplace import create_app
    from marketplace.extensions import db

    mode, url, data_dir = sys.argv[1:4]

    def diffs():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return [repr(d) for d in compare_metadata(context, db.metadata)]

    def tables():
        return sorted(inspect(db.engine).get_table_names())

    def scalar(sql):
        with db.engine.connect() as connection:
            return connection.execute(text(sql)).scalar_one()

    out = {}
    app = create_app({"ENV_NAME": "testing", "DATA_DIR": data_dir, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        out["model_tables"] = sorted(db.metadata.tables)
        out["tables_before"] = tables()
        flask_migrate.upgrade()
        out["tables_after_upgrade"] = tables()
        out["head"] = scalar("SELECT version_num FROM alembic_version")
        if mode == "drop-index":
            with db.engine.begin() as connection:
                connection.execute(text("DROP INDEX ix_audit_entry_action"))
        out["diffs"] = diffs()
        if mode == "full":
            flask_migrate.downgrade(revision="base")
            out["tables_after_downgrade"] = tables()
            out["versions_after_downgrade"] = scalar("SELECT count(*) FROM alembic_version")
            flask_migrate.upgrade()
            out["diffs_after_reupgrade"] = diffs()
        db.engine.dispose()
    print("RESULT " + json.dumps(out))
''')


def _run_script(tmp_path, url, *, mode="full"):
    """Run SCRIPT with warnings as errors (like the test suite), so a deprecated call in env.py fails too."""
    script = tmp_path / "migrate_check.py"
    script.write_text(SCRIPT, encoding="utf-8")
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    env["MARKETPLACE_DATA_DIR"] = str(data_dir)  # the task queue's SQLite file goes here, not in instance/
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    args = [sys.executable, str(script), mode, url, str(data_dir)]
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    return proc


def _result(proc) -> dict:
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def _check_full_cycle(out: dict) -> None:
    assert {"user", "organisation", "membership", "reference_code", "audit_entry"} <= set(out["model_tables"])
    assert out["tables_before"] == []
    assert out["tables_after_upgrade"] == sorted([*out["model_tables"], "alembic_version"])
    assert out["head"]
    assert out["diffs"] == [], "models changed without a migration:\n" + "\n".join(out["diffs"])
    assert out["tables_after_downgrade"] == ["alembic_version"]
    assert out["versions_after_downgrade"] == 0
    assert out["diffs_after_reupgrade"] == []


def test_sqlite_migrations_match_models(tmp_path):
    _check_full_cycle(_result(_run_script(tmp_path, f"sqlite:///{tmp_path}/m.db")))


def test_comparison_catches_a_schema_difference(tmp_path):
    """Guard for the check above: an index the database lacks is reported, so an empty diff means something."""
    out = _result(_run_script(tmp_path, f"sqlite:///{tmp_path}/m.db", mode="drop-index"))
    assert len(out["diffs"]) == 1
    assert out["diffs"][0].startswith("('add_index'") and "ix_audit_entry_action" in out["diffs"][0]


@pytest.mark.skipif(not IS_PG, reason="MARKETPLACE_TEST_DATABASE_URL is not a PostgreSQL URL")
def test_postgresql_migrations_match_models(tmp_path):
    import psycopg
    from psycopg import sql

    server = make_url(normalise_database_url(PG_URL))
    maintenance_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"marketplace_migrations_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(maintenance_dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        _check_full_cycle(_result(_run_script(tmp_path, url)))
    finally:
        with psycopg.connect(maintenance_dsn, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
