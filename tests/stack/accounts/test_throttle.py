"""Failed sign-ins and sign-ups counted in Redis: the limits hold across two API processes."""

import httpx
import pytest

from tests.support.accounts import PASSWORD, new_user
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
