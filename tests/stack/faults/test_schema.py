"""Schemathesis against the API's own OpenAPI schema, signed in: nothing the schema allows may cause
a 5xx or an answer that breaks the schema."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.stack import MakeStack, Stack

pytestmark = pytest.mark.faults

EXAMPLES_PER_OPERATION = 30
# No 5xx, and every answer as the schema documents it. (Not "positive data acceptance": the
# schema cannot say which model names or how many tokens a deployment accepts.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Streams that never end by design: no request could complete (tests/stack/conversations/test_updates.py
# covers them).
ENDLESS = {"/api/updates"}


@pytest.fixture(scope="module")
def schema_stack(make_stack_module: MakeStack) -> Stack:
    stack = make_stack_module()
    stack.start()
    return stack


def operations(stack: Stack) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{stack.api.url}/openapi.json")
    schema.config.update(base_url=stack.api.url)
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


def test_api_never_fails_on_what_its_schema_allows(schema_stack: Stack) -> None:
    # Driven by hand rather than by schemathesis' pytest plugin, which does not run on pytest 9.
    checked = []
    headers = schema_stack.headers  # signed in as the admin: every route is reached, not just its 401
    for operation in operations(schema_stack):
        if operation.path in ENDLESS:
            continue

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(timeout=10, checks=CHECKS, headers=headers)

        check()
        checked.append(operation.label)
    assert len(checked) >= 10, checked
