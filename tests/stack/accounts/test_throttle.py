"""Failed sign-ins and sign-ups counted in Redis: the limits hold across two API processes."""

import threading
import time

import httpx
import pytest

from tests.support.accounts import PASSWORD, new_user, signed_in
from tests.support.stack import MakeStack

pytestmark = pytest.mark.slow


def login(url: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30) as http:
        return http.post("/api/auth/login", json={"email": email, "password": password})


def test_five_failed_sign_ins_across_two_api_processes_lock_the_account(make_stack: MakeStack) -> None:
    stack = make_stack()
    first, second = stack.start_api(), stack.start_api()
    with stack.client() as admin:
        member = new_user(admin)
    urls = [first.url, second.url]
    for attempt in range(5):
        assert login(urls[attempt % 2], member.email, "not the password").status_code == 401
    for url in urls:
        locked = login(url, member.email, PASSWORD)  # the right password, too late
        assert locked.status_code == 429
        assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
        assert locked.json()["detail"].startswith("Too many failed sign-ins; try again in ")


def test_failed_sign_ins_from_one_address_are_limited_whatever_the_account(make_stack: MakeStack) -> None:
    stack = make_stack()
    first, second = stack.start_api(), stack.start_api()
    with stack.client() as admin:
        member = new_user(admin)
    for attempt in range(5):
        url = (first.url, second.url)[attempt % 2]
        assert login(url, f"nobody{attempt}@relaychat.test", PASSWORD).status_code == 401
    assert login(second.url, member.email, PASSWORD).status_code == 429


def test_sign_ups_from_one_address_are_limited(make_stack: MakeStack) -> None:
    stack = make_stack()
    first, second = stack.start_api(), stack.start_api()
    with stack.client() as admin:
        admin.patch("/api/admin/settings", json={"signup": "open"})
    answers = []
    for number in range(10):
        url = (first.url, second.url)[number % 2]
        with httpx.Client(base_url=url, timeout=30) as http:
            account = {"email": f"signup{number}@relaychat.test", "password": PASSWORD}
            answers.append(http.post("/api/auth/register", json=account).status_code)
    # The admin's own sign-up counted too: nine more reach the limit of ten an hour.
    assert answers == [201] * 9 + [429]


def login_from(url: str, address: str, email: str, password: str) -> int:
    """A sign-in from the client `address` (behind a trusted proxy, which says so)."""
    with httpx.Client(base_url=url, timeout=30, headers={"X-Forwarded-For": address}) as http:
        return http.post("/api/auth/login", json={"email": email, "password": password}).status_code


def test_from_an_address_already_refused_no_account_can_be_locked_out(make_stack: MakeStack) -> None:
    stack = make_stack(trusted_proxies="127.0.0.1")
    api = stack.start_api()
    with stack.client() as admin:
        victim = new_user(admin)
    attacker = "198.51.100.66"
    assert [login_from(api.url, attacker, f"x{n}@relaychat.test", "guess") for n in range(5)] == [401] * 5
    # The address is refused from now on; its tries against the victim cost the victim nothing.
    assert {login_from(api.url, attacker, victim.email, "guess") for _ in range(20)} == {429}
    assert login_from(api.url, "203.0.113.9", victim.email, PASSWORD) == 200


def test_a_user_keeps_only_so_many_sign_ins_the_oldest_ending_first(make_stack: MakeStack) -> None:
    stack = make_stack(max_sign_ins_per_user="3")
    api = stack.start_api()
    with stack.client() as admin:
        member = new_user(admin)
    browsers = [signed_in(api.url, member.email) for _ in range(4)]
    assert browsers[0].get("/api/auth/me").status_code == 401  # the oldest, ended by the fourth
    assert [browser.get("/api/auth/me").status_code for browser in browsers[1:]] == [200] * 3
    assert len(browsers[3].get("/api/auth/sessions").json()) == 3
    for browser in browsers:
        browser.close()


def test_checks_of_the_current_password_are_limited_and_a_success_gives_nothing_back(
    make_stack: MakeStack,
) -> None:
    stack = make_stack()
    api = stack.start_api()
    with stack.client() as admin:
        member = new_user(admin)
    browser = signed_in(api.url, member.email)
    changes = [
        browser.patch("/api/auth/me", json={"name": f"name {n}", "current_password": PASSWORD}).status_code
        for n in range(11)
    ]
    assert changes == [200] * 10 + [429]
    assert login(api.url, member.email, PASSWORD).status_code == 200  # signing in is another matter
    browser.close()


def test_password_checks_cannot_keep_anyone_from_signing_in(make_stack: MakeStack) -> None:
    """Ten correct password checks sent at once, then a sign-in: it has a lane of its own, so it is
    answered while they still wait in theirs (it used to queue behind most of them)."""
    stack = make_stack()
    api = stack.start_api()
    with stack.client() as admin:
        member, other = new_user(admin), new_user(admin)
    browser = signed_in(api.url, member.email)
    done: list[str] = []

    def change(number: int) -> None:
        body = {"name": f"name {number}", "current_password": PASSWORD}
        with httpx.Client(base_url=api.url, timeout=60, cookies=browser.cookies) as tab:
            assert tab.patch("/api/auth/me", json=body).status_code == 200
        done.append("change")

    def sign_in() -> None:
        assert login(api.url, other.email, PASSWORD).status_code == 200
        done.append("sign-in")

    changes = [threading.Thread(target=change, args=(n,)) for n in range(10)]
    for thread in changes:
        thread.start()
    time.sleep(0.2)  # the changes are in the server's queue
    signing_in = threading.Thread(target=sign_in)
    signing_in.start()
    for thread in [*changes, signing_in]:
        thread.join(60)
    assert sorted(done) == ["change"] * 10 + ["sign-in"]
    assert done.index("sign-in") <= 5, done
    browser.close()
