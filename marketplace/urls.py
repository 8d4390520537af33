"""Absolute URLs for mail and feeds, built from ``MARKETPLACE_BASE_URL`` (no request needed)."""

from __future__ import annotations

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
