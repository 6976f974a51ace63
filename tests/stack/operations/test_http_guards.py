"""What every request passes and every response carries (api/guards.py), and what the API tells
those who are not signed in: allowed host names, security headers, no source maps, a minimal
health check, access logs without query strings, and only trusted proxies' forwarded addresses."""

import contextlib
import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from api.guards import APP_POLICY, DOCS_POLICY, host_name, is_allowed, parse_hosts
from tests.support.accounts import PASSWORD, new_user
from tests.support.processes import ROOT, wait_until
from tests.support.stack import Api, MakeStack, Stack, unique

pytestmark = pytest.mark.slow

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def test_host_names_are_matched_without_their_port_and_with_wildcards() -> None:
    allowed = parse_hosts("localhost, 127.0.0.1,[::1], *.example.com")
    assert [host_name(h) for h in ("LocalHost:8000", "[::1]:8000", "::1", "a.example.com")] == [
        "localhost",
        "::1",
        "::1",
        "a.example.com",
    ]
    assert all(is_allowed(host_name(h), allowed) for h in ("localhost:8000", "[::1]:80", "b.example.com"))
    assert not any(is_allowed(host_name(h), allowed) for h in ("example.com.evil", "evil.com", ""))
    assert is_allowed("anything", parse_hosts("*"))


def test_a_request_for_another_host_name_is_refused_so_dns_rebinding_cannot_make_the_first_admin(
    make_stack: MakeStack,
) -> None:
    fresh = make_stack().start_api()
    rebound = {"Host": f"attacker.example:{fresh.port}"}
    with httpx.Client(base_url=fresh.url, timeout=30) as page:
        refused = page.post(
            "/api/auth/register", json={"email": "a@attacker.example", "password": PASSWORD}, headers=rebound
        )
        assert refused.status_code == 400
        assert "RELAYCHAT_ALLOWED_HOSTS" in refused.json()["detail"]
        assert page.get("/api/auth/state").json()["setup_required"]  # nothing was made
        for local in (f"localhost:{fresh.port}", f"[::1]:{fresh.port}"):
            assert page.get("/api/auth/state", headers={"Host": local}).status_code == 200


def assert_secured(response: httpx.Response, policy: str = APP_POLICY) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name, response.headers)
    assert response.headers.get("content-security-policy") == policy, response.url
    assert "frame-ancestors 'none'" in policy


def test_every_kind_of_response_carries_the_security_headers(stack: Stack) -> None:
    with stack.client() as client, httpx.Client(base_url=stack.api.url, timeout=30) as anonymous:
        responses = [
            client.get("/api/auth/me"),  # 200
            client.get("/api/conversations/00000000-0000-7000-8000-000000000000"),  # 404
            client.post("/api/conversations", json={"title": ""}),  # 422
            anonymous.get("/api/conversations"),  # 401
            anonymous.get("/"),  # the web page, or the page saying it is not built
            anonymous.get("/openapi.json"),
        ]
        for response in responses:
            assert_secured(response)
        with client.stream("GET", "/api/updates") as stream:  # a stream carries them from its start
            assert_secured(stream)
        assert_secured(anonymous.get("/docs"), DOCS_POLICY)


def test_the_built_ui_ships_no_source_maps() -> None:
    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").exists():
        pytest.skip("the web UI is not built: cd web && npm ci && npm run build")
    assert list(dist.rglob("*.map")) == []
    for script in dist.rglob("*.js"):
        assert "sourceMappingURL" not in script.read_text(errors="replace")


def test_the_health_check_tells_an_anonymous_caller_nothing_more_than_ok(stack: Stack) -> None:
    response = httpx.get(f"{stack.api.url}/api/health", timeout=30)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_the_access_log_leaves_query_strings_out(stack: Stack) -> None:
    secret = unique("private words").split()[-1]
    with stack.client() as client:
        assert client.get("/api/search", params={"q": secret}).status_code == 200
        # A request after it: its line is written once the search's has been.
        assert client.get("/api/auth/me").status_code == 200
    log = stack.api.log_text()
    assert "GET /api/search" in log
    assert secret not in log


def failed_logins(url: str, count: int, forwarded_for: str | None = None) -> list[int]:
    """`count` sign-ins of unknown accounts, each claiming another client address unless given."""
    statuses = []
    with httpx.Client(base_url=url, timeout=30) as http:
        for number in range(count):
            address = forwarded_for or f"198.51.100.{number + 1}"
            body = {"email": f"nobody{number}@relaychat.test", "password": PASSWORD}
            statuses.append(
                http.post("/api/auth/login", json=body, headers={"X-Forwarded-For": address}).status_code
            )
    return statuses


def test_a_clients_own_x_forwarded_for_is_not_believed(make_stack: MakeStack) -> None:
    stack = make_stack()
    api = stack.start_api()
    # Five failures from one address, each claiming another: the sixth try is refused all the same.
    assert failed_logins(api.url, 5) == [401] * 5
    assert failed_logins(api.url, 1, forwarded_for="203.0.113.7") == [429]


def test_a_trusted_proxys_x_forwarded_for_names_each_client(make_stack: MakeStack) -> None:
    stack = make_stack(trusted_proxies="127.0.0.1")
    api = stack.start_api()
    with stack.client() as admin:
        member = new_user(admin)
    assert failed_logins(api.url, 5, forwarded_for="203.0.113.7") == [401] * 5
    assert failed_logins(api.url, 1, forwarded_for="203.0.113.7") == [429]  # that client, limited
    with httpx.Client(base_url=api.url, timeout=30) as other_client:
        signed_in = other_client.post(
            "/api/auth/login",
            json={"email": member.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.8"},
        )
    assert signed_in.status_code == 200  # another client behind the same proxy is not


def test_a_path_with_a_nul_is_refused_with_a_sentence(stack: Stack) -> None:
    response = httpx.get(f"{stack.api.url}/index.html%00.js", timeout=30)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The address holds a NUL character")


def raw_request(api: Api, head: str, body_parts: list[bytes], pause: float = 0.0) -> tuple[int, str, float]:
    """Send a request by hand (its head, then its body in parts, `pause` apart) and read the
    answer's status and body; returns them with the seconds the answer took from the head."""
    with socket.create_connection((api.ip, api.port), timeout=30) as connection:
        started = time.monotonic()
        connection.sendall(head.encode())
        try:
            for part in body_parts:
                if pause:
                    time.sleep(pause)
                connection.sendall(part)
        except OSError:
            pass  # the server answered and closed while the body was still coming: as it should
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and received.endswith(b"}"):
                break
    took = time.monotonic() - started
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode(errors="replace"), took


def test_a_huge_body_is_refused_unread_before_sign_in_is_checked(stack: Stack) -> None:
    api = stack.api
    head = (
        f"POST /api/conversations HTTP/1.1\r\nHost: 127.0.0.1:{api.port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n"
    )
    status, body, took = raw_request(api, head, [b'{"title": "'])  # not signed in, 100 MB declared
    assert status == 413, body
    assert "the limit is 4 MB" in json.loads(body)["detail"]
    assert took < 5  # answered at once, not after waiting for 100 MB


def test_a_body_larger_than_it_said_is_cut_off_as_it_streams_in(stack: Stack) -> None:
    def megabytes(count: int) -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(count):
            yield b"x" * 1_000_000

    with httpx.Client(base_url=stack.api.url, headers=stack.headers, timeout=30) as client:
        refused = client.post(
            "/api/conversations", content=megabytes(10), headers={"content-type": "application/json"}
        )
        assert refused.status_code == 413
        # A /v1 answer's body may hold a file inline (25 MB, a third more in base64) besides its 4 MB.
        openai = client.post(
            "/v1/chat/completions", content=megabytes(40), headers={"content-type": "application/json"}
        )
    assert openai.status_code == 413
    assert "the limit is 38 MB" in openai.json()["error"]["message"]  # OpenAI's shape on /v1


def test_a_trickling_body_is_given_up_on(make_stack: MakeStack) -> None:
    api = make_stack(body_timeout_seconds="1").start_api()
    head = (
        f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{api.port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n"
    )
    status, body, took = raw_request(api, head, [b"{"] * 20, pause=0.3)  # a byte every 0.3 s
    assert status == 408, body
    assert 1 <= took < 4


def test_one_user_holds_only_so_many_streams_on_an_api_process(make_stack: MakeStack) -> None:
    stack = make_stack(max_streams_per_user="3")
    stack.start()

    def opened(exits: contextlib.ExitStack) -> httpx.Response:
        client = exits.enter_context(stack.client())
        return exits.enter_context(client.stream("GET", "/api/updates", timeout=httpx.Timeout(30, read=None)))

    with contextlib.ExitStack() as held:
        assert [opened(held).status_code for _ in range(3)] == [200] * 3
        with contextlib.ExitStack() as fourth:
            refused = opened(fourth)
            refused.read()
            assert refused.status_code == 429
            assert "3 streams open" in refused.json()["detail"]
            assert int(refused.headers["Retry-After"]) > 0
        with contextlib.ExitStack() as one_more:
            held.close()  # the three are closed: their places are given back

            def another_opens() -> bool:
                with contextlib.ExitStack() as attempt:
                    return opened(attempt).status_code == 200

            wait_until(another_opens, 5, "a stream after the others closed")
            assert opened(one_more).status_code == 200


def test_a_trickling_head_is_cut_off_before_anyone_signs_it_in(make_stack: MakeStack) -> None:
    """Ten sockets sending their headers a byte at a time used to stay open 75 s and more."""
    api = make_stack(header_timeout_seconds="1").start_api()
    with socket.create_connection((api.ip, api.port), timeout=30) as connection:
        started = time.monotonic()
        closed_after = None
        for (
            byte
        ) in f"GET /api/auth/me HTTP/1.1\r\nHost: 127.0.0.1:{api.port}\r\nX-Slow: {'x' * 100}".encode():
            try:
                connection.sendall(bytes([byte]))
                time.sleep(0.1)
                connection.setblocking(False)
                if connection.recv(1) == b"":  # closed by the server
                    closed_after = time.monotonic() - started
                    break
            except BlockingIOError:
                pass
            except OSError:
                closed_after = time.monotonic() - started
                break
            finally:
                connection.setblocking(True)
    assert closed_after is not None, "the server kept the trickling connection open"
    assert closed_after < 5
