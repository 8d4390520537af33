"""Effects queued with ``after_commit`` run only after the commit; a real worker drains the SQLite queue."""

import os
import subprocess
import sys
import time
from pathlib import Path

from marketplace.extensions import db as _db
from marketplace.tasks import after_commit

ROOT = Path(__file__).resolve().parent.parent


def test_after_commit_runs_after_commit_and_not_after_rollback(db):
    calls = []
    after_commit(_db.session(), calls.append, "rolled back")
    _db.session.rollback()
    _db.session.commit()
    assert calls == []
    after_commit(_db.session(), calls.append, "committed")
    assert calls == []
    _db.session.commit()
    assert calls == ["committed"]
    _db.session.commit()
    assert calls == ["committed"]  # once


def test_dedupe_key_queues_an_effect_once_per_transaction(db):
    calls = []
    for _ in range(3):
        after_commit(_db.session(), calls.append, "index 7", dedupe_key=("index", 7))
    after_commit(_db.session(), calls.append, "index 8", dedupe_key=("index", 8))
    _db.session.commit()
    assert calls == ["index 7", "index 8"]
    after_commit(_db.session(), calls.append, "index 7 again", dedupe_key=("index", 7))
    _db.session.commit()  # a new transaction queues it again
    assert calls[-1] == "index 7 again"


def test_effects_wait_for_the_outermost_commit_not_a_savepoint(db):
    from marketplace.accounts.models import User

    calls = []
    after_commit(_db.session(), calls.append, "effect")
    with _db.session.begin_nested():
        _db.session.add(User(email="savepoint@example.vn", full_name="Lưu Điểm"))
    assert calls == []  # releasing the savepoint is not the commit
    _db.session.commit()
    assert calls == ["effect"]


def test_worker_process_sends_queued_mail(tmp_path):
    """The web process only writes an outbox row; ``flask worker`` renders and writes the mail."""
    env = dict(os.environ, MARKETPLACE_ENV="development", MARKETPLACE_DATA_DIR=str(tmp_path),
               MARKETPLACE_DATABASE_URL=f"sqlite:///{tmp_path}/w.db")
    enqueue = """
from marketplace import create_app
from marketplace.extensions import db
from marketplace.mail.services import queue_mail
app = create_app()
with app.app_context():
    db.create_all()
    queue_mail("an@example.vn", "reset_password", locale="vi", name="An", url="http://x/reset")
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", enqueue], cwd=ROOT, env=env, check=True, timeout=60)
    mail_dir = tmp_path / "mail"
    assert not list(mail_dir.glob("*.eml")), "the web process must not send mail itself"
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "marketplace", "worker", "--workers", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not list(mail_dir.glob("*.eml")):
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    files = list(mail_dir.glob("*.eml"))
    assert len(files) == 1
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert message["To"] == "an@example.vn"
    assert message["Subject"] == "Đặt mật khẩu mới"
    assert "http://x/reset" in message.get_body(preferencelist=("plain",)).get_content()
