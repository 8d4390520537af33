"""Queueing mail. Services call :func:`queue_mail`; the message leaves only after the transaction commits."""

from __future__ import annotations

from ..extensions import db
from ..tasks import after_commit
from .tasks import send_mail


def queue_mail(to: str, template: str, *, locale: str | None = None, **context) -> None:
    """Send ``templates/mail/<template>.txt`` (subject ``<template>.subject.txt``) to ``to`` after commit.

    ``context`` must be JSON-serialisable: pass ids, names and absolute URLs, not ORM objects.
    """
    after_commit(db.session(), send_mail, to, template, locale or "vi", context)
