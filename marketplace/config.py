"""Configuration: classes per environment, overridden by ``MARKETPLACE_*`` environment variables.

Every setting a deployment may change is read from the environment here and nowhere else; the README has
the table. Outside development and testing there is no usable default secret: the app refuses to start.
"""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "MARKETPLACE_"
ROOT = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot run safely."""


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False
    SECRET_KEY: str | None = None
    DATA_DIR = str(ROOT / "instance")
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL: str | None = None
    BASE_URL = "http://127.0.0.1:8000"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_JSON_DEPTH = 32
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "cnso_session"
    SESSION_LIFETIME_HOURS = 12  # absolute lifetime of every signed-in session
    STAFF_IDLE_MINUTES = 30  # a DOST staff session ends after this long without a request
    SESSION_TOUCH_SECONDS = 60  # last_seen_at is written at most this often
    TWO_FACTOR_PENDING_SECONDS = 300  # between a right password and the second factor
    TOTP_ISSUER = "Chợ công nghệ số"  # the name authenticator apps show
    LANGUAGE_COOKIE = "cnso_lang"
    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    WTF_CSRF_TIME_LIMIT = None
    PRIVACY_NOTICE_VERSION = "2026-01"
    EXCHANGE_PROVINCE = "33"  # issuing exchange in listing references (Hưng Yên)
    SEARCH_BACKEND = "whoosh"
    LISTING_VALID_DAYS = 365
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    FORCE_HTTPS = False
    PROXY_FIX_HOPS = 0
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"  # per client address and per email address
    ACCOUNT_MAIL_RATE_LIMIT = "3 per hour"  # password-reset and sign-up notices mailed to one address
    MAIL_BACKEND = "file"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Chợ công nghệ số <no-reply@localhost>"
    HUEY_IMMEDIATE = False
    OUTBOX_IMMEDIATE = False  # tests: run effects right after the commit that wrote them
    OUTBOX_POLL_SECONDS = 1.0  # how often the worker looks for due effects
    OUTBOX_LEASE_SECONDS = 300  # a claimed effect whose worker died is taken again after this
    API_TOKEN_DAYS = 90
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    DEV_MAIL_VIEW = False
    # flask-smorest
    API_TITLE = "Chợ công nghệ số API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = "dev-only-not-secret"
    DEV_MAIL_VIEW = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    HUEY_IMMEDIATE = True
    OUTBOX_IMMEDIATE = True
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it on; e2e tests run with it on
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    DEV_MAIL_VIEW = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    FORCE_HTTPS = True
    PROXY_FIX_HOPS = 1
    MAIL_BACKEND = "smtp"


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def load_config(overrides: dict | None = None) -> dict:
    """Return the settings for ``MARKETPLACE_ENV`` with environment overrides, then ``overrides``."""
    overrides = dict(overrides or {})
    name = overrides.pop("ENV_NAME", None) or env("ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"MARKETPLACE_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    base = CONFIGS[name]
    cfg = {key: getattr(base, key) for key in dir(base) if key.isupper()}
    cfg["ENV_NAME"] = name

    for key in ("SECRET_KEY", "DATA_DIR", "REDIS_URL", "BASE_URL", "MAIL_SERVER", "MAIL_USERNAME", "SEARCH_BACKEND",
                "EXCHANGE_PROVINCE",
                "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "MAIL_BACKEND", "PRIVACY_NOTICE_VERSION",
                "LOGIN_RATE_LIMIT", "ACCOUNT_MAIL_RATE_LIMIT", "TOTP_ISSUER"):
        if env(key) is not None:
            cfg[key] = env(key)
    if env("DATABASE_URL"):
        cfg["SQLALCHEMY_DATABASE_URI"] = env("DATABASE_URL")
    for key in ("MAIL_PORT", "PROXY_FIX_HOPS", "MAX_CONTENT_LENGTH", "OUTBOX_LEASE_SECONDS", "SESSION_LIFETIME_HOURS",
                "STAFF_IDLE_MINUTES"):
        if env(key) is not None:
            cfg[key] = int(env(key))
    if env("OUTBOX_POLL_SECONDS") is not None:
        cfg["OUTBOX_POLL_SECONDS"] = float(env("OUTBOX_POLL_SECONDS"))
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL", "FORCE_HTTPS"):
        if env(key) is not None:
            cfg[key] = env_bool(key)
    cfg.update(overrides)

    data_dir = Path(cfg["DATA_DIR"])
    cfg["DATA_DIR"] = str(data_dir)
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{data_dir / 'marketplace.db'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(cfg["SQLALCHEMY_DATABASE_URI"])
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or "memory://"
    cfg["SESSION_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"] or cfg["FORCE_HTTPS"]
    cfg["PERMANENT_SESSION_LIFETIME"] = cfg["SESSION_LIFETIME_HOURS"] * 3600  # the cookie lives as long

    if name == "production" and not cfg.get("SECRET_KEY"):
        raise ConfigError("MARKETPLACE_SECRET_KEY is required when MARKETPLACE_ENV=production")
    if name == "production" and len(cfg["SECRET_KEY"]) < 32:
        raise ConfigError("MARKETPLACE_SECRET_KEY must be at least 32 characters in production")
    return cfg


def normalise_database_url(url: str) -> str:
    """``postgresql://`` would pick psycopg2, which is not installed: use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
