"""Users of a test deployment, made through its admin, each with a client of their own."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

PASSWORD = "a tester's own passphrase"


@dataclass
class Member:
    id: str
    email: str
    password: str
    client: httpx.Client  # signed in with an API key of this user

    @property
    def key(self) -> str:
        return self.client.headers["Authorization"].removeprefix("Bearer ")


def signed_in(url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """A client carrying a session cookie of the account, as a browser would."""
    http = httpx.Client(base_url=url, timeout=30)
    response = http.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return http


def new_user(admin: httpx.Client, role: str = "user", label: str = "user") -> Member:
    """An active account made by the admin, and a client with an API key of its own."""
    email = f"{label}-{uuid.uuid4().hex[:8]}@relaychat.test"
    made = admin.post(
        "/api/admin/users", json={"email": email, "password": PASSWORD, "name": label, "role": role}
    )
    assert made.status_code == 201, made.text
    url = str(admin.base_url)
    browser = signed_in(url, email)
    key = browser.post("/api/keys", json={"name": "tests"}).json()["key"]
    browser.close()
    client = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {key}"})
    return Member(made.json()["id"], email, PASSWORD, client)


def own_member(admin: httpx.Client, label: str) -> Iterator[Member]:
    """For a fixture: a user of their own, made through the admin's client (closed at once); their
    client closed after the test. `yield from own_member(stack.client(), "label")`."""
    with admin:
        member = new_user(admin, label=label)
    with member.client:
        yield member


# A user's limits besides their storage: None each, no limit.
UNLIMITED = ("running_answers", "waiting_answers", "tokens_per_day", "cost_per_month_usd")


def give_storage_quota(admin: httpx.Client, member_id: str, megabytes: float) -> None:
    """The member's own limits: `megabytes` of files, and no other limit."""
    quota = admin.put(
        f"/api/admin/users/{member_id}/limits", json={**dict.fromkeys(UNLIMITED), "storage_mb": megabytes}
    )
    assert quota.status_code == 200, quota.text
