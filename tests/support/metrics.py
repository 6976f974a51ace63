"""Reading a process's Prometheus metrics in the tests: scraped, parsed with prometheus_client's
own parser, and summed over the label values asked for."""

from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def scrape(url: str, headers: dict[str, str] | None = None) -> list[Sample]:
    """Every sample of the exposition at `url` (an API's `/metrics`, a worker's metrics URL)."""
    response = httpx.get(url, headers=headers or {}, timeout=10)
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("text/plain")
    return [
        Sample(sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]


def total(samples: list[Sample], name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels`."""
    return sum(
        sample.value
        for sample in samples
        if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items())
    )


def totals(urls: list[str], name: str, **labels: str) -> float:
    """`total` over several processes: what Prometheus would sum across a deployment."""
    return sum(total(scrape(url), name, **labels) for url in urls)
