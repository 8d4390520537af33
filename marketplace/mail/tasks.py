from __future__ import annotations

import uuid
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from ..extensions import mail
from ..tasks import task
from ..timeutil import utcnow


def render_mail(template: str, locale: str, context: dict) -> tuple[str, str]:
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body = render_template(f"mail/{template}.txt", **context)
    return subject, body


def mail_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / "mail"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_mail_file(to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] = ()) -> Path:
    # the default policy folds long non-ASCII subjects and drops a space at the fold ("công nghệvà")
    msg = EmailMessage(policy=policy.default.clone(max_line_length=998))
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="marketplace.local")
    msg.set_content(body)
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    directory = mail_dir()
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    tmp = directory / (name + ".part")
    tmp.write_bytes(bytes(msg))
    final = directory / name
    tmp.rename(final)
    return final


def deliver(to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] = ()) -> None:
    """Hand one message to the configured backend (SMTP, or files under DATA_DIR/mail). Jobs only."""
    if current_app.config["MAIL_BACKEND"] == "smtp":
        message = Message(subject=subject, recipients=[to], body=body)
        for filename, content_type, data in attachments:
            message.attach(filename, content_type, data)
        mail.send(message)
    else:
        write_mail_file(to, subject, body, attachments)


@task(retries=5, retry_delay=60)
def send_mail(to: str, template: str, locale: str, context: dict) -> None:
    subject, body = render_mail(template, locale, context)
    deliver(to, subject, body)
