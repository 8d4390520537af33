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


def test_redis_url_selects_redis_queue(tmp_path):
    out = _run("from marketplace.tasks import huey; print(type(huey).__name__)", tmp_path)
    assert out == "RedisHuey"
