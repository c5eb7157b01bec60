"""/signin, /signin/setup, /signout and the redirect of signed-out page requests, over ASGI on a real
SQLite workspace: what a browser sends and receives, cookies included."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from core.accounts.sign_in import resume
from core.config import Settings
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.sign_in_routes import COOKIE, safe_next, sign_in_middleware, sign_in_routes
from tests.integration.conftest import PostgresServer

PASSWORD = "correct horse battery"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    settings = Settings.model_validate({"runtime_dir": tmp_path, "accounts": {"lock_after_failures": 2}})
    return build_workspace(settings)


def app_on(ws: Workspace) -> TestClient:
    async def page(_request: object) -> PlainTextResponse:  # stands in for Streamlit's page shell
        return PlainTextResponse("the app")

    app = Starlette(
        routes=[*sign_in_routes(lambda: ws, oidc_login_path=lambda: None), Route("/{path:path}", page)],
        middleware=[sign_in_middleware()],
    )
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


@pytest.fixture
def client(ws: Workspace) -> TestClient:
    return app_on(ws)


def setup_admin(client: TestClient) -> None:
    form = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD, "confirm": PASSWORD, "next": "/"}
    response = client.post("/signin/setup", data=form)
    assert response.status_code == 303


def test_a_new_workspace_asks_for_its_admin_then_signs_them_in(client: TestClient, ws: Workspace) -> None:
    page = client.get("/signin")
    assert "Create the administrator account" in page.text and page.headers["cache-control"] == "no-store"
    form = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD, "confirm": "typo", "next": "/"}
    assert "The two passwords differ" in client.post("/signin/setup", data=form).text
    response = client.post("/signin/setup", data={**form, "confirm": PASSWORD, "next": "/history"})
    assert response.status_code == 303 and response.headers["location"] == "/history"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    account = resume(ws, response.cookies[COOKIE]).account
    assert account is not None and account.email == "ada@example.com"
    assert "Sign in" in client.get("/signin").text  # no second admin form
    again = client.post("/signin/setup", data={**form, "email": "eve@example.com", "confirm": PASSWORD})
    assert again.status_code == 409 and "already has an administrator" in again.text


def test_wrong_passwords_are_answered_slowly_then_the_account_locks(client: TestClient) -> None:
    setup_admin(client)
    started = time.monotonic()
    wrong = client.post("/signin", data={"email": "ada@example.com", "password": "nope nope nope"})
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text and COOKIE not in wrong.cookies
    assert time.monotonic() - started >= 0.25
    assert 'value="ada@example.com"' in wrong.text  # the email is kept, the password is not
    locked = client.post("/signin", data={"email": "ada@example.com", "password": "nope again!"})
    assert locked.status_code == 401 and "locked until" in locked.text
    still = client.post("/signin", data={"email": "ada@example.com", "password": PASSWORD})
    assert "locked until" in still.text and COOKIE not in still.cookies


def test_an_address_with_no_account_is_answered_as_an_account_with_a_wrong_password(client: TestClient) -> None:
    """Same page, same status, same wait, same lock at the same attempt: a prober cannot tell who has an account."""
    setup_admin(client)
    client.cookies.clear()

    def attempt(email: str, password: str) -> tuple[int, str, float]:
        started = time.monotonic()
        response = client.post("/signin", data={"email": email, "password": password})
        waited = time.monotonic() - started
        assert COOKIE not in response.cookies
        return response.status_code, response.text.replace(email, "EMAIL"), waited

    for n, least in enumerate([0.25, 0.5, 0.5], start=1):  # lock_after_failures is 2: locked at the second
        known = attempt("ada@example.com", f"wrong guess {n}")
        unknown = attempt("nobody@example.com", f"wrong guess {n}")
        assert known[:2] == unknown[:2] and known[0] == 401
        assert ("locked until" in known[1]) == (n >= 2)
        assert known[2] >= least and unknown[2] >= least  # answered no sooner than the delay for that many
    assert attempt("ada@example.com", PASSWORD)[:2] == attempt("nobody@example.com", PASSWORD)[:2]  # still locked


def test_signing_in_and_out(client: TestClient, ws: Workspace) -> None:
    setup_admin(client)
    client.cookies.clear()
    response = client.post("/signin", data={"email": "ADA@example.com", "password": PASSWORD, "next": "/live"})
    assert response.status_code == 303 and response.headers["location"] == "/live"
    token = response.cookies[COOKIE]
    client.cookies.set(COOKIE, token)
    out = client.get("/signout")
    assert out.status_code == 303 and out.headers["location"] == "/signin?signed_out=1"
    assert f'{COOKIE}=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert resume(ws, token).account is None  # ended on the server, not only in the browser
    assert "You have signed out." in client.get("/signin?signed_out=1").text


def test_a_page_request_without_a_sign_in_goes_to_the_sign_in_page_and_back(client: TestClient) -> None:
    response = client.get("/history?session=abc", headers={"accept": "text/html"})
    assert response.status_code == 303 and response.headers["location"] == "/signin?next=%2Fhistory%3Fsession%3Dabc"
    assert client.get("/_stcore/health", headers={"accept": "text/html"}).text == "the app"  # Streamlit's own
    assert client.get("/history", headers={"accept": "application/json"}).text == "the app"  # not a page load


def test_a_forged_cross_site_post_is_refused(client: TestClient) -> None:
    setup_admin(client)
    response = client.post(
        "/signin", data={"email": "ada@example.com", "password": PASSWORD}, headers={"origin": "https://evil.test"}
    )
    assert response.status_code == 400 and COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("target", "safe"),
    [("/history", "/history"), ("//evil.test/x", "/"), ("https://evil.test", "/"), ("/\\evil.test", "/"), (None, "/")],
)
def test_after_sign_in_only_this_server_is_a_destination(target: str | None, safe: str) -> None:
    assert safe_next(target) == safe


def test_a_typed_email_is_shown_back_as_text(client: TestClient) -> None:
    setup_admin(client)
    response = client.post("/signin", data={"email": '"><script>alert(1)</script>', "password": "x"})
    assert "<script>alert(1)</script>" not in response.text and "&lt;script&gt;" in response.text


def _reachable(server: PostgresServer, url: str, reachable: bool) -> None:
    """Refuse new connections to the database and drop the open ones, or let them in again."""
    name = make_url(url).database
    with server._admin.connect() as admin:
        admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(reachable).lower()}'))
        if not reachable:
            admin.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )


@pytest.mark.postgres
def test_a_database_lost_after_start_up_is_said_plainly_and_signing_in_works_again_once_it_is_back(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """Hardening 10 on the sign-in pages: the sign-in page answered a bare 500 while the database was away."""
    url = postgres_server.create_database()
    ws = build_workspace(Settings(database_url=url, runtime_dir=tmp_path))  # started: connected and migrated
    client = app_on(ws)
    setup_admin(client)
    token = client.cookies[COOKIE]
    away = "cannot reach its database right now"

    _reachable(postgres_server, url, reachable=False)
    try:
        page = client.get("/signin")
        assert page.status_code == 503 and away in page.text and "Traceback" not in page.text
        wrong = client.post("/signin", data={"email": "ada@example.com", "password": PASSWORD})
        assert wrong.status_code == 503 and away in wrong.text
        out = client.get("/signout")  # the sign-in cannot be ended: say so rather than only drop the cookie
        assert out.status_code == 503 and "still signed in" in out.text and "set-cookie" not in out.headers
    finally:
        _reachable(postgres_server, url, reachable=True)

    assert "Sign in" in client.get("/signin").text  # back without a restart
    client.cookies.set(COOKIE, token)
    assert client.get("/signout").status_code == 303
    assert resume(ws, token).account is None
    again = client.post("/signin", data={"email": "ada@example.com", "password": PASSWORD, "next": "/"})
    assert again.status_code == 303 and COOKIE in again.cookies
