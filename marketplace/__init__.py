"""Chợ công nghệ số: the application factory. :func:`create_app` is the table of contents of the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the app, one line per part, in this order:

    1. configuration;
    2. extensions and the app-wide layers every request passes through;
    3. each domain's wiring, called by name: ``init_app(app)`` or ``connect()`` registers its outbox
       handlers, signal receivers, search sources and login hooks (nothing is wired by importing a module);
    4. the HTML blueprints;
    5. the API (``/api/v1``) and the CLI.

    The parts are imported here, when the factory runs, so that importing ``marketplace`` stays cheap.
    """
    # 1. Configuration
    app = Flask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    app.config.update(load_config(config))
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    # 2. Extensions and app-wide layers
    from . import errors, input_guard, tasks
    from .extensions import babel, csrf, db, limiter, mail, migrate
    from .outbox import tasks as outbox_tasks
    from .web import i18n, security, template_helpers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    mail.init_app(app)
    security.init_app(app)           # security headers, HTTPS
    input_guard.init_app(app)        # refuses malformed input before any view runs
    template_helpers.init_app(app)   # Jinja filters and globals
    tasks.init_app(app)              # the job queue runs in this app's context
    outbox_tasks.connect()           # derived effects: run at once after their commit in tests
    errors.register_error_handlers(app)

    # 3. Each domain's wiring, by name
    from .accounts import login
    from .events import tasks as event_tasks
    from .ip_assets import tasks as ip_asset_tasks
    from .listings import tasks as listing_tasks
    from .mail import tasks as mail_tasks
    from .matching import tasks as matching_tasks

    login.init_app(app)              # accounts: Flask-Login, the user loader, the sign-in page
    mail_tasks.connect()             # mail: the mail.send outbox handler
    listing_tasks.connect()          # listings: the index effect, the search source of a rebuild
    ip_asset_tasks.connect()         # IP assets: (renewal reminders are a periodic job)
    matching_tasks.connect()         # matching: alerts on listing_published
    event_tasks.connect()            # events: index and registration-mail effects, the search source

    # 4. Pages: the HTML blueprints
    from .accounts.views import bp as accounts_bp
    from .accounts.views_organisations import bp as organisations_bp
    from .accounts.views_two_factor import bp as two_factor_bp
    from .admin.views import bp as admin_bp
    from .events.checkin.views import bp as event_checkin_bp
    from .events.exhibitors.views import bp as event_exhibitors_bp
    from .events.meetings.views import bp as event_meetings_bp
    from .events.registration.views import bp as event_registration_bp
    from .events.views import bp as events_bp
    from .ip_assets.views import bp as ip_assets_bp
    from .ip_assets.views_import import bp as ip_import_bp
    from .listings.views import bp as listings_bp
    from .listings.views_attachments import bp as attachments_bp
    from .listings.views_moderation import bp as moderation_bp
    from .mail.views import bp as dev_mail_bp
    from .matching.views import bp as matching_bp
    from .web.views import bp as web_bp

    for blueprint in (web_bp, accounts_bp, two_factor_bp, organisations_bp, listings_bp, attachments_bp, ip_assets_bp, ip_import_bp,
                      moderation_bp, matching_bp, events_bp, event_registration_bp, event_checkin_bp,
                      event_exhibitors_bp, event_meetings_bp, admin_bp, dev_mail_bp):
        app.register_blueprint(blueprint)

    # 5. The API and the CLI
    from . import api, cli
    from .accounts.api import blp as accounts_api
    from .accounts.api_organisations import blp as organisations_api
    from .events.api import blp as events_api
    from .events.checkin.api import blp as event_checkin_api
    from .events.meetings.api import blp as event_meetings_api
    from .events.registration.api import blp as event_registration_api
    from .ip_assets.api import blp as ip_assets_api
    from .listings.api import blp as listings_api
    from .matching.api import blp as matching_api
    from .reference.api import blp as reference_api

    api.init_app(app, [accounts_api, organisations_api, reference_api, listings_api, ip_assets_api, matching_api,
                      events_api, event_registration_api, event_checkin_api, event_meetings_api])
    cli.init_app(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Every SQLite connection: WAL, foreign keys, a generous busy timeout (PostgreSQL needs none of this)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
