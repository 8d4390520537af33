"""Queueing mail. Services call :func:`queue_mail`; the message leaves only after the transaction commits.

The message is an outbox effect (``mail.send``): it is written in the caller's transaction and sent by the
worker, again after a crash if need be, always with the same Message-ID (see ``mail.tasks``).
"""

from __future__ import annotations

from ..outbox.services import add_effect


def queue_mail(to: str, template: str, *, locale: str | None = None, **context) -> None:
    """Send ``templates/mail/<template>.txt`` (subject ``<template>.subject.txt``) to ``to`` after commit.

    ``context`` must be JSON-serialisable: pass ids, names and absolute URLs, not ORM objects.
    """
    add_effect("mail.send", {"to": to, "template": template, "locale": locale or "vi", "context": context})
