"""With MARKETPLACE_REDIS_URL, rate limits are shared across processes and the queue is RedisHuey.

Each worker of gunicorn is a process; ``memory://`` would count per process. Two separate processes stand in
for two workers here. Skipped (with the reason) when no Redis answers on 127.0.0.1:6379.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001
        return False


pytestmark = pytest.mark.skipif(not _redis_available(), reason="no Redis server on 127.0.0.1:6379")

ATTEMPTS = """
import sys
from marketplace import create_app
app = create_app({"ENV_NAME": "testing", "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "10 per minute",
                  "RATELIMIT_KEY_PREFIX": sys.argv[2]})
client = app.test_client()
codes = [client.post("/account/login", data={"email": "x@example.vn", "password": "wrong password!!"}).status_code
         for _ in range(int(sys.argv[1]))]
print(" ".join(map(str, codes)))
"""


def _run(script: str, tmp_path, *args) -> str:
    env = dict(os.environ, MARKETPLACE_REDIS_URL=REDIS, MARKETPLACE_DATA_DIR=str(tmp_path),
               MARKETPLACE_DATABASE_URL=f"sqlite:///{tmp_path}/r.db")
    result = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_login_rate_limit_is_shared_between_processes(tmp_path):
    subprocess.run([sys.executable, "-m", "flask", "--app", "marketplace", "db", "upgrade"], cwd=ROOT, check=True,
                   capture_output=True, env=dict(os.environ, MARKETPLACE_DATA_DIR=str(tmp_path),
                                                 MARKETPLACE_DATABASE_URL=f"sqlite:///{tmp_path}/r.db"))
    prefix = f"test-{uuid.uuid4().hex}"
    first = _run(ATTEMPTS, tmp_path, "6", prefix).split()
    second = _run(ATTEMPTS, tmp_path, "5", prefix).split()
    assert first == ["401"] * 6
    # with per-process counting the second process would allow all 5; shared counting stops the 11th attempt
    assert second == ["401"] * 4 + ["429"]


TOKEN_ATTEMPTS = """
import sys
from marketplace import create_app
app = create_app({"ENV_NAME": "testing", "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "10 per minute",
                  "RATELIMIT_KEY_PREFIX": sys.argv[2]})
client = app.test_client()
first = int(sys.argv[3])
codes = [client.post("/api/v1/auth/tokens", json={"email": "an@example.vn", "password": "wrong password!!"},
                     environ_base={"REMOTE_ADDR": f"198.51.100.{first + i}"}).status_code
         for i in range(int(sys.argv[1]))]
print(" ".join(map(str, codes)))
"""

RESETS = """
import sys
from pathlib import Path
from marketplace import create_app
from marketplace.accounts.services import create_user
from marketplace.extensions import db
app = create_app({"ENV_NAME": "testing", "RATELIMIT_ENABLED": True, "ACCOUNT_MAIL_RATE_LIMIT": "3 per hour",
                  "RATELIMIT_KEY_PREFIX": sys.argv[2]})
with app.app_context():
    if not db.session.execute(db.text("SELECT 1 FROM \\"user\\"")).first():
        create_user(email="an@example.vn", password="correct horse battery staple", full_name="An", verified=True)
        db.session.commit()
client = app.test_client()
first = int(sys.argv[3])
codes = {client.post("/account/password/forgot", data={"email": "an@example.vn"},
                     environ_base={"REMOTE_ADDR": f"203.0.113.{first + i}"}).status_code
         for i in range(int(sys.argv[1]))}
print(len(list((Path(app.config["DATA_DIR"]) / "mail").glob("*.eml"))), *sorted(codes))
"""


def _upgrade(tmp_path) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "marketplace", "db", "upgrade"], cwd=ROOT, check=True,
                   capture_output=True, env=dict(os.environ, MARKETPLACE_DATA_DIR=str(tmp_path),
                                                 MARKETPLACE_DATABASE_URL=f"sqlite:///{tmp_path}/r.db"))


def test_token_attempts_per_address_are_shared_between_processes(tmp_path):
    """13 guesses at one address from 13 client addresses, split over two workers: the last 3 are refused."""
    _upgrade(tmp_path)
    prefix = f"test-{uuid.uuid4().hex}"
    first = _run(TOKEN_ATTEMPTS, tmp_path, "7", prefix, "1").split()
    second = _run(TOKEN_ATTEMPTS, tmp_path, "6", prefix, "100").split()
    assert first == ["401"] * 7
    assert second == ["401"] * 3 + ["429"] * 3


def test_reset_mail_quota_is_shared_between_processes(tmp_path):
    """12 reset requests for one address over two workers: 3 mails (ACCOUNT_MAIL_RATE_LIMIT), one answer."""
    _upgrade(tmp_path)
    prefix = f"test-{uuid.uuid4().hex}"
    first = _run(RESETS, tmp_path, "6", prefix, "1").split()
    second = _run(RESETS, tmp_path, "6", prefix, "100").split()
    assert first == ["3", "302"]  # the mail directory is shared: 3 after the first worker
    assert second == ["3", "302"]  # and still 3 after the second


def test_redis_url_selects_redis_queue(tmp_path):
    out = _run("from marketplace.tasks import huey; print(type(huey).__name__)", tmp_path)
    assert out == "RedisHuey"
