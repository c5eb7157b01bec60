"""The HTTP side of signing in, mounted into Streamlit's server by server.py: /signin (and the first
admin's /signin/setup), /signout, and a middleware that sends a browser without a sign-in to /signin.

Passwords travel in a plain form POST, never through Streamlit's websocket; the browser gets an HttpOnly,
SameSite=Lax cookie holding a random token, and the database keeps only its hash. The pages check that
cookie on every run (components/signed_in.py): the redirect here is a convenience, not the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import anyio
import jinja2
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from core.accounts import passwords
from core.accounts.services import create_first_admin, needs_first_admin
from core.accounts.sign_in import failure_delay, sign_in_with_password, sign_out
from core.errors import AlreadyExists, DatabaseUnavailable, InvalidInput, SignInRefused, WorkspaceError
from core.workspace import Workspace

log = logging.getLogger(__name__)

COOKIE = "iw_session"
STREAMLIT_USER_COOKIE = "_streamlit_user"  # set by st.login (OpenID Connect)
MAX_FORM_BYTES = 16_384
UNAVAILABLE = "The workspace cannot reach its database right now. Try again in a minute."
SIGN_OUT_UNAVAILABLE = (
    "The workspace cannot reach its database right now, so you are still signed in. Try signing out again in a minute."
)
# What a browser may load without a sign-in: Streamlit's own machinery (the websocket checks the cookie
# itself, page by page), sign-in, the webhook, and the OIDC callback.
OPEN_PREFIXES = ("/_stcore", "/static", "/media", "/component", "/app/static", "/signin", "/signout", "/webhooks",
                 "/auth", "/oauth2callback", "/favicon")  # fmt: skip

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,  # every value shown is escaped: an email typed as <script> stays text
    undefined=jinja2.StrictUndefined,
)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server only (never //host or a scheme: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def sign_in_routes(workspace: Callable[[], Workspace], *, oidc_login_path: Callable[[], str | None]) -> list[Route]:
    """`oidc_login_path` gives the address of the identity provider's button, or None when OIDC is off."""

    async def show(request: Request) -> Response:
        ws = await _workspace(workspace)
        if ws is None:
            return _unavailable()
        try:
            setup = await anyio.to_thread.run_sync(needs_first_admin, ws)
        except WorkspaceError as exc:  # the database went away after start-up: say so, not a bare 500
            log.error("sign-in: database unavailable", extra={"error": str(exc)})
            return _unavailable()
        info = None
        if request.query_params.get("expired"):
            info = "Your session has expired. Please sign in again."
        elif request.query_params.get("signed_out"):
            info = "You have signed out."
        return _page(setup=setup, next=safe_next(request.query_params.get("next")), info=info, oidc=oidc_login_path())

    async def submit(request: Request) -> Response:
        ws = await _workspace(workspace)
        if ws is None:
            return _unavailable()
        form = await _form(request)
        if form is None:
            return _page(error="That request did not come from this sign-in page. Please try again.", status=400)
        email, password, target = form.get("email", ""), form.get("password", ""), safe_next(form.get("next"))
        started = anyio.current_time()
        try:
            signed = await anyio.to_thread.run_sync(sign_in_with_password, ws, email, password)
        except SignInRefused as exc:
            # Answered failure_delay after the form arrived, not after the work: the work (an account's audit
            # entry, a lock) then cannot show in the time taken. Slows guessing without holding a worker thread.
            await anyio.sleep_until(started + failure_delay(exc.failures))
            return _page(error=str(exc), email=email, next=target, oidc=oidc_login_path(), status=401)
        except WorkspaceError as exc:
            return _page(error=_outage(exc), email=email, next=target, status=503)
        return _signed_in(request, signed.token, target, ws)

    async def setup(request: Request) -> Response:
        ws = await _workspace(workspace)
        if ws is None:
            return _unavailable()
        form = await _form(request)
        if form is None:
            return _page(setup=True, error="That request did not come from this page. Please try again.", status=400)
        name, email = form.get("name", ""), form.get("email", "")
        target = safe_next(form.get("next"))

        def again(error: str, status: int) -> Response:
            return _page(setup=True, name=name, email=email, next=target, error=error, status=status)

        if form.get("password", "") != form.get("confirm", ""):
            return again("The two passwords differ. Type the same password twice.", 400)
        try:
            await anyio.to_thread.run_sync(
                lambda: create_first_admin(ws, email=email, name=name, password=form.get("password", ""))
            )
            signed = await anyio.to_thread.run_sync(sign_in_with_password, ws, email, form.get("password", ""))
        except AlreadyExists as exc:
            return _page(error=str(exc), status=409)
        except (InvalidInput, SignInRefused) as exc:
            return again(str(exc), 400)
        except WorkspaceError as exc:
            return again(_outage(exc), 503)
        return _signed_in(request, signed.token, target, ws)

    async def leave(request: Request) -> Response:
        ws = await _workspace(workspace)
        token = request.cookies.get(COOKIE)
        if ws is None and token:
            return _unavailable(SIGN_OUT_UNAVAILABLE)
        if ws is not None and token:
            try:
                await anyio.to_thread.run_sync(sign_out, ws, token)
            except WorkspaceError as exc:  # the sign-in would outlive the cookie: keep both, ask to try again
                log.error("sign-out: database unavailable", extra={"error": str(exc)})
                return _unavailable(SIGN_OUT_UNAVAILABLE)
        response = RedirectResponse("/signin?signed_out=1", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        response.delete_cookie(STREAMLIT_USER_COOKIE, path="/")
        for name in request.cookies:  # st.login's tokens cookie (id and access token) and any split-cookie chunks
            if name.startswith(STREAMLIT_USER_COOKIE + "_"):
                response.delete_cookie(name, path="/")
        return response

    return [
        Route("/signin", show, methods=["GET"]),
        Route("/signin", submit, methods=["POST"]),
        Route("/signin/setup", setup, methods=["POST"]),
        Route("/signout", leave, methods=["GET", "POST"]),
    ]


class SignInRedirect:
    """A page request from a browser holding no sign-in cookie goes to /signin, and comes back after.

    Plain ASGI: websockets, streams and the webhook's background work pass through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            path = request.url.path
            wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
            if (
                wants_page
                and not path.startswith(OPEN_PREFIXES)
                and COOKIE not in request.cookies
                and STREAMLIT_USER_COOKIE not in request.cookies
            ):
                target = path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def sign_in_middleware() -> Middleware:
    return Middleware(SignInRedirect)


async def _workspace(workspace: Callable[[], Workspace]) -> Workspace | None:
    try:
        return await anyio.to_thread.run_sync(workspace)
    except WorkspaceError as exc:
        log.error("sign-in: workspace unavailable", extra={"error": str(exc)})
        return None


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form, or None for a cross-site post (Origin naming another host) or an oversized body."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=10)
    return {key: values[0] for key, values in fields.items()}


def _signed_in(request: Request, token: str, target: str, ws: Workspace) -> Response:
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    max_age = int(ws.settings.accounts.max_session_days * 86400)
    response.set_cookie(COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="lax", secure=secure)
    return response


def _page(
    *,
    setup: bool = False,
    error: str | None = None,
    info: str | None = None,
    email: str = "",
    name: str = "",
    next: str = "/",
    oidc: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    heading = "Create the administrator account" if setup else "Sign in"
    lead = (
        "This workspace is new. The account you create now manages people, data and settings."
        if setup
        else "Sign in to run, practise and review interviews."
    )
    html = _templates.get_template("sign_in.html").render(
        heading=heading, lead=lead, setup=setup, error=error, info=info, email=email, name=name, next=next,
        oidc=oidc, min_length=passwords.MIN_LENGTH,
    )  # fmt: skip
    headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
    return HTMLResponse(html, status_code=status, headers=headers)


def _outage(exc: WorkspaceError) -> str:
    """What to tell a person: the pages' outage text speaks of answers saved and retries, which a form has not."""
    return UNAVAILABLE if isinstance(exc, DatabaseUnavailable) else str(exc)


def _unavailable(message: str = UNAVAILABLE) -> HTMLResponse:
    return _page(error=message, status=503)
