"""Sending mail from the worker: render, then hand over to SMTP or write a file (development, tests).

Every message is an outbox effect; its Message-ID and file name come from the outbox item, so a message
sent again after a crash carries the same Message-ID (mail clients show it once) and the file backend
writes it once.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from ..extensions import mail
from ..outbox import tasks as outbox
from ..outbox.models import OutboxItem


def render_mail(template: str, locale: str, context: dict) -> tuple[str, str]:
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body = render_template(f"mail/{template}.txt", **context)
    return subject, body


def mail_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / "mail"
    path.mkdir(parents=True, exist_ok=True)
    return path


def message_identity(item: OutboxItem) -> tuple[str, str]:
    """The Message-ID and file name of the mail an outbox item sends: the same on every attempt."""
    stamp = f"{item.created_at:%Y%m%dT%H%M%S%f}-{item.id:010d}"
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return f"<{stamp}@{domain}>", f"{stamp}.eml"


def write_mail_file(to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] = (), *,
                    message_id: str, name: str) -> Path:
    # the default policy folds long non-ASCII subjects and drops a space at the fold ("công nghệvà")
    msg = EmailMessage(policy=policy.default.clone(max_line_length=998))
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    msg.set_content(body)
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    directory = mail_dir()
    final = directory / name
    if final.exists():  # written by an earlier attempt of the same effect
        return final
    tmp = directory / (name + ".part")
    tmp.write_bytes(bytes(msg))
    tmp.rename(final)
    return final


def deliver(item: OutboxItem, to: str, subject: str, body: str,
            attachments: list[tuple[str, str, bytes]] = ()) -> None:
    """Hand the message of outbox ``item`` to the configured backend (SMTP, or files under DATA_DIR/mail)."""
    message_id, name = message_identity(item)
    if current_app.config["MAIL_BACKEND"] == "smtp":
        message = Message(subject=subject, recipients=[to], body=body)
        message.msgId = message_id
        for filename, content_type, data in attachments:
            message.attach(filename, content_type, data)
        mail.send(message)
    else:
        write_mail_file(to, subject, body, attachments, message_id=message_id, name=name)


def send_mail(payload: dict, item: OutboxItem) -> None:
    """The ``mail.send`` effect: ``{"to", "template", "locale", "context"}``."""
    subject, body = render_mail(payload["template"], payload.get("locale") or "vi", payload.get("context") or {})
    deliver(item, payload["to"], subject, body)


def connect() -> None:
    outbox.register("mail.send", send_mail)
