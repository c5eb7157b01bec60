"""Recognise video-meeting links so the app can show a labelled "Join" button.

Links reach us pasted by people (with trailing punctuation, wrapped by Outlook SafeLinks) or in
Cal.com webhooks (sometimes as internal values such as ``integrations:daily``). Matching is done
on the parsed host (exact or dot-suffix, case-insensitive) plus the path shape, never on a
free-text regex over the whole string, so lookalikes such as ``zoom.us.evil.com`` are not
mistaken for Zoom. Any other http(s) URL is still returned, as provider ``"other"``, so a join
button can be shown for platforms we do not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import SplitResult, parse_qs, urlsplit

Provider = Literal["zoom", "google_meet", "teams", "cal_video", "whereby", "jitsi", "webex", "other"]

PROVIDER_LABELS: Mapping[Provider, str] = {
    "zoom": "Zoom",
    "google_meet": "Google Meet",
    "teams": "Microsoft Teams",
    "cal_video": "Cal Video",
    "whereby": "Whereby",
    "jitsi": "Jitsi",
    "webex": "Webex",
    "other": "Meeting link",
}

# Cal.com's hosted apps; self-hosted instances are passed in as ``cal_hosts``.
DEFAULT_CAL_HOSTS: tuple[str, ...] = ("app.cal.com", "app.cal.eu")

_SAFELINKS_SUFFIX = "safelinks.protection.outlook.com"
_MAX_UNWRAP = 3  # SafeLinks occasionally wrap SafeLinks; never loop forever on a hostile value
_TRAILING_PUNCTUATION = ".,;:!?'\"*"
_LEADING_WRAPPERS = "\"'<([{"  # a URL starts with its scheme, so these are never part of it
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}
_HTTP_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class MeetingLink:
    """A cleaned meeting URL and the platform it belongs to."""

    url: str
    provider: Provider
    provider_label: str

    @property
    def is_known(self) -> bool:
        """False for http(s) links we could not attribute to a platform."""
        return self.provider != "other"


def detect_provider(url: str | None, *, cal_hosts: Iterable[str] = ()) -> MeetingLink | None:
    """Clean ``url`` and say which meeting platform it is for.

    Returns None for empty values, non-http(s) values (including Cal.com's internal
    ``integrations:*`` locations) and strings that are not a single URL. ``cal_hosts`` adds
    the hosts of self-hosted Cal.com instances whose ``/video/<uid>`` links are Cal Video.
    """
    cleaned = _clean_http_url(url)
    if cleaned is None:
        return None
    parts = urlsplit(cleaned)
    host = _host(parts)
    extra_cal_hosts = {_normalise_host(h) for h in cal_hosts} - {""}
    for provider, matches in _MATCHERS:
        if matches(host, parts, extra_cal_hosts):
            return MeetingLink(url=cleaned, provider=provider, provider_label=PROVIDER_LABELS[provider])
    return MeetingLink(url=cleaned, provider="other", provider_label=PROVIDER_LABELS["other"])


def meeting_url_from_webhook(payload: Mapping[str, Any]) -> str | None:
    """The join URL in a Cal.com booking webhook, or None.

    Order (reference §2.4): ``metadata.videoCallUrl`` (the Cal Video / Google Meet link people
    should use), then ``videoCallData.url`` (for Cal Video that is the raw Daily room), then
    ``location`` when it is an http(s) URL rather than an internal ``integrations:*`` value.
    A whole webhook body is accepted too: its ``payload`` object is used when present.
    """
    nested = payload.get("payload")
    data: Mapping[str, Any] = nested if isinstance(nested, Mapping) else payload
    metadata = data.get("metadata")
    video_call_data = data.get("videoCallData")
    candidates = (
        metadata.get("videoCallUrl") if isinstance(metadata, Mapping) else None,
        video_call_data.get("url") if isinstance(video_call_data, Mapping) else None,
        data.get("location"),
    )
    for candidate in candidates:
        cleaned = _clean_http_url(candidate)
        if cleaned is not None:
            return cleaned
    return None


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------


def _clean_http_url(value: object) -> str | None:
    """Trim, strip punctuation, unwrap SafeLinks; None unless the result is one http(s) URL."""
    if not isinstance(value, str):
        return None
    url = _strip_decorations(value)
    for _ in range(_MAX_UNWRAP):
        inner = _unwrap_safelinks(url)
        if inner is None:
            break
        url = _strip_decorations(inner)
    if not url or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in _HTTP_SCHEMES or not _host(parts):
        return None
    return url


def _strip_decorations(value: str) -> str:
    """Drop whitespace, quotes or brackets around a link and sentence punctuation glued to its end."""
    url = value.strip().lstrip(_LEADING_WRAPPERS).strip()
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCTUATION:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            # "(see https://x/y)" - the bracket belongs to the sentence, not the URL
            url = url[:-1]
        else:
            break
    return url


def _unwrap_safelinks(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _HTTP_SCHEMES or not _host_is(_host(parts), _SAFELINKS_SUFFIX):
        return None
    targets = parse_qs(parts.query).get("url")
    return targets[0] if targets else None


def _host(parts: SplitResult) -> str:
    try:
        host = parts.hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def _normalise_host(value: str) -> str:
    """Accept "cal.example.com" or "https://cal.example.com/" for a configured Cal host."""
    value = value.strip()
    if "://" in value:
        return _host(urlsplit(value))
    return value.split("/", 1)[0].rstrip(".").lower()


def _host_is(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or one of its subdomains (so ``zoom.us.evil.com`` is not zoom.us)."""
    return host == domain or host.endswith("." + domain)


def _segments(parts: SplitResult) -> list[str]:
    return [segment for segment in parts.path.split("/") if segment]


# --------------------------------------------------------------------------------------------
# Platform rules: host + path shape
# --------------------------------------------------------------------------------------------

_ZOOM_DOMAINS = ("zoom.us", "zoom.com", "zoom.com.cn", "zoom.de", "zoom-x.de", "zoom-x.us")
_ZOOM_KIND = re.compile(r"my|webinar|[a-z]{1,2}")  # /j/, /s/, /w/, /wc/, /my/, /webinar/ ...
_MEET_CODE = re.compile(r"[a-z]+(?:-[a-z]+)*", re.IGNORECASE)
_TEAMS_DOMAINS = ("teams.microsoft.com", "teams.microsoft.us", "teams.live.com")
_TEAMS_MEET_ID = re.compile(r"[A-Za-z0-9]+")
_CAL_UID = re.compile(r"[A-Za-z0-9._-]+")
_ROOM = re.compile(r"[A-Za-z0-9._~@%-]+")
_WEBEX_NAME = re.compile(r"[A-Za-z0-9._@-]+")


def _is_zoom(host: str, parts: SplitResult, _cal: set[str]) -> bool:
    segments = _segments(parts)
    if any(_host_is(host, domain) for domain in _ZOOM_DOMAINS):
        return len(segments) >= 2 and _ZOOM_KIND.fullmatch(segments[0]) is not None
    if _host_is(host, "zoomgov.com"):  # US government Zoom
        return len(segments) >= 2 and segments[0] in ("j", "w", "s", "wc", "my")
    return False


def _is_google_meet(host: str, parts: SplitResult, _cal: set[str]) -> bool:
    if host != "meet.google.com":
        return False
    segments = _segments(parts)
    if segments[:1] in (["_meet"], ["lookup"]):
        segments = segments[1:]
    return len(segments) == 1 and _MEET_CODE.fullmatch(segments[0]) is not None


def _is_teams(host: str, parts: SplitResult, _cal: set[str]) -> bool:
    if not any(_host_is(host, domain) for domain in _TEAMS_DOMAINS):
        return False
    segments = _segments(parts)
    if segments[:2] == ["l", "meetup-join"]:
        return len(segments) > 2
    if segments[:1] == ["meet"]:
        return len(segments) == 2 and _TEAMS_MEET_ID.fullmatch(segments[1]) is not None
    # New-client links: https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/...
    return parts.fragment.startswith("/l/meetup-join/")


def _is_cal_video(host: str, parts: SplitResult, cal_hosts: set[str]) -> bool:
    if host not in DEFAULT_CAL_HOSTS and host not in cal_hosts:
        return False
    segments = _segments(parts)
    return len(segments) == 2 and segments[0] == "video" and _CAL_UID.fullmatch(segments[1]) is not None


def _is_whereby(host: str, parts: SplitResult, _cal: set[str]) -> bool:
    if not _host_is(host, "whereby.com"):
        return False
    segments = _segments(parts)
    return len(segments) == 1 and _ROOM.fullmatch(segments[0]) is not None


def _is_jitsi(host: str, parts: SplitResult, _cal: set[str]) -> bool:
    if host != "meet.jit.si":
        return False
    segments = _segments(parts)
    return len(segments) == 1 and _ROOM.fullmatch(segments[0]) is not None


def _is_webex(host: str, parts: SplitResult, _cal: set[str]) -> bool:
    if not _host_is(host, "webex.com"):
        return False
    segments = _segments(parts)
    if len(segments) == 2 and segments[1].lower() == "j.php":
        return bool(parse_qs(parts.query).get("MTID"))
    return len(segments) == 2 and segments[0] in ("meet", "join") and _WEBEX_NAME.fullmatch(segments[1]) is not None


_Matcher = Callable[[str, SplitResult, set[str]], bool]
_MATCHERS: tuple[tuple[Provider, _Matcher], ...] = (
    ("zoom", _is_zoom),
    ("google_meet", _is_google_meet),
    ("teams", _is_teams),
    ("cal_video", _is_cal_video),
    ("whereby", _is_whereby),
    ("jitsi", _is_jitsi),
    ("webex", _is_webex),
)
