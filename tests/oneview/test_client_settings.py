"""ClientSettings validation and the operator-facing text of errors (no appliance needed)."""

from __future__ import annotations

import dataclasses

import pytest

from networking_oneview.oneview import (
    ClientSettings,
    OneViewClient,
    OneViewConflict,
    OneViewServerError,
    OneViewTaskError,
    OneViewTaskTimeout,
)
from networking_oneview.oneview.client import field_filter, quote_filter
from networking_oneview.oneview.errors import error_from_response

SECRET = "Settings-S3cret-d00d"


def settings(**overrides) -> ClientSettings:
    values = {"manager_url": "https://oneview.example.com", "username": "u", "password": SECRET}
    values.update(overrides)
    return ClientSettings(**values)


def test_settings_repr_hides_the_password():
    assert SECRET not in repr(settings())
    assert SECRET not in str(settings())


def test_client_repr_hides_the_password():
    client = OneViewClient(settings())
    try:
        assert SECRET not in repr(client)
        assert "oneview.example.com" in repr(client)
    finally:
        client.close()


@pytest.mark.parametrize(
    "url", ["http://oneview.example.com", "oneview.example.com", "", "ftp://x"]
)
def test_manager_url_must_be_https(url):
    with pytest.raises(ValueError, match="manager_url"):
        settings(manager_url=url)


def test_manager_url_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ValueError, match="manager_url") as caught:
        settings(manager_url=f"https://admin:{SECRET}@oneview.example.com")
    assert SECRET not in str(caught.value)


def test_manager_url_with_a_path_is_refused():
    with pytest.raises(ValueError, match="manager_url"):
        settings(manager_url="https://oneview.example.com/rest")


def test_manager_url_is_normalised():
    assert settings(manager_url="https://OneView.example.com:8443/").manager_url == (
        "https://OneView.example.com:8443"
    )


@pytest.mark.parametrize(
    "field",
    [
        "connect_timeout",
        "read_timeout",
        "polling_interval",
        "max_polling_attempts",
        "max_concurrent_tasks",
    ],
)
def test_non_positive_numbers_are_refused(field):
    with pytest.raises(ValueError, match=field):
        settings(**{field: 0})


def test_connection_pool_fits_the_tasks_in_flight_and_some_reads():
    assert settings().max_concurrent_tasks == 8
    assert settings().connection_pool_size == 16
    assert settings(max_concurrent_tasks=20).connection_pool_size == 28
    assert settings(pool_maxsize=12).connection_pool_size == 12


def test_a_pool_smaller_than_the_tasks_in_flight_is_refused():
    with pytest.raises(ValueError, match="pool_maxsize"):
        settings(max_concurrent_tasks=8, pool_maxsize=4)


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings().password = "x"  # type: ignore[misc]


def test_error_text_is_one_line_naming_request_code_and_message():
    error = error_from_response(
        412,
        {
            "errorCode": "ETAG_MISMATCH",
            "message": "The eTag does not match.\nGet it again.",
            "recommendedActions": ["Get the resource again."],
        },
        method="PUT",
        path="/rest/uplink-sets/1",
    )
    assert isinstance(error, OneViewConflict)
    text = str(error)
    assert "\n" not in text
    assert text.startswith("OneView PUT /rest/uplink-sets/1 failed: HTTP 412 [ETAG_MISMATCH]")
    assert "Get the resource again." in text


def test_error_from_a_non_json_answer_keeps_the_text():
    error = error_from_response(502, None, method="GET", path="/rest/x", text="Bad Gateway")
    assert isinstance(error, OneViewServerError)
    assert "HTTP 502" in str(error) and "Bad Gateway" in str(error)


def test_task_error_names_the_task_and_its_first_error():
    error = OneViewTaskError(
        {
            "uri": "/rest/tasks/7",
            "name": "Update",
            "taskState": "Error",
            "taskErrors": [
                {
                    "errorCode": "ServerNotOffWithCauseForNoServerChange",
                    "message": "The server must be powered off.",
                }
            ],
        }
    )
    assert str(error) == (
        "OneView task 'Update' (/rest/tasks/7) ended Error: "
        "[ServerNotOffWithCauseForNoServerChange] The server must be powered off."
    )


def test_task_timeout_names_the_task():
    error = OneViewTaskTimeout(
        {"uri": "/rest/tasks/8", "name": "Create", "taskState": "Running"}, 6
    )
    assert "'Create'" in str(error) and "/rest/tasks/8" in str(error) and "Running" in str(error)


@pytest.mark.parametrize(
    ("expression", "quoted"),
    [("name='a'", "\"name='a'\""), ("\"name='a'\"", "\"name='a'\"")],
)
def test_filters_are_wrapped_in_double_quotes_once(expression, quoted):
    assert quote_filter(expression) == quoted


def test_field_filter_escapes_single_quotes_and_keeps_numbers_bare():
    assert field_filter("name", "o'neil") == "name='o''neil'"
    assert field_filter("vlanId", 10) == "vlanId=10"
    assert field_filter("smartLink", True) == "smartLink=true"
