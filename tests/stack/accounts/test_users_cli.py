"""`relaychat users`: an operator who is locked out adds an admin or resets a password."""

import subprocess
import sys

import httpx
import pytest

from tests.support.accounts import PASSWORD, signed_in
from tests.support.stack import MakeStack, Stack

pytestmark = pytest.mark.slow


def users(stack: Stack, *args: str, password: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "users", *args],
        input=password + "\n",
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_operator_creates_the_admin_lists_accounts_and_resets_a_password(make_stack: MakeStack) -> None:
    stack = make_stack()
    api = stack.start_api()
    made = users(stack, "create", "Root@Example.com", "--admin", "--name", "Root", password=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "relaychat: created root@example.com (admin)"
    assert httpx.get(f"{api.url}/api/auth/state").json()["setup_required"] is False

    browser = signed_in(api.url, "root@example.com")
    listed = users(stack, "list")
    assert listed.stdout.splitlines() == ["root@example.com\tRoot\tadmin\tactive"]

    weak = users(stack, "reset-password", "root@example.com", password="password")
    assert weak.returncode == 1
    assert "one of the most common ones" in weak.stderr
    reset = users(stack, "reset-password", "root@example.com", password="a brand new passphrase")
    assert reset.returncode == 0, reset.stderr
    assert "1 session(s) signed out" in reset.stdout
    assert browser.get("/api/auth/me").status_code == 401
    signed_in(api.url, "root@example.com", "a brand new passphrase").close()

    unknown = users(stack, "reset-password", "nobody@example.com", password=PASSWORD)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "relaychat: No account has the email address nobody@example.com.",
    )
    browser.close()
