"""Reject input no layer below can store or parse safely, with a 400 and a clear message.

Stock Flask lets through JSON nested deep enough to raise RecursionError, NaN/Infinity, lone surrogates
and NUL characters (PostgreSQL rejects NUL in text; SQLite stores it). The check runs before any view.
"""

from __future__ import annotations

import json

from flask import Flask, abort, current_app, request
from flask_babel import gettext as _

from .text import problem_in_text

_JSON_TYPES = ("application/json", "+json")


def _reject_constant(name: str):
    raise ValueError(name)


def _problem_in(value, max_depth: int) -> str | None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return "depth"
        if isinstance(item, str):
            problem = problem_in_text(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            for key, sub in item.items():
                problem = problem_in_text(key)
                if problem:
                    return problem
                stack.append((sub, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1) for sub in item)
    return None


def _messages() -> dict[str, str]:
    depth = current_app.config["MAX_JSON_DEPTH"]
    return {
        "depth": _("The JSON document is nested more than %(depth)d levels deep.", depth=depth),
        "nul": _("The text contains a NUL character (\\u0000), which is not allowed."),
        "surrogate": _("The text contains an invalid Unicode character (a lone surrogate)."),
        "constant": _("NaN and Infinity are not valid JSON numbers."),
        "syntax": _("The request body is not valid JSON."),
        "encoding": _("The request body is not valid UTF-8."),
    }


def check_request() -> None:
    max_depth = current_app.config["MAX_JSON_DEPTH"]
    problem = None
    for multi in (request.args, request.form):
        for key, value in multi.items(multi=True):
            problem = problem_in_text(key) or problem_in_text(value)
            if problem:
                break
        if problem:
            break
    content_type = (request.mimetype or "").lower()
    if not problem and any(content_type.endswith(t) for t in _JSON_TYPES):
        raw = request.get_data(cache=True)
        if raw.strip():
            try:
                parsed = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            except RecursionError:
                problem = "depth"
            except UnicodeDecodeError:
                problem = "encoding"
            except ValueError as exc:
                problem = "constant" if str(exc) in {"NaN", "Infinity", "-Infinity"} else "syntax"
            else:
                problem = _problem_in(parsed, max_depth)
    if problem:
        abort(400, description=_messages()[problem])


def init_app(app: Flask) -> None:
    app.before_request(check_request)
