"""Tests for payroll_sdk.webhooks: signature checks, failure reasons, typed events."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers

from payroll_sdk._exceptions import ConfigurationError, WebhookVerificationError
from payroll_sdk.webhooks import (
    ACCOUNT_EVENT_NAMES,
    DATA_ADDED_EVENT_NAMES,
    EVENT_NAMES,
    OTHER_EVENT_NAMES,
    SYNC_PROGRESS_EVENT_NAMES,
    AccountEvent,
    DataAddedEvent,
    DataEventPayload,
    OtherEvent,
    SyncProgressEvent,
    UnknownEvent,
    WebhookEvent,
    parse_event,
    sign,
    verify,
)

SECRET = "sk_test_9f8e7d6c5b4a"
NOW = 1_700_000_000


def make_body(event: str = "paystubs.added", **payload: Any) -> bytes:
    payload = {
        "account_id": "acc-1",
        "end_user_id": "user-1",
        "link_token_id": "lt-1",
        "name": "paystubs",
        "timestamp": "2023-11-14T22:13:20.123456+00:00",
        "outcome": "success",
        "id": "job-1",
        **payload,
    }
    return json.dumps({"event": event, "event_id": "evt-1", "payload": payload}).encode()


def signed(body: bytes, *, secret: str = SECRET, timestamp: int = NOW) -> dict[str, str]:
    return sign(body, secret=secret, timestamp=timestamp, webhook_id="wh-1")


def reason_of(body: bytes, headers: Any, **kwargs: Any) -> str:
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("now", NOW)
    with pytest.raises(WebhookVerificationError) as info:
        verify(body, headers, **kwargs)
    return info.value.reason


# --- the signature itself ------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_v2_timestamp_and_raw_body() -> None:
    # Computed independently of the module, from the contract's recipe.
    body = make_body()
    expected = hmac.new(
        SECRET.encode(), b"v2:" + str(NOW).encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    headers = signed(body)
    assert headers["x-pinwheel-signature"] == "v2=" + expected
    assert headers["x-timestamp"] == str(NOW)
    assert headers["x-pinwheel-webhook-id"] == "wh-1"
    assert headers["content-type"] == "application/json"


def test_valid_delivery_verifies_into_a_typed_event() -> None:
    body = make_body()
    event = verify(body, signed(body), secret=SECRET, now=NOW)
    assert isinstance(event, DataAddedEvent)
    assert event.event == "paystubs.added"
    assert event.event_id == "evt-1"
    assert event.webhook_id == "wh-1"
    assert event.timestamp == datetime.fromtimestamp(NOW, tz=UTC)
    assert event.timestamp.tzinfo is not None
    assert event.payload.account_id == "acc-1"
    assert event.payload.outcome == "success"
    assert event.payload.id == "job-1"
    assert event.payload.timestamp == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=UTC)
    assert event.end_user_id == "user-1"
    assert event.resource == "paystubs"


def test_uppercase_hex_signature_verifies() -> None:
    body = make_body()
    headers = signed(body)
    headers["x-pinwheel-signature"] = "v2=" + headers["x-pinwheel-signature"][3:].upper()
    assert verify(body, headers, secret=SECRET, now=NOW).event_id == "evt-1"


def test_sign_defaults_to_now_and_a_fresh_uuid4() -> None:
    body = make_body()
    first, second = sign(body, secret=SECRET), sign(body, secret=SECRET)
    assert first["x-pinwheel-webhook-id"] != second["x-pinwheel-webhook-id"]
    assert len(first["x-pinwheel-webhook-id"]) == 36
    # Default tolerance and the real clock: a freshly signed delivery verifies.
    assert verify(body, first, secret=SECRET).event == "paystubs.added"


def test_webhook_id_header_is_optional() -> None:
    body = make_body()
    headers = signed(body)
    del headers["x-pinwheel-webhook-id"]
    assert verify(body, headers, secret=SECRET, now=NOW).webhook_id is None


# --- headers: any mapping, any case ---------------------------------------------------------


@pytest.mark.parametrize("transform", [str.lower, str.upper, str.title])
def test_header_names_match_in_any_case(transform: Any) -> None:
    body = make_body()
    headers = {transform(name): value for name, value in signed(body).items()}
    assert verify(body, headers, secret=SECRET, now=NOW).event_id == "evt-1"


def test_starlette_and_httpx_headers_are_accepted() -> None:
    body = make_body()
    raw = {name.upper(): value for name, value in signed(body).items()}
    for headers in (Headers(raw), httpx.Headers(raw)):
        assert verify(body, headers, secret=SECRET, now=NOW).event_id == "evt-1"


def test_surrounding_whitespace_in_header_values_is_ignored() -> None:
    body = make_body()
    headers = {name: f" {value} " for name, value in signed(body).items()}
    assert verify(body, headers, secret=SECRET, now=NOW).webhook_id == "wh-1"


# --- every failure reason ------------------------------------------------------------------


@pytest.mark.parametrize("header", ["x-pinwheel-signature", "x-timestamp"])
def test_missing_required_header(header: str) -> None:
    body = make_body()
    headers = signed(body)
    del headers[header]
    assert reason_of(body, headers) == "missing_header"
    headers[header] = "   "
    assert reason_of(body, headers) == "missing_header"


def test_no_headers_at_all_names_both() -> None:
    with pytest.raises(WebhookVerificationError) as info:
        verify(make_body(), {}, secret=SECRET, now=NOW)
    assert info.value.reason == "missing_header"
    assert "x-pinwheel-signature" in str(info.value)
    assert "x-timestamp" in str(info.value)


@pytest.mark.parametrize(
    "signature",
    [
        "abc",
        "v1=" + "a" * 64,
        "v2=" + "a" * 63,
        "v2=" + "a" * 65,
        "v2=" + "g" * 64,
        "v2:" + "a" * 64,
        "V2=" + "a" * 64,
        "v2=" + "a" * 64 + ",v2=" + "b" * 64,
    ],
)
def test_malformed_signature_is_bad_format(signature: str) -> None:
    body = make_body()
    headers = signed(body) | {"x-pinwheel-signature": signature}
    assert reason_of(body, headers) == "bad_format"


@pytest.mark.parametrize(
    "timestamp",
    [
        "soon",
        "1700000000.5",
        "-1700000000",
        "1e9",
        "\uff11\uff17\uff10\uff10",  # fullwidth digits: int() accepts them, HTTP does not
        "123456789012",  # beyond year 5000: a bug or an attack, not a clock
    ],
)
def test_malformed_timestamp_is_bad_format(timestamp: str) -> None:
    body = make_body()
    headers = signed(body) | {"x-timestamp": timestamp}
    assert reason_of(body, headers) == "bad_format"


@pytest.mark.parametrize("skew", [301, -301, 10_000, -10_000])
def test_timestamp_outside_tolerance_is_stale_in_both_directions(skew: int) -> None:
    body = make_body()
    headers = signed(body, timestamp=NOW - skew)
    assert reason_of(body, headers, tolerance=300) == "stale"


@pytest.mark.parametrize("skew", [0, 300, -300])
def test_timestamp_at_the_tolerance_edge_is_accepted(skew: int) -> None:
    body = make_body()
    headers = signed(body, timestamp=NOW - skew)
    assert verify(body, headers, secret=SECRET, now=NOW, tolerance=300).event_id == "evt-1"


def test_now_is_injectable_and_defaults_to_the_clock() -> None:
    body = make_body()
    headers = signed(body, timestamp=NOW)
    assert verify(body, headers, secret=SECRET, now=NOW + 299.9).event_id == "evt-1"
    assert reason_of(body, headers, now=NOW + 300.5) == "stale"
    # NOW is in 2023: against the real clock the same delivery is stale.
    with pytest.raises(WebhookVerificationError) as info:
        verify(body, headers, secret=SECRET)
    assert info.value.reason == "stale"


def test_tolerance_none_disables_and_zero_means_the_same_second() -> None:
    body = make_body()
    headers = signed(body, timestamp=1)
    assert verify(body, headers, secret=SECRET, tolerance=None, now=NOW).event_id == "evt-1"
    assert reason_of(body, signed(body, timestamp=NOW - 1), tolerance=0) == "stale"
    assert verify(body, signed(body), secret=SECRET, tolerance=0, now=NOW).event_id == "evt-1"


def test_negative_tolerance_is_a_configuration_error() -> None:
    body = make_body()
    with pytest.raises(ConfigurationError):
        verify(body, signed(body), secret=SECRET, tolerance=-1, now=NOW)


def test_wrong_secret_is_mismatch() -> None:
    body = make_body()
    assert reason_of(body, signed(body, secret="another-secret")) == "mismatch"


def test_changed_body_is_mismatch() -> None:
    body = make_body()
    headers = signed(body)
    assert reason_of(body.replace(b"user-1", b"user-2"), headers) == "mismatch"


def test_changed_timestamp_is_mismatch() -> None:
    body = make_body()
    headers = signed(body) | {"x-timestamp": str(NOW + 1)}
    assert reason_of(body, headers) == "mismatch"


def test_reserialised_json_is_mismatch() -> None:
    # The classic receiver bug: verifying json.dumps(request.json()) instead of the raw bytes.
    body = json.dumps(json.loads(make_body()), indent=2).encode()
    assert reason_of(body, signed(make_body())) == "mismatch"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        b"[1, 2]",
        b'"paystubs.added"',
        b'{"event_id": "e1", "payload": {}}',
        b'{"event": "paystubs.added", "payload": {}}',
        b'{"event": 5, "event_id": "e1"}',
        b'{"event": "paystubs.added", "event_id": null}',
        b'{"event": "paystubs.added", "event_id": "e1", "payload": []}',
        b'{"event": "paystubs.added", "event_id": "e1", "payload": {"timestamp": "noon"}}',
    ],
)
def test_verified_but_malformed_body_is_bad_body(body: bytes) -> None:
    assert reason_of(body, signed(body)) == "bad_body"


def test_str_body_is_a_type_error_not_a_verification_failure() -> None:
    body = make_body()
    with pytest.raises(TypeError, match="raw request body"):
        verify(body.decode(), signed(body), secret=SECRET, now=NOW)  # type: ignore[arg-type]


def test_bytearray_body_is_accepted() -> None:
    body = make_body()
    assert verify(bytearray(body), signed(body), secret=SECRET, now=NOW).event_id == "evt-1"


# --- secrets: rotation, configuration, never leaked ----------------------------------------


def test_any_of_several_secrets_verifies() -> None:
    body = make_body()
    old, new = "old-secret-123", "new-secret-456"
    for signing_secret in (old, new):
        headers = signed(body, secret=signing_secret)
        assert verify(body, headers, secret=[new, old], now=NOW).event_id == "evt-1"
        assert verify(body, headers, secret=(old, new), now=NOW).event_id == "evt-1"
    assert reason_of(body, signed(body, secret="third"), secret=[new, old]) == "mismatch"


@pytest.mark.parametrize("bad_secret", ["", [], [SECRET, ""]])
def test_empty_secret_is_a_configuration_error(bad_secret: Any) -> None:
    body = make_body()
    with pytest.raises(ConfigurationError):
        verify(body, signed(body), secret=bad_secret, now=NOW)


@pytest.mark.parametrize("bad_secret", ["", ["a", "b"]])
def test_sign_needs_exactly_one_non_empty_secret(bad_secret: Any) -> None:
    with pytest.raises(ConfigurationError):
        sign(b"{}", secret=bad_secret)


def test_non_ascii_secret_is_utf8_encoded() -> None:
    body = make_body()
    secret = "clé-секрет-🔑"
    headers = signed(body, secret=secret)
    digest = hmac.new(
        secret.encode("utf-8"), b"v2:" + str(NOW).encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    assert headers["x-pinwheel-signature"] == "v2=" + digest
    assert verify(body, headers, secret=secret, now=NOW).event_id == "evt-1"


def _failures() -> list[tuple[str, bytes, dict[str, str], dict[str, Any]]]:
    body = make_body()
    good = signed(body)
    bad_json = b"{not json " + SECRET.encode()
    return [
        ("missing_header", body, {}, {}),
        ("bad_format", body, good | {"x-timestamp": "x"}, {}),
        ("stale", body, good, {"now": NOW + 10_000}),
        ("mismatch", body + b" ", good, {}),
        ("mismatch", body, good, {"secret": [SECRET + "x", SECRET + "y"]}),
        ("bad_body", bad_json, signed(bad_json), {}),
    ]


@pytest.mark.parametrize(("reason", "body", "headers", "kwargs"), _failures())
def test_errors_never_contain_the_secret_the_expected_signature_or_the_body(
    reason: str, body: bytes, headers: dict[str, str], kwargs: dict[str, Any]
) -> None:
    secrets = kwargs.get("secret", [SECRET])
    expected = [signed(body, secret=s)["x-pinwheel-signature"][3:] for s in secrets]
    with pytest.raises(WebhookVerificationError) as info:
        options: dict[str, Any] = {"secret": SECRET, "now": NOW}
        verify(body, headers, **(options | kwargs))
    error = info.value
    assert error.reason == reason
    texts = [str(error), repr(error), str(error.args)]
    if error.__cause__ is not None:
        texts += [str(error.__cause__), repr(error.__cause__)]
    for text in texts:
        for secret in secrets:
            assert secret not in text
        for digest in expected:
            assert digest not in text
    assert "user-1" not in str(error)


def test_bad_body_message_does_not_echo_payload_values() -> None:
    body = make_body(timestamp="ssn 123-45-6789")
    with pytest.raises(WebhookVerificationError) as info:
        verify(body, signed(body), secret=SECRET, now=NOW)
    assert info.value.reason == "bad_body"
    assert "payload.timestamp" in str(info.value)
    assert "6789" not in str(info.value)
    assert "6789" not in str(info.value.__cause__)


def test_event_repr_does_not_contain_the_secret() -> None:
    body = make_body()
    event = verify(body, signed(body), secret=SECRET, now=NOW)
    assert SECRET not in repr(event)
    assert SECRET not in str(event)


# --- property: sign/verify round trip ------------------------------------------------------

_secrets = st.text(min_size=1, max_size=64)


@settings(max_examples=150, deadline=None)
@given(body=st.binary(min_size=1, max_size=512), secret=_secrets, data=st.data())
def test_any_body_and_secret_round_trip_and_any_byte_change_is_mismatch(
    body: bytes, secret: str, data: st.DataObject
) -> None:
    headers = signed(body, secret=secret)
    # The signature always passes; arbitrary bytes then parse or are rejected as bad_body.
    try:
        verify(body, headers, secret=secret, now=NOW)
    except WebhookVerificationError as exc:
        assert exc.reason == "bad_body"

    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1), label="index")
    replacement = data.draw(
        st.integers(min_value=0, max_value=255).filter(lambda b: b != body[index]), label="byte"
    )
    tampered = body[:index] + bytes([replacement]) + body[index + 1 :]
    with pytest.raises(WebhookVerificationError) as info:
        verify(tampered, headers, secret=secret, now=NOW)
    assert info.value.reason == "mismatch"


_json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)


@settings(max_examples=100, deadline=None)
@given(
    event=st.sampled_from(sorted(EVENT_NAMES)) | st.text(min_size=1, max_size=30),
    event_id=st.text(max_size=40),
    extra=st.dictionaries(st.text(max_size=10), _json_scalars, max_size=5),
    secret=_secrets,
    timestamp=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_any_json_event_round_trips(
    event: str, event_id: str, extra: dict[str, Any], secret: str, timestamp: int
) -> None:
    # Unknown payload keys only: known ones have types (timestamp, params) a random value breaks.
    payload = {f"x_{key}": value for key, value in extra.items()}
    body = json.dumps({"event": event, "event_id": event_id, "payload": payload}).encode()
    parsed = verify(
        body, signed(body, secret=secret, timestamp=timestamp), secret=secret, now=timestamp
    )
    assert (parsed.event, parsed.event_id) == (event, event_id)
    assert parsed.payload.model_extra == payload
    assert parsed.timestamp == datetime.fromtimestamp(timestamp, tz=UTC)


# --- typed events --------------------------------------------------------------------------


def test_event_names_are_the_contracts_34() -> None:
    assert len(EVENT_NAMES) == 34
    groups = [ACCOUNT_EVENT_NAMES, DATA_ADDED_EVENT_NAMES, SYNC_PROGRESS_EVENT_NAMES]
    groups.append(OTHER_EVENT_NAMES)
    assert sum(len(group) for group in groups) == 34  # the groups do not overlap
    assert isinstance(EVENT_NAMES, frozenset)


def _expected_class(name: str) -> type[WebhookEvent]:
    if name.startswith("account."):
        return AccountEvent
    if name.endswith("_synced"):
        return SyncProgressEvent
    if name in {
        "paystubs.added",
        "income.added",
        "identity.added",
        "employment.added",
        "shifts.added",
        "direct_deposit_allocations.added",
        "tax_forms.added",
        "documents.added",
        "paystubs.documents.added",
    }:
        return DataAddedEvent
    return OtherEvent


@pytest.mark.parametrize("name", sorted(EVENT_NAMES))
def test_every_known_event_name_maps_to_its_class(name: str) -> None:
    event = parse_event(make_body(name))
    assert type(event) is _expected_class(name)
    assert event.event == name


def test_unknown_event_is_kept_not_rejected() -> None:
    body = make_body("payouts.teleported", novelty={"deep": [1, 2]})
    event = verify(body, signed(body), secret=SECRET, now=NOW)
    assert type(event) is UnknownEvent
    assert event.event == "payouts.teleported"
    assert event.payload.end_user_id == "user-1"
    assert event.payload.model_extra is not None
    assert event.payload.model_extra["novelty"] == {"deep": [1, 2]}


@pytest.mark.parametrize(
    ("name", "resource", "window"),
    [
        ("paystubs.seven_days_synced", "paystubs", "seven_days"),
        ("paystubs.thirty_days_synced", "paystubs", "thirty_days"),
        ("paystubs.ninety_days_synced", "paystubs", "ninety_days"),
        ("paystubs.fully_synced", "paystubs", "fully"),
        ("shifts.seven_days_synced", "shifts", "seven_days"),
        ("shifts.fully_synced", "shifts", "fully"),
    ],
)
def test_sync_progress_resource_and_window(name: str, resource: str, window: str) -> None:
    event = parse_event(make_body(name))
    assert isinstance(event, SyncProgressEvent)
    assert (event.resource, event.window) == (resource, window)
    assert isinstance(event.payload, DataEventPayload)


def test_data_added_resource_strips_only_the_suffix() -> None:
    event = parse_event(make_body("paystubs.documents.added"))
    assert isinstance(event, DataAddedEvent)
    assert event.resource == "paystubs.documents"


def test_outcome_is_an_open_enum_and_error_fields_parse() -> None:
    event = parse_event(
        make_body(outcome="partially_cancelled", error_code="X1", error_type="T", params={"a": 1})
    )
    assert isinstance(event, DataAddedEvent)
    assert event.payload.outcome == "partially_cancelled"
    assert (event.payload.error_code, event.payload.error_type) == ("X1", "T")
    assert event.payload.params == {"a": 1}


def test_account_event_payload_fields() -> None:
    body = json.dumps(
        {
            "event": "account.monitoring_status.updated",
            "event_id": "e9",
            "payload": {"account_id": "a", "end_user_id": "u", "monitoring_status": "degraded"},
        }
    )
    event = parse_event(body)
    assert isinstance(event, AccountEvent)
    assert event.payload.monitoring_status == "degraded"
    assert event.end_user_id == "u"


def test_payload_may_be_absent_and_new_top_level_fields_are_kept() -> None:
    event = parse_event({"event": "income.added", "event_id": "e2", "delivery_attempt": 3})
    assert isinstance(event, DataAddedEvent)
    assert event.payload.end_user_id is None
    assert event.end_user_id is None
    assert event.model_extra == {"delivery_attempt": 3}
    # Defaults are per instance, not shared.
    other = parse_event({"event": "income.added", "event_id": "e3"})
    assert other.payload is not event.payload


def test_parse_event_accepts_bytes_text_and_mappings_and_header_fields() -> None:
    raw = make_body()
    when = datetime(2024, 1, 2, tzinfo=UTC)
    for data in (raw, raw.decode(), json.loads(raw)):
        event = parse_event(data, webhook_id="w", timestamp=when)
        assert (event.event_id, event.webhook_id, event.timestamp) == ("evt-1", "w", when)
    assert parse_event(raw).webhook_id is None


def test_parse_event_rejects_a_non_object() -> None:
    with pytest.raises(WebhookVerificationError) as info:
        parse_event(b"[]")
    assert info.value.reason == "bad_body"


def test_events_support_structural_pattern_matching() -> None:
    match parse_event(make_body("shifts.thirty_days_synced")):
        case SyncProgressEvent(payload=DataEventPayload(outcome="success")) as event:
            assert event.window == "thirty_days"
        case _:
            pytest.fail("pattern did not match")
