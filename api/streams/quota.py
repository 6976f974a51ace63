"""How many streams each user holds open on this API process, within a cap: a stream is held for
minutes, and a program could otherwise open hundreds."""

from collections import Counter
from collections.abc import Callable

from api.refusals import TooMany

RETRY_SECONDS = 5


class StreamQuota:
    """Counts each user's open streams (answers, `/v1`, updates) and refuses one past the cap."""

    def __init__(self, per_user: int) -> None:
        self._per_user = per_user
        self._open: Counter[str] = Counter()

    def take(self, user_id: str) -> Callable[[], None]:
        """Count a stream of the user's, or refuse it (TooMany); returns what gives it back, once."""
        if self._open[user_id] >= self._per_user:
            raise TooMany(
                f"You have {self._per_user} streams open, the most one person may hold on this "
                "server: close a tab or end a request first.",
                RETRY_SECONDS,
            )
        self._open[user_id] += 1
        given_back = False

        def give_back() -> None:
            nonlocal given_back
            if not given_back:
                given_back = True
                self._open[user_id] -= 1
                if not self._open[user_id]:
                    del self._open[user_id]

        return give_back

    def held(self, user_id: str) -> int:
        return self._open[user_id]
