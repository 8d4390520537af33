"""Chợ công nghệ số: the application factory. This file is the table of contents of the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ROOT, load_config


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    app.config.update(load_config(config))
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    from . import errors, input_guard, tasks
    from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from .outbox import tasks as outbox_tasks  # noqa: F401  (effects run after commit in tests)
    from .web import auth_setup, i18n, security, template_helpers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    auth_setup.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    template_helpers.init_app(app)
    tasks.init_app(app)
    errors.register_error_handlers(app)

    from .accounts.views import bp as accounts_bp
    from .accounts.views_organisations import bp as organisations_bp
    from .admin.views import bp as admin_bp
    from .events import tasks as event_tasks
    from .events import views as event_views
    from .ip_assets import services as ip_asset_services  # noqa: F401  (registers the ip_asset listing side)
    from .ip_assets import tasks as ip_asset_tasks  # noqa: F401  (renewal reminders)
    from .ip_assets.views import bp as ip_assets_bp
    from .ip_assets.views_import import bp as ip_import_bp
    from .listings import tasks as listing_tasks
    from .listings.views import bp as listings_bp
    from .listings.views_attachments import bp as attachments_bp
    from .listings.views_moderation import bp as moderation_bp
    from .mail import tasks as mail_tasks
    from .mail.views import bp as dev_mail_bp
    from .matching import tasks as matching_tasks
    from .matching.views import bp as matching_bp
    from .web.views import bp as web_bp

    for domain_tasks in (mail_tasks, listing_tasks, matching_tasks, event_tasks):
        domain_tasks.connect()

    for blueprint in (web_bp, accounts_bp, organisations_bp, listings_bp, attachments_bp, ip_assets_bp, ip_import_bp,
                      moderation_bp, matching_bp, admin_bp, dev_mail_bp):
        app.register_blueprint(blueprint)
    event_views.init_app(app)  # the events pages and those of each part of a fair

    from . import api
    from .accounts.api import blp as accounts_api
    from .accounts.api_organisations import blp as organisations_api
    from .events import api as events_api
    from .ip_assets.api import blp as ip_assets_api
    from .listings.api import blp as listings_api
    from .matching.api import blp as matching_api
    from .reference.api import blp as reference_api

    api.init_app(app, [accounts_api, organisations_api, reference_api, listings_api, ip_assets_api, matching_api,
                      *events_api.BLUEPRINTS])

    from . import cli

    cli.init_app(app)
    return app
