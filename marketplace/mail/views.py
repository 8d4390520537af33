"""``/dev/mail``: the mail a development instance wrote to files, for local users only."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from flask import Blueprint, abort, current_app, render_template, request

from ..permissions import public
from .tasks import mail_dir

bp = Blueprint("dev_mail", __name__, url_prefix="/dev/mail")

LOCAL_ADDRESSES = {"127.0.0.1", "::1"}


def _guard() -> None:
    if not current_app.config.get("DEV_MAIL_VIEW") or request.remote_addr not in LOCAL_ADDRESSES:
        abort(404)


def read_messages(limit: int = 50) -> list[dict]:
    files = sorted(mail_dir().glob("*.eml"), reverse=True)[:limit]
    messages = []
    for path in files:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        messages.append({"id": path.stem, "to": msg["To"], "subject": msg["Subject"], "date": msg["Date"],
                         "body": msg.get_body(preferencelist=("plain",)).get_content()})
    return messages


@bp.get("/")
@public
def inbox():
    _guard()
    return render_template("dev/mail.html", messages=read_messages())
