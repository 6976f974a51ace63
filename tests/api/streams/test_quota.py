"""StreamQuota: each user's open streams on an API process, within the cap, each given back once."""

import pytest

from api.refusals import TooMany
from api.streams.quota import StreamQuota


def test_a_user_past_the_cap_is_refused_and_another_user_is_not() -> None:
    quota = StreamQuota(per_user=2)
    give_back = [quota.take("ann"), quota.take("ann")]
    with pytest.raises(TooMany, match="2 streams open") as refused:
        quota.take("ann")
    assert refused.value.retry_after > 0
    quota.take("bob")
    give_back[0]()
    give_back[0]()  # given back once, however many times its stream says it ended
    assert quota.held("ann") == 1
    quota.take("ann")
    assert quota.held("ann") == 2
