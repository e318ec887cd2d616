from __future__ import annotations

import pytest

from flinkops.errors import UiError
from flinkops.ui import check_binding
from flinkops.ui._security import Guard, is_loopback


def test_non_local_binding_needs_a_token() -> None:
    check_binding("127.0.0.1", None)
    check_binding("::1", None)
    check_binding("0.0.0.0", "t0ken")
    with pytest.raises(UiError, match="FLINKOPS_UI_TOKEN"):
        check_binding("0.0.0.0", None)
    assert is_loopback("localhost") and not is_loopback("example.com")


def test_token_from_header_cookie_or_query() -> None:
    guard = Guard("s3cret-token")
    assert guard.allowed("Bearer s3cret-token", None, None)
    assert guard.allowed(None, "s3cret-token", None)
    assert guard.allowed(None, None, "s3cret-token")
    assert not guard.allowed(None, None, None)
    assert not guard.allowed("Bearer wrong", None, None)
    assert Guard(None).allowed(None, None, None)


def test_csrf_token_is_per_process_and_origin_checked() -> None:
    guard, other = Guard(None), Guard(None)
    token = guard.csrf_token()
    assert token != other.csrf_token()
    assert guard.csrf_ok(token, "http://127.0.0.1:8088", "127.0.0.1:8088")
    assert guard.csrf_ok(token, None, "127.0.0.1:8088")
    assert not guard.csrf_ok(token, "http://evil.example", "127.0.0.1:8088")
    assert not guard.csrf_ok(other.csrf_token(), None, "127.0.0.1:8088")
    assert not guard.csrf_ok(None, None, None)


def test_without_a_token_only_loopback_host_names_are_served() -> None:
    guard = Guard(None)
    for host in ("127.0.0.1:8088", "localhost:8088", "[::1]:8088", "localhost"):
        assert guard.host_ok(host), host
    for host in ("evil.example:8088", "10.0.0.5:8088", "", None):
        assert not guard.host_ok(host), host
    assert Guard("t").host_ok("flink-console.internal:8088")
