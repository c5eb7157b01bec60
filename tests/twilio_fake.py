"""A loopback Twilio Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From
(or MessagingServiceSid) and Body, HTTP Basic auth AccountSid:AuthToken. Answers as Twilio does: 201 with the
message's JSON ("sid", "status": "queued", …); 401 code 20003 for credentials it does not know; 400 code 21211
for a To that is not an E.164 number, 21602 for no Body; `fail_next` queues 429 code 20429 or a 5xx."""

from __future__ import annotations

import base64
import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.loopback import LoopbackServer

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "fake-twilio-auth-token-1234"
FROM_NUMBER = "+15005550006"
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
INVALID_NUMBER = "+15005550001"  # Twilio's test number for "not a valid phone number"


@dataclass(frozen=True)
class Sent:
    form: dict[str, str]
    authorization: str  # the raw header, to check Basic auth


def error(status: int, code: int, message: str) -> JSONResponse:
    more = f"https://www.twilio.com/docs/errors/{code}"
    return JSONResponse({"code": code, "message": message, "more_info": more, "status": status}, status_code=status)


class TwilioFake:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[Sent] = []
        self._answers: deque[tuple[int, int, dict[str, str]]] = deque()
        path = "/2010-04-01/Accounts/{sid}/Messages.json"
        app = Starlette(routes=[Route(path, self._messages, methods=["POST"])])
        self._server = LoopbackServer(app, name="Twilio fake")
        self.api_base = self._server.url

    def fail_next(self, status: int, code: int, *, retry_after: int | None = None, times: int = 1) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._answers.extend([(status, code, headers)] * times)

    def sent(self) -> list[Sent]:
        with self._lock:
            return list(self._sent)

    async def _messages(self, request: Request) -> JSONResponse:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        authorization = request.headers.get("authorization", "")
        if request.path_params["sid"] != ACCOUNT_SID or authorization != expected:
            return error(401, 20003, "Authenticate")
        form = {key: str(value) for key, value in (await request.form()).items()}
        with self._lock:
            if self._answers:
                status, code, headers = self._answers.popleft()
                response = error(status, code, "Too Many Requests" if status == 429 else "Service unavailable")
                response.headers.update(headers)
                return response
        to = form.get("To", "")
        if not _E164.match(to) or to == INVALID_NUMBER:
            return error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
        if not form.get("Body"):
            return error(400, 21602, "Message body is required.")
        with self._lock:
            self._sent.append(Sent(form, authorization))
            number = len(self._sent)
        return JSONResponse(self._message(number, form), status_code=201)

    def _message(self, number: int, form: dict[str, str]) -> dict[str, Any]:
        return {
            "sid": f"SM{number:032d}",
            "account_sid": ACCOUNT_SID,
            "to": form["To"],
            "from": form.get("From"),
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/SM{number:032d}.json",
        }

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()
