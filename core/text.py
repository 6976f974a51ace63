"""What counts as text: no NUL (Postgres refuses it) and no lone surrogate (JSON's `\\u` escapes can
spell one, but no database, log or stream can store it). One check for every string a request or an
imported file brings, keys included."""

import re
from dataclasses import dataclass
from typing import Any

NUL = "a NUL character, which relaychat cannot store"
LONE_SURROGATE = "text that is not valid Unicode (a lone surrogate)"

# JSON decodes an escaped pair into one character: any surrogate left in a str is a lone one.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class BadText:
    """The first string that is not text: where it is (`messages[2].content`) and what it holds."""

    where: str
    problem: str


def problem_of(text: str) -> str | None:
    """What makes `text` not text (`NUL`, `LONE_SURROGATE`), or None."""
    if "\x00" in text:
        return NUL
    if _SURROGATE.search(text):
        return LONE_SURROGATE
    return None


def first_bad_text(value: Any, where: str = "") -> BadText | None:
    """The first string in a JSON value, keys included, that is not text. Walked without recursion:
    a value nested thousands deep is checked like a flat one."""
    pending: list[tuple[Any, str]] = [(value, where)]
    while pending:
        item, at = pending.pop()
        if isinstance(item, str):
            if problem := problem_of(item):
                return BadText(at, problem)
        elif isinstance(item, dict):
            for key, inner in reversed(item.items()):
                place = f"{at}.{key}" if at else str(key)
                if isinstance(key, str) and (problem := problem_of(key)):
                    return BadText(at or "a name", problem)
                pending.append((inner, place))
        elif isinstance(item, list):
            pending.extend((inner, f"{at}[{index}]") for index, inner in reversed(list(enumerate(item))))
    return None
