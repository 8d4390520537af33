"""The HTML view idiom, written once: run one service call as the request's unit of work.

    done = attempt(lambda: submit_listing(listing, by=current_user), _("Sent to DOST for review."), form=form)
    if done:
        return redirect(url_for("listings.detail", reference=listing.reference))

On success the session is committed and ``success`` is flashed (a text, or a function of the service's
result, or ``None`` for no message). On :class:`~marketplace.errors.ServiceError` the session is rolled back
and the refusal is shown on the form field it names, else flashed. API views do not need this: they let the
``ServiceError`` propagate and ``marketplace.errors`` answers it in the JSON error format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash

from .errors import ServiceError
from .extensions import db

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What :func:`attempt` did: truthy when the service succeeded and the session was committed."""

    ok: bool
    value: T | None = None
    error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.ok


def attempt(action: Callable[[], T], success: Any = None, *, form=None) -> Outcome[T]:
    """Call ``action``; commit and flash ``success``, or roll back and show why it was refused."""
    try:
        value = action()
    except ServiceError as exc:
        db.session.rollback()
        shown = form is not None and form.apply_service_error(exc)
        if not shown:
            flash(exc.message, "danger")
        return Outcome(False, error=exc)
    db.session.commit()
    if success is not None:
        flash(str(success(value) if callable(success) else success), "success")
    return Outcome(True, value)
