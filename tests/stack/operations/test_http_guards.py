"""What every request passes and every response carries (api/guards.py), and what the API tells
those who are not signed in: allowed host names, security headers, no source maps, a minimal
health check, access logs without query strings, and only trusted proxies' forwarded addresses."""

import httpx
import pytest

from api.guards import APP_POLICY, DOCS_POLICY, host_name, is_allowed, parse_hosts
from tests.support.accounts import PASSWORD, new_user
from tests.support.processes import ROOT
from tests.support.stack import MakeStack, Stack, unique

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


def test_a_path_with_a_nul_is_not_found(stack: Stack) -> None:
    response = httpx.get(f"{stack.api.url}/index.html%00.js", timeout=30)
    assert response.status_code == 404
