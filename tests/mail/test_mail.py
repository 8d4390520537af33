"""Outgoing mail: rendered in the recipient's language, written once per outbox item (the same Message-ID on a
retry), sent over SMTP in production, and shown at ``/dev/mail/`` to local users only."""

from __future__ import annotations

import socketserver
import threading
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest

from marketplace.mail.services import queue_mail
from marketplace.mail.tasks import message_identity, render_mail, send_mail
from marketplace.outbox import tasks as outbox
from marketplace.outbox.models import EffectStatus, OutboxItem
from marketplace.timeutil import utcnow

CONTEXT = {"name": "Nguyễn Văn An", "url": "http://testserver/account/verify/abc"}


@pytest.fixture()
def deferred(app, monkeypatch):
    """Mail waits for a worker (as in production) instead of going out at the commit."""
    monkeypatch.setitem(app.config, "OUTBOX_IMMEDIATE", False)


def _queued(db, to="an@example.vn", locale="vi") -> OutboxItem:
    queue_mail(to, "verify_email", locale=locale, **CONTEXT)
    db.session.commit()
    return db.session.query(OutboxItem).filter_by(kind="mail.send").order_by(OutboxItem.id.desc()).first()


# --- rendering --------------------------------------------------------------------------------------------

def test_mail_is_rendered_in_the_recipients_language(app, db):
    subject, body = render_mail("verify_email", "vi", CONTEXT)
    assert subject == "Xác minh địa chỉ email"
    assert body.startswith("Xin chào Nguyễn Văn An,") and CONTEXT["url"] in body
    subject, body = render_mail("verify_email", "en", CONTEXT)
    assert subject == "Verify your email address"
    assert body.startswith("Hello Nguyễn Văn An,") and CONTEXT["url"] in body


def test_the_file_backend_writes_the_queued_mail_after_commit(db, mailbox):
    queue_mail("an@example.vn", "verify_email", locale="en", **CONTEXT)
    assert mailbox.messages() == []  # nothing leaves before the commit
    db.session.commit()
    [message] = mailbox.to("an@example.vn")
    assert message["Subject"] == "Verify your email address"
    assert CONTEXT["url"] in message.get_body(preferencelist=("plain",)).get_content()


# --- once per outbox item ---------------------------------------------------------------------------------

def test_a_retried_mail_is_written_once_with_the_same_message_id(db, mailbox, deferred, monkeypatch):
    """The worker wrote the file, then died before marking the item done: the retry writes nothing new."""
    crashes = {"left": 1}

    def send_then_crash(payload, item):
        send_mail(payload, item)
        if crashes["left"]:
            crashes["left"] -= 1
            raise ConnectionError("worker lost the database after sending")

    monkeypatch.setitem(outbox.HANDLERS, "mail.send", outbox.Handler(send_then_crash))
    item = _queued(db)
    assert outbox.run_item(item.id) == "retry"
    [first] = mailbox.messages()
    assert outbox.run_item(item.id, utcnow() + timedelta(hours=1)) == "done"
    [again] = mailbox.messages()
    db.session.refresh(item)
    assert (item.status, item.attempts) == (EffectStatus.DONE, 2)
    assert first["Message-ID"] == again["Message-ID"] == message_identity(item)[0]


def test_two_items_make_two_messages_with_different_ids(db, mailbox):
    _queued(db, to="an@example.vn")
    _queued(db, to="binh@example.vn")
    ids = {m["Message-ID"] for m in mailbox.messages()}
    assert len(ids) == 2 and all(i.startswith("<") and i.endswith("@testserver>") for i in ids)


# --- SMTP -------------------------------------------------------------------------------------------------

class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        envelope: dict = {"rcpt": []}
        self.reply("220 fake-smtp ready")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-fake-smtp")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 fake-smtp")
            elif verb == "MAIL":
                envelope = {"from": command[10:].strip(), "rcpt": []}
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["rcpt"].append(command[8:].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.received.append((envelope, b"".join(lines)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # RSET, NOOP
                self.reply("250 OK")


@pytest.fixture()
def smtp_server(app, monkeypatch):
    """A fake SMTP server on a free local port; the app sends through it (``MAIL_BACKEND = "smtp"``)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state = app.extensions["mail"]
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", server.server_address[1])
    monkeypatch.setattr(state, "suppress", False)
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_smtp_sends_the_rendered_message_with_the_items_message_id(db, smtp_server, mailbox):
    item = _queued(db, to="an@example.vn", locale="vi")
    db.session.refresh(item)
    assert item.status == EffectStatus.DONE
    [(envelope, raw)] = smtp_server.received
    assert envelope["rcpt"] == ["<an@example.vn>"]
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["To"] == "an@example.vn"
    assert message["Subject"] == "Xác minh địa chỉ email"
    assert message["Message-ID"] == message_identity(item)[0]
    assert CONTEXT["url"] in message.get_body(preferencelist=("plain",)).get_content()
    assert mailbox.messages() == []  # SMTP instead of files, not both


def test_an_unreachable_smtp_server_means_a_retry_not_a_lost_mail(app, db, smtp_server, deferred, monkeypatch):
    smtp_server.shutdown()
    smtp_server.server_close()  # the port now refuses connections
    item = _queued(db)
    assert outbox.run_item(item.id) == "retry"
    db.session.refresh(item)
    assert item.status == EffectStatus.PENDING and item.last_error and item.available_at > utcnow()
    assert smtp_server.received == []


# --- /dev/mail/ -------------------------------------------------------------------------------------------

def test_dev_mailbox_shows_mail_to_local_users_only(app, client, db, mailbox, monkeypatch):
    _queued(db, locale="en")
    page = client.get("/dev/mail/", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Verify your email address" in text and "an@example.vn" in text
    assert client.get("/dev/mail/", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    remote = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/dev/mail/", environ_base=remote).status_code == 404
    # a forwarded-for header claiming to be local does not count (no proxy is trusted in this configuration)
    assert client.get("/dev/mail/", environ_base=remote, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
    monkeypatch.setitem(app.config, "DEV_MAIL_VIEW", False)  # production
    assert client.get("/dev/mail/", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
