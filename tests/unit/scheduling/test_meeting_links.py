from __future__ import annotations

from urllib.parse import quote

import pytest

from core.scheduling.meeting_links import MeetingLink, detect_provider, meeting_url_from_webhook

TEAMS_MEETUP = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZTY4YjQtYWQ2Ny00%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%2272f988bf%22%2c%22Oid%22%3a%22a1b2c3%22%7d"
)


@pytest.mark.parametrize(
    ("url", "provider", "label"),
    [
        ("https://us02web.zoom.us/j/81234567890?pwd=abc", "zoom", "Zoom"),
        ("https://zoom.us/j/81234567890", "zoom", "Zoom"),
        ("https://acme.zoom.us/my/jdoe", "zoom", "Zoom"),
        ("https://zoom.us/webinar/register/WN_abc", "zoom", "Zoom"),
        ("https://us06web.zoom.us/w/81234567890?tk=xyz", "zoom", "Zoom"),
        ("https://zoom.com.cn/j/81234567890", "zoom", "Zoom"),
        ("https://agency.zoomgov.com/j/1612345678?pwd=Zz9", "zoom", "Zoom"),
        ("https://meet.google.com/abc-defg-hij", "google_meet", "Google Meet"),
        ("https://meet.google.com/abc-defg-hij?authuser=1", "google_meet", "Google Meet"),
        ("https://meet.google.com/_meet/abc-defg-hij", "google_meet", "Google Meet"),
        (TEAMS_MEETUP, "teams", "Microsoft Teams"),
        ("https://teams.microsoft.com/meet/1234567890?p=AbC", "teams", "Microsoft Teams"),
        ("https://gov.teams.microsoft.us/meet/1234567890?p=AbC", "teams", "Microsoft Teams"),
        ("https://teams.live.com/meet/9876543210123?p=XyZ123", "teams", "Microsoft Teams"),
        ("https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/19:meeting_x@thread.v2/0", "teams", None),
        ("https://app.cal.com/video/bFJeNb2uX8ANpT3JL5EfXw", "cal_video", "Cal Video"),
        ("https://app.cal.eu/video/bFJeNb2uX8ANpT3JL5EfXw", "cal_video", "Cal Video"),
        ("https://whereby.com/myroom", "whereby", "Whereby"),
        ("https://acme.whereby.com/standup", "whereby", "Whereby"),
        ("https://meet.jit.si/MyRoom", "jitsi", "Jitsi"),
        ("https://acme.webex.com/acme/j.php?MTID=m123abc", "webex", "Webex"),
        ("https://acme.webex.com/meet/jdoe", "webex", "Webex"),
        ("https://acme.webex.com/join/jdoe", "webex", "Webex"),
    ],
)
def test_every_provider_is_recognised_from_realistic_links(url: str, provider: str, label: str | None) -> None:
    link = detect_provider(url)
    assert link is not None
    assert link.provider == provider
    assert link.url == url
    assert link.is_known
    if label is not None:
        assert link.provider_label == label


def test_host_matching_is_case_insensitive_and_keeps_the_url_as_given() -> None:
    link = detect_provider("HTTPS://US02WEB.Zoom.US/j/81234567890?pwd=AbC")
    assert link == MeetingLink("HTTPS://US02WEB.Zoom.US/j/81234567890?pwd=AbC", "zoom", "Zoom")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://meet.google.com/abc-defg-hij.", "https://meet.google.com/abc-defg-hij"),
        ("https://meet.google.com/abc-defg-hij...", "https://meet.google.com/abc-defg-hij"),
        ("https://zoom.us/j/81234567890,", "https://zoom.us/j/81234567890"),
        ("  https://meet.jit.si/MyRoom!\n", "https://meet.jit.si/MyRoom"),
        ("(https://whereby.com/myroom)", "https://whereby.com/myroom"),
        ("https://whereby.com/myroom);", "https://whereby.com/myroom"),
        ("<https://app.cal.com/video/abc123>", "https://app.cal.com/video/abc123"),
        ('"https://zoom.us/j/123".', "https://zoom.us/j/123"),
    ],
)
def test_trailing_punctuation_and_wrappers_are_stripped(raw: str, expected: str) -> None:
    link = detect_provider(raw)
    assert link is not None and link.url == expected and link.is_known


def test_balanced_brackets_inside_a_link_are_kept() -> None:
    url = "https://example.com/rooms/(team)"
    link = detect_provider(url + ".")
    assert link is not None and link.url == url


def test_outlook_safelinks_are_unwrapped_before_matching() -> None:
    target = "https://us02web.zoom.us/j/81234567890?pwd=abc"
    wrapped = (
        "https://nam02.safelinks.protection.outlook.com/?url="
        + quote(target, safe="")
        + "&data=05%7C01%7Cjane%40example.com%7C&sdata=abc%3D&reserved=0"
    )
    link = detect_provider(wrapped + ".")
    assert link == MeetingLink(target, "zoom", "Zoom")


def test_doubly_wrapped_safelinks_are_unwrapped() -> None:
    target = "https://meet.google.com/abc-defg-hij"
    once = "https://eur01.safelinks.protection.outlook.com/?url=" + quote(target, safe="") + "&reserved=0"
    twice = "https://eur01.safelinks.protection.outlook.com/?url=" + quote(once, safe="") + "&reserved=0"
    link = detect_provider(twice)
    assert link is not None and link.url == target and link.provider == "google_meet"


def test_safelinks_without_a_target_is_just_another_link() -> None:
    link = detect_provider("https://nam02.safelinks.protection.outlook.com/?data=abc")
    assert link is not None and link.provider == "other"


@pytest.mark.parametrize(
    "value",
    [
        "integrations:daily",
        "integrations:google:meet",
        "integrations:zoom",
        "integrations:office365_video",
        "",
        "   ",
        None,
        "zoom.us/j/81234567890",  # no scheme
        "ftp://zoom.us/j/81234567890",
        "javascript:alert(1)",
        "mailto:jane@example.com",
        "https://",
        "https://zoom.us/j/81234567890 https://meet.google.com/abc-defg-hij",  # two links
        "Room 4B, second floor",
    ],
)
def test_internal_and_non_http_values_are_not_links(value: str | None) -> None:
    assert detect_provider(value) is None


def test_unknown_http_hosts_are_generic_links() -> None:
    link = detect_provider("https://video.example.org/room/42")
    assert link == MeetingLink("https://video.example.org/room/42", "other", "Meeting link")
    assert not link.is_known


@pytest.mark.parametrize(
    "url",
    [
        "https://zoom.us.evil.com/j/81234567890",
        "https://evilzoom.us/j/81234567890",
        "https://zoom.us@evil.com/j/81234567890",
        "https://meet.google.com.evil.com/abc-defg-hij",
        "https://evil.com/meet.google.com/abc-defg-hij",
        "https://evil.com/?u=https://zoom.us/j/1",
        "https://teams.microsoft.com.evil.com/l/meetup-join/19%3ameeting",
        "https://notwhereby.com/myroom",
        "https://webex.com.evil.com/meet/jdoe",
        "https://app.cal.com.evil.com/video/abc",
        "https://meet.jit.si.evil.com/MyRoom",
        "https://safelinks.protection.outlook.com.evil.com/?url=https%3A%2F%2Fzoom.us%2Fj%2F1",
    ],
)
def test_lookalike_hosts_are_not_trusted_as_the_real_platform(url: str) -> None:
    link = detect_provider(url)
    assert link is not None
    assert link.provider == "other"


@pytest.mark.parametrize(
    "url",
    [
        "https://zoom.us/pricing",
        "https://meet.google.com/",
        "https://teams.microsoft.com/",
        "https://app.cal.com/jane/30min",
        "https://whereby.com/",
        "https://acme.webex.com/acme/j.php",
    ],
)
def test_known_hosts_without_a_meeting_path_are_generic(url: str) -> None:
    link = detect_provider(url)
    assert link is not None and link.provider == "other"


def test_cal_video_on_a_self_hosted_instance_needs_the_host_configured() -> None:
    url = "https://cal.acme.io/video/bFJeNb2uX8ANpT3JL5EfXw"
    unconfigured = detect_provider(url)
    assert unconfigured is not None and unconfigured.provider == "other"
    for configured in ("cal.acme.io", "CAL.ACME.IO", "https://cal.acme.io/"):
        link = detect_provider(url, cal_hosts=[configured])
        assert link is not None and link.provider == "cal_video", configured


def test_raw_daily_room_is_a_generic_link() -> None:
    link = detect_provider("https://acme.daily.co/meeting-room-id")
    assert link is not None and link.provider == "other"


# --------------------------------------------------------------------------------------------
# meeting_url_from_webhook
# --------------------------------------------------------------------------------------------


def webhook_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "uid": "unique-booking-id",
        "location": "integrations:daily",
        "videoCallData": {"type": "daily_video", "id": "room", "url": "https://acme.daily.co/meeting-room-id"},
        "metadata": {"videoCallUrl": "https://app.cal.com/video/unique-booking-id"},
    }
    payload.update(overrides)
    return payload


def test_webhook_prefers_metadata_video_call_url() -> None:
    assert meeting_url_from_webhook(webhook_payload()) == "https://app.cal.com/video/unique-booking-id"


def test_webhook_falls_back_to_video_call_data_then_http_location() -> None:
    assert meeting_url_from_webhook(webhook_payload(metadata={})) == "https://acme.daily.co/meeting-room-id"
    no_video = webhook_payload(metadata=None, videoCallData=None, location="https://zoom.us/j/81234567890")
    assert meeting_url_from_webhook(no_video) == "https://zoom.us/j/81234567890"


def test_webhook_with_only_an_internal_location_has_no_link() -> None:
    payload = webhook_payload(metadata={"other": "x"}, videoCallData={"type": "x"}, location="integrations:zoom")
    assert meeting_url_from_webhook(payload) is None
    assert meeting_url_from_webhook({}) is None


def test_webhook_skips_values_that_are_not_http_links() -> None:
    payload = webhook_payload(
        metadata={"videoCallUrl": "integrations:daily"},
        videoCallData={"url": 12345},
        location="https://meet.google.com/abc-defg-hij.",
    )
    assert meeting_url_from_webhook(payload) == "https://meet.google.com/abc-defg-hij"


def test_webhook_accepts_the_whole_body_with_a_payload_key() -> None:
    body = {"triggerEvent": "BOOKING_CREATED", "payload": webhook_payload()}
    assert meeting_url_from_webhook(body) == "https://app.cal.com/video/unique-booking-id"
