"""Security headers, cookies, CSRF, the input guard, size limits, error pages, configuration, rate limits.

Tests that need an application other than the session one run it in a fresh Python process: ``create_app``
can only run once per process (see ``test_create_app_can_run_twice_in_one_process``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from marketplace.config import ROOT, ConfigError, load_config
from marketplace.extensions import limiter
from tests.conftest import PASSWORD, login

VI_CATALOG = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.mo"
TOKENS = "/api/v1/auth/tokens"
EN = {"Accept-Language": "en"}


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.data[:300]
    assert response.is_json, response.content_type
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"].strip() and isinstance(error["fields"], dict)
    return error


def run_fresh_app(tmp_path, body: str) -> dict:
    """Run ``body`` in a new interpreter where ``app`` is ``create_app(...)``; it must print one JSON line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    env["MARKETPLACE_DATA_DIR"] = str(tmp_path)  # the huey queue file, created at import
    script = "import json\nfrom marketplace import create_app\n" + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["_stderr"] = done.stderr
    return result

# --- headers and cookies --------------------------------------------------------------------------------


def test_security_headers_on_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    make_user(email="an@example.vn")
    response = login(client, "an@example.vn")
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("cnso_session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    attributes = [part.strip().lower() for part in cookies[0].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


# --- CSRF -----------------------------------------------------------------------------------------------


def test_csrf_missing_token_is_a_400_page(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    make_user(email="an@example.vn")
    response = login(client, "an@example.vn")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302  # not signed in
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "login form has no CSRF token"
    response = client.post("/account/login", data={"email": "an@example.vn", "password": PASSWORD,
                                                   "csrf_token": token.group(1)})
    assert response.status_code == 302  # with the token the same form works


def test_api_token_endpoint_needs_no_csrf_token(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    make_user(email="an@example.vn")
    response = client.post(TOKENS, json={"email": "an@example.vn", "password": PASSWORD})
    assert response.status_code == 201, response.data
    assert response.get_json()["token"]


# --- input guard ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "pattern"), [
    ("[" * 100000 + "]" * 100000, r"\b32\b"),
    ("[" * 33 + "]" * 33, r"\b32\b"),
    ('{"email": ' + "[" * 40 + "]" * 40 + ', "password": "x"}', r"\b32\b"),
    ('{"email": NaN, "password": "x"}', r"NaN.*Infinity"),
    ('{"email": "a@example.vn", "password": -Infinity}', r"NaN.*Infinity"),
    ('{"email": "a\\u0000@example.vn", "password": "x"}', r"NUL.*\\u0000"),
    ('{"email\\u0000": "a@example.vn", "password": "x"}', r"NUL.*\\u0000"),
    ('{"email": "a@example.vn", "password": "\\ud800"}', r"surrogate"),
    ('{"email": "a@example.vn", "password": ', r"^(?!.*NaN).*JSON"),
    (b'{"email": "\xff\xfe"}', r"UTF-8"),
], ids=["depth-100000", "depth-33", "depth-in-object", "nan", "infinity", "nul", "nul-in-key", "surrogate",
        "syntax", "utf-8"])
def test_input_guard_rejects_json_with_400(client, raw, pattern):
    """The message names the problem (each pattern holds in English and in Vietnamese)."""
    response = client.post(TOKENS, data=raw, content_type="application/json")
    error = assert_json_error(response, 400, "bad_request")
    assert re.search(pattern, error["message"]), error["message"]


def test_api_errors_before_the_blueprint_follow_accept_language(client, db):
    nan = client.post(TOKENS, data='{"email": NaN}', content_type="application/json", headers=EN)
    assert assert_json_error(nan, 400, "bad_request")["message"] == "NaN and Infinity are not valid JSON numbers."
    missing = client.get("/api/v1/nope", headers=EN)
    assert assert_json_error(missing, 404, "not_found")["message"] == "We could not find that page."


def test_json_depth_32_is_accepted(client, db):
    response = client.post(TOKENS, data="[" * 32 + "]" * 32, content_type="application/json", headers=EN)
    error = assert_json_error(response, 422, "validation_error")  # a list is not a token request
    assert not re.search(r"\b32\b", error["message"])


def test_nul_in_a_form_field_is_400_not_500(client, make_user):
    make_user(email="an@example.vn")
    response = client.post("/account/login", data={"email": "an@example.vn\x00", "password": PASSWORD},
                           headers=EN)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert client.get("/account/").status_code == 302  # not signed in


def test_nul_in_a_query_string_is_400_json(client, db):
    response = client.get("/api/v1/organisations/?q=a%00b", headers=EN)
    assert "NUL" in assert_json_error(response, 400, "bad_request")["message"]


def test_body_over_max_content_length_is_413(app, client, make_user, monkeypatch):
    make_user(email="an@example.vn")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    body = {"email": "an@example.vn", "password": PASSWORD, "name": "x" * 1200}
    assert_json_error(client.post(TOKENS, json=body), 413, "too_large")
    body["name"] = "x" * 50
    assert client.post(TOKENS, json=body).status_code == 201  # below the limit it works


# --- error pages ----------------------------------------------------------------------------------------


def test_unknown_page_is_a_vietnamese_html_404(client, db):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="vi"' in html
    if VI_CATALOG.exists():
        assert "Không tìm thấy" in html
    client.set_cookie("cnso_lang", "en")
    assert "We could not find that page." in client.get("/khong-co-trang-nay").get_data(as_text=True)


def test_unknown_api_path_is_a_json_404(client, db):
    assert_json_error(client.get("/api/v1/nope"), 404, "not_found")
    assert_json_error(client.post("/api/v1/me"), 405, "method_not_allowed")


def test_database_unavailable_is_503_with_retry_after(tmp_path):
    result = run_fresh_app(tmp_path, f"""
        app = create_app({{"ENV_NAME": "testing", "DATA_DIR": {str(tmp_path)!r},
                          "SQLALCHEMY_DATABASE_URI": "postgresql://postgres@127.0.0.1:1/nope"}})
        out = {{"uri": app.config["SQLALCHEMY_DATABASE_URI"]}}
        client = app.test_client()
        for name, path in (("health", "/healthz"), ("api", "/api/v1/organisations/")):
            r = client.get(path)
            out[name] = {{"status": r.status_code, "retry": r.headers.get("Retry-After"),
                         "json": r.get_json(silent=True), "type": r.mimetype}}
        print(json.dumps(out))
    """)
    assert result["uri"].startswith("postgresql+psycopg://")
    assert result["health"]["status"] == 503 and result["health"]["retry"]
    assert result["health"]["type"] == "text/html"
    assert result["api"]["status"] == 503 and int(result["api"]["retry"]) > 0
    assert result["api"]["json"]["error"]["code"] == "unavailable"


def test_unexpected_exception_is_500_with_reference(tmp_path):
    result = run_fresh_app(tmp_path, f"""
        from marketplace.permissions import public
        app = create_app({{"ENV_NAME": "testing", "DATA_DIR": {str(tmp_path)!r},
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / 'boom.db'}"}})

        @public
        def boom():
            raise RuntimeError("kaboom")

        app.add_url_rule("/boom", "boom", boom)
        app.add_url_rule("/api/v1/boom", "api_boom", boom)
        client = app.test_client()
        html, api = client.get("/boom"), client.get("/api/v1/boom")
        print(json.dumps({{"html": [html.status_code, html.mimetype, html.get_data(as_text=True)],
                          "api": [api.status_code, api.get_json(silent=True)]}}))
    """)
    status, mimetype, html = result["html"]
    assert status == 500 and mimetype == "text/html"
    assert "kaboom" not in html and "Traceback" not in html
    refs = re.findall(r"(?<![0-9a-f])[0-9a-f]{10}(?![0-9a-f])", html)
    assert len(refs) == 1, html
    assert f"ref={refs[0]}" in result["_stderr"]  # the reference shown is the one logged
    status, body = result["api"]
    assert status == 500
    assert body["error"]["code"] == "server_error"
    assert re.fullmatch(r"[0-9a-f]{10}", body["error"]["reference"])
    assert body["error"]["reference"] != refs[0]
    assert "kaboom" not in json.dumps(body)


def test_create_app_can_run_twice_in_one_process(tmp_path):
    result = run_fresh_app(tmp_path, f"""
        first = create_app({{"ENV_NAME": "testing", "DATA_DIR": {str(tmp_path / 'a')!r}}})
        try:
            second = create_app({{"ENV_NAME": "testing", "DATA_DIR": {str(tmp_path / 'b')!r}}})
        except Exception as exc:
            print(json.dumps({{"error": repr(exc)}}))
        else:
            paths = [sorted(a.test_client().get("/api/v1/openapi.json").get_json()["paths"])
                     for a in (first, second)]
            print(json.dumps({{"error": None, "paths": paths}}))
    """)
    assert result["error"] is None
    first, second = result["paths"]
    assert "/api/v1/me" in first and first == second


# --- configuration --------------------------------------------------------------------------------------


def test_production_requires_a_long_secret_key(monkeypatch):
    monkeypatch.delenv("MARKETPLACE_SECRET_KEY", raising=False)
    monkeypatch.delenv("MARKETPLACE_ENV", raising=False)
    with pytest.raises(ConfigError, match="MARKETPLACE_SECRET_KEY"):
        load_config({"ENV_NAME": "production"})
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "s" * 20)
    with pytest.raises(ConfigError, match="32"):
        load_config({"ENV_NAME": "production"})

    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "s" * 40)
    cfg = load_config({"ENV_NAME": "production"})
    assert cfg["SECRET_KEY"] == "s" * 40
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["FORCE_HTTPS"] is True


def test_postgresql_urls_use_psycopg3(monkeypatch):
    monkeypatch.delenv("MARKETPLACE_DATABASE_URL", raising=False)
    cfg = load_config({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "postgresql://u:p@db:5432/cnso"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/cnso"
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", "postgres://u@db/cnso")
    assert load_config({"ENV_NAME": "testing"})["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/cnso"
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", "postgresql+psycopg://u@db/cnso")
    assert load_config({"ENV_NAME": "testing"})["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/cnso"


# --- rate limiting --------------------------------------------------------------------------------------


def test_eleventh_failed_login_is_429(tmp_path):
    result = run_fresh_app(tmp_path, f"""
        from marketplace.accounts.services import create_user
        from marketplace.extensions import db
        app = create_app({{"ENV_NAME": "testing", "DATA_DIR": {str(tmp_path)!r}, "RATELIMIT_ENABLED": True,
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / 'rl.db'}"}})
        with app.app_context():
            db.create_all()
            create_user(email="an@example.vn", password={PASSWORD!r}, full_name="An", verified=True)
            db.session.commit()
        client = app.test_client()
        out = []
        for _ in range(11):
            r = client.post("/account/login", data={{"email": "an@example.vn", "password": "wrong password!!"}})
            out.append([r.status_code, r.headers.get("Retry-After"), r.mimetype, r.get_data(as_text=True)])
        print(json.dumps({{"attempts": out}}))
    """)
    attempts = result["attempts"]
    assert [a[0] for a in attempts[:10]] == [401] * 10
    status, retry_after, mimetype, html = attempts[10]
    assert status == 429
    assert retry_after and int(retry_after) > 0
    assert mimetype == "text/html" and "429" in html


def test_limiter_can_be_switched_on_in_a_test(app):
    assert limiter.initialized
