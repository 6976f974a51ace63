"""bench/results/*.json → bench/results/README.md (tables, goals met or not) and summary.png.

Run: `.venv/bin/python -m bench.report` (`make bench` runs it last).
"""

import json
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.stats import RESULTS


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def ms(values: dict[str, float], *keys: str) -> str:
    return " / ".join(f"{values[k]:.1f}" for k in keys) + " ms"


def latency_section(latency: dict[str, Any]) -> list[str]:
    lines = [
        "## What the queue costs a user (`python -m bench.latency`)",
        "",
        f"Scripted model: first token after {latency['model']['ttft_s'] * 1000:.0f} ms, then "
        f"{latency['model']['tokens_per_s']:.0f} tokens/s, {latency['model']['tokens']} tokens. "
        "Direct = the tutorial's design (bench/direct.py), same model, same run.",
        "",
        "| concurrent chats | TTFT direct p50 / p99 | TTFT relaychat p50 / p99 "
        "| TTFT overhead p50 / p95 / p99 | overhead with two requests p50 / p99 "
        "| per-token added p50 / p99 | Redis commands per token "
        "| CPU per chat: relaychat (API + worker + Redis) vs direct (its process) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = [(str(r["concurrent_chats"]), r) for r in latency["steady"]]
    rows.append((f"{latency['burst']['concurrent_chats']}, all in the same instant", latency["burst"]))
    for label, r in rows:
        cpu = r["cpu_seconds_per_chat"]
        direct_dropped, queued_dropped = (r[k].get("failed_chats", 0) for k in ("direct", "queued"))
        if direct_dropped or queued_dropped:
            label += f" (streams dropped: {direct_dropped} direct, {queued_dropped} relaychat)"
        lines.append(
            f"| {label} | {ms(r['direct']['ttft'], 'p50_ms', 'p99_ms')} "
            f"| {ms(r['queued']['ttft'], 'p50_ms', 'p99_ms')} "
            f"| {ms(r['ttft_overhead_ms'], 'p50_ms', 'p95_ms', 'p99_ms')} "
            f"| {ms(r['ttft_overhead_two_requests_ms'], 'p50_ms', 'p99_ms')} "
            f"| {ms(r['token_added_ms'], 'p50_ms', 'p99_ms')} | {r['redis_commands_per_token']:.1f} "
            f"| {cpu['api'] * 1000:.0f} + {cpu['worker'] * 1000:.0f} + {cpu['redis'] * 1000:.0f} ms "
            f"vs {r['direct_cpu_seconds_per_chat']['direct'] * 1000:.0f} ms |"
        )
    return [*lines, ""]


def openai_section(latency: dict[str, Any]) -> list[str]:
    rows = [(str(r["concurrent_chats"]), r) for r in latency["steady"]]
    rows.append((f"{latency['burst']['concurrent_chats']}, all in the same instant", latency["burst"]))
    # Results from before issue 14 have no OpenAI-compatible path.
    rows = [(label, r) for label, r in rows if "openai" in r]
    if not rows:
        return []
    lines = [
        "## The OpenAI-compatible route (`python -m bench.latency`, issue 14)",
        "",
        "`POST /v1/chat/completions` with `stream: true` and an API key, each request a new "
        "conversation; the same run, model and direct baseline as the table above.",
        "",
        "| concurrent chats | TTFT direct p50 / p99 | TTFT /v1/chat/completions p50 / p99 "
        "| TTFT overhead p50 / p95 / p99 | the app's route (one request) overhead p50 / p99 "
        "| per-token added p50 / p99 | Redis commands per token | CPU per chat (API + worker + Redis) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in rows:
        cpu = r["openai_cpu_seconds_per_chat"]
        if dropped := r["openai"].get("failed_chats", 0):
            label += f" (streams dropped: {dropped})"
        lines.append(
            f"| {label} | {ms(r['direct']['ttft'], 'p50_ms', 'p99_ms')} "
            f"| {ms(r['openai']['ttft'], 'p50_ms', 'p99_ms')} "
            f"| {ms(r['ttft_overhead_openai_ms'], 'p50_ms', 'p95_ms', 'p99_ms')} "
            f"| {ms(r['ttft_overhead_ms'], 'p50_ms', 'p99_ms')} "
            f"| {ms(r['token_added_openai_ms'], 'p50_ms', 'p99_ms')} "
            f"| {r['openai_redis_commands_per_token']:.1f} "
            f"| {cpu['api'] * 1000:.0f} + {cpu['worker'] * 1000:.0f} + {cpu['redis'] * 1000:.0f} ms |"
        )
    return [*lines, ""]


def relay_section(relay: dict[str, Any]) -> list[str]:
    best = relay["max_streams_within_limit"]
    carried = "; ".join(
        f"{n} API process{'' if n == '1' else 'es'}: **{streams}**" for n, streams in best.items()
    )
    lines = [
        "## Streams the API processes relay (`python -m bench.relay_capacity`)",
        "",
        f"Each stream gets {relay['tokens_per_s_per_stream']:.0f} tokens/s; the limit is added latency "
        f"p99 ≤ {relay['limit_p99_ms']:.0f} ms. Most streams within it: {carried}.",
        "",
        "| API processes | streams | events/s | added latency p50 / p95 / p99 | CPU of each API (cores) "
        "| API RSS per stream | API Redis connections |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in relay["steps"]:
        cpu = " + ".join(f"{cores:.2f}" for cores in s["api_cpu_cores"])
        lines.append(
            f"| {s['api_processes']} | {s['streams']} | {s['events_per_s']:.0f} "
            f"| {ms(s['added_latency'], 'p50_ms', 'p95_ms', 'p99_ms')} | {cpu} "
            f"| {s['api_rss_per_stream_kib']:.0f} KiB | {s['api_redis_connections']} |"
        )
    return [*lines, ""]


def fairness_section(fairness: dict[str, Any]) -> list[str]:
    lines = [
        "## Fair dispatch (`python -m bench.fairness`)",
        "",
        f"{fairness['slots']} slots in all; user A submits {fairness['a_answers']} answers at once "
        f"({fairness['answer_seconds']:.1f} s each on average), then user B one at each of nine "
        "moments while A's run.",
        "",
        "| dispatch | B's wait to first token, median (all) | a slot frees every | answers/s "
        "| idle pickup p50 |",
        "|---|---|---|---|---|",
    ]
    for mode, m in fairness["modes"].items():
        waits = ", ".join(f"{w:.2f}" for w in m["b_waits_s"])
        lines.append(
            f"| {mode} | {m['b_wait_s'] * 1000:.0f} ms ({waits} s) | {m['slot_frees_every_s'] * 1000:.0f} ms "
            f"| {m['answers_per_s']:.2f} | {m['idle_pickup']['p50_ms']:.1f} ms |"
        )
    return [*lines, ""]


def workers_section(workers: dict[str, Any]) -> list[str]:
    c, s = workers["capacity"], workers["scale_out"]
    return [
        "## Worker capacity and scale-out (`python -m bench.workers`)",
        "",
        f"- One worker, {c['answers']} slow answers submitted together: **{c['peak_streaming_at_once']}** "
        f"streaming at the same moment, {c['complete_with_exact_text']} complete with the exact text, "
        f"in {c['seconds']:.0f} s; worker CPU {c['worker_cpu_seconds']:.1f} s, RSS "
        f"{c['worker_rss_mib']['idle']:.0f} → {c['worker_rss_mib']['peak']:.0f} MiB "
        f"({c['worker_rss_kib_per_answer']:.0f} KiB per answer).",
        f"- Model server the limit ({s['concurrency_per_worker']} answers at a time per worker, "
        f"{s['model_seconds_per_answer']:.0f} s each, {s['answers']} answers): 1 worker "
        f"{s['answers_per_s']['1 worker']:.1f} answers/s, 2 workers {s['answers_per_s']['2 workers']:.1f} "
        f"answers/s: **{s['ratio']:.2f}×**.",
        "",
    ]


def length_section(length: dict[str, Any], opened: dict[str, Any] | None) -> list[str]:
    lines = [
        "## Conversation length (`python -m bench.conversation_length`, `python -m bench.open_conversation`)",
        "",
        "| conversation | POST p50 | first token p50 (from the POST) "
        "| the same prompt sent to the model directly | GET …/branch (newest page) |",
        "|---|---|---|---|---|",
    ]
    for label, r in length["results"].items():
        lines.append(
            f"| {label} | {r['post_p50_ms']:.1f} ms | {r['first_token_p50_ms']:.1f} ms "
            f"| {r['direct_first_token_p50_ms']:.1f} ms "
            f"| {r['branch_ms']:.1f} ms, {r['branch_bytes'] / 1000:.0f} kB |"
        )
    if opened:
        lines += ["", "Opening it in Chromium, from navigation to the newest message on screen:", ""]
        for label, r in opened["results"].items():
            if isinstance(r, dict):
                lines.append(f"- {label}: p50 {r['open_p50_ms']:.0f} ms, at most {r['open_max_ms']:.0f} ms")
    return [*lines, ""]


def local_section(local: dict[str, Any]) -> list[str]:
    direct, stack = local["direct"], local["through_stack"]
    ratio = stack["decode_tokens_per_s"] / direct["decode_tokens_per_s"]
    return [
        "## The local model (`python -m bench.local_model`)",
        "",
        f"{local['model']}: llama_cpp in-process {direct['decode_tokens_per_s']:.1f} tokens/s, through "
        f"API + Redis + worker + llama.cpp server {stack['decode_tokens_per_s']:.1f} tokens/s "
        f"(**{ratio:.2f}×**); first token {direct['ttft_s'] * 1000:.0f} ms vs "
        f"{stack['ttft_s'] * 1000:.0f} ms.",
        "",
    ]


BURST_PARTS = ("submit", "pickup", "start_to_model", "model", "delivery")


def burst_section(burst: dict[str, Any]) -> list[str]:
    baseline = burst["baseline"]
    then = f"{baseline}, POST then GET"
    lines = [
        "## Chats started at once (`python -m bench.burst`, issue 23)",
        "",
        f"First token p50 / p99 over {burst['rounds']} rounds, their order alternating, against one "
        f"scripted model ({burst['model']['ttft_s'] * 1000:.0f} ms to the first token, then "
        f"{burst['model']['tokens_per_s']:.0f} tokens/s, {burst['model']['tokens']} tokens); every answer "
        "exact unless counted. relaychat in the web UI's one request, and as `POST` then `GET`"
        + (f"; `{baseline}` as `POST` then `GET` (it has no other)." if baseline else "."),
        "",
        "| chats at once | direct | relaychat | POST then GET | "
        + (f"{baseline} | relaychat ÷ {baseline} p50 | " if baseline else "")
        + "relaychat ÷ direct p50 | relaychat p50: submit / pickup / start → model / model / delivery "
        "| CPU per answer: API + worker + Redis (direct) | not exact |",
        "|---|---|---|---|" + ("---|---|" if baseline else "") + "---|---|---|---|",
    ]
    for level in burst["levels"]:
        direct, today, two = level["direct"], level["relaychat"], level["relaychat, POST then GET"]
        cells = [
            str(level["chats"]),
            *(ms(x["first_token"], "p50_ms", "p99_ms") for x in (direct, today, two)),
        ]
        p50 = today["first_token"]["p50_ms"]
        if baseline:
            cells += [
                ms(level[then]["first_token"], "p50_ms", "p99_ms"),
                f"{p50 / level[then]['first_token']['p50_ms']:.2f}",
            ]
        cells.append(f"{p50 / direct['first_token']['p50_ms']:.2f}")
        cells.append(
            " / ".join(f"{today[part]['p50_ms']:.0f}" for part in BURST_PARTS if part in today) + " ms"
        )
        cpu, direct_cpu = today["cpu_ms_per_answer"], direct["cpu_ms_per_answer"]["direct"]
        cells.append(f"{cpu['api']:.0f} + {cpu['worker']:.0f} + {cpu['redis']:.0f} ms ({direct_cpu:.0f} ms)")
        cells.append(str(sum(level[name]["not_exact"] for name in level if name != "chats")))
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def burst_goals(burst: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Issue 23's targets that one run shows: ratios to the direct design and to the baseline."""
    checks = []
    then = f"{burst['baseline']}, POST then GET"
    for level in burst["levels"]:
        chats, today = level["chats"], level["relaychat"]["first_token"]["p50_ms"]
        if chats == 1:
            overhead = today - level["direct"]["first_token"]["p50_ms"]
            checks.append(("one chat at a time: overhead p50 ≤ 10 ms", f"{overhead:.1f} ms", overhead <= 10))
            continue
        ratio = today / level["direct"]["first_token"]["p50_ms"]
        checks.append((f"{chats} at once: first token p50 ≤ 1.5× direct", f"{ratio:.2f}×", ratio <= 1.5))
        if burst["baseline"] and chats in (20, 50):
            then_p50 = level[then]["first_token"]["p50_ms"]
            checks.append(
                (
                    f"{chats} at once: first token p50 ≤ {burst['baseline']}'s",
                    f"{today:.0f} vs {then_p50:.0f} ms",
                    today <= then_p50,
                )
            )
        one, two = level["relaychat"]["first_token"], level["relaychat, POST then GET"]["first_token"]
        faster = all(one[q] <= two[q] for q in ("p50_ms", "p95_ms", "p99_ms"))
        shown = " ".join(f"{q[:3]} {one[q]:.0f} vs {two[q]:.0f}," for q in ("p50_ms", "p99_ms")) + " ms"
        checks.append((f"{chats} at once: one request ≤ POST then GET", shown, faster))
    return checks


def goals(data: dict[str, Any]) -> list[str]:
    checks: list[tuple[str, str, bool]] = []
    if latency := data.get("latency"):
        at1 = next((r for r in latency["steady"] if r["concurrent_chats"] == 1), None)
        if at1:
            o = at1["ttft_overhead_ms"]
            checks.append(
                ("first-token overhead p50 ≤ 10 ms at 1 chat", f"{o['p50_ms']:.1f} ms", o["p50_ms"] <= 10)
            )
        at100 = next((r for r in latency["steady"] if r["concurrent_chats"] == 100), None)
        if at100:
            o, t = at100["ttft_overhead_ms"], at100["token_added_ms"]
            checks.append(
                ("first-token overhead p50 ≤ 15 ms at 100 chats", f"{o['p50_ms']:.1f} ms", o["p50_ms"] <= 15)
            )
            checks.append(
                ("first-token overhead p99 ≤ 50 ms at 100 chats", f"{o['p99_ms']:.1f} ms", o["p99_ms"] <= 50)
            )
            checks.append(("per-token added latency p99 ≤ 25 ms", f"{t['p99_ms']:.1f} ms", t["p99_ms"] <= 25))
    if length := data.get("conversation_length"):
        r = length["results"]
        for window in ("short", "long"):
            short, long = r[f"{window} window, 10 messages"], r[f"{window} window, 10000 messages"]
            ratio = long["first_token_p50_ms"] / short["first_token_p50_ms"]
            checks.append(
                (
                    f"first token at 10,000 messages within 10% of 10 ({window} window)",
                    f"{long['first_token_p50_ms']:.1f} vs {short['first_token_p50_ms']:.1f} ms",
                    ratio <= 1.1,
                )
            )
        post = r["short window, 10 messages"]["post_p50_ms"]
        checks.append(("POST p50 < 10 ms idle", f"{post:.1f} ms", post < 10))
    if opened := data.get("open_conversation"):
        took = opened["results"]["10000 messages"]["open_p50_ms"]
        checks.append(("a 10,000-message conversation opens < 300 ms", f"{took:.0f} ms", took < 300))
    if relay := data.get("relay_capacity"):
        best = relay["max_streams_within_limit"]["1"]
        checks.append(("≥ 1,000 streams on one API process", str(best), best >= 1000))
        # The pool is bounded and blocking: whatever the clients, connections stay within its size
        # plus the relay's reader and the two feeds. The counts per step show how much of it the load used.
        steps = [s for s in relay["steps"] if s["api_processes"] == 1]
        bound = relay["api_redis_connection_bound"]
        counts = ", ".join(f"{s['api_redis_connections']} at {s['streams']} streams" for s in steps)
        within = all(s["api_redis_connections"] <= bound for s in steps)
        checks.append(("Redis connections independent of clients", f"{counts} (bound {bound})", within))
    if workers := data.get("workers"):
        c, ratio = workers["capacity"], workers["scale_out"]["ratio"]
        carried = c["peak_streaming_at_once"] >= 500 and c["complete_with_exact_text"] == c["answers"]
        checks.append(("≥ 500 concurrent answers per worker", str(c["peak_streaming_at_once"]), carried))
        checks.append(("2 workers ≥ 1.8× one", f"{ratio:.2f}×", ratio >= 1.8))
    if local := data.get("local_model"):
        ratio = local["through_stack"]["decode_tokens_per_s"] / local["direct"]["decode_tokens_per_s"]
        checks.append(("local model through the stack ≥ 0.9× direct", f"{ratio:.2f}×", ratio >= 0.9))
    if fairness := data.get("fairness"):
        fair, fifo = fairness["modes"]["fair"], fairness["modes"]["first in, first out"]
        ratio = fair["b_wait_over_slot_free"]
        fair_ms, fifo_s = fair["b_wait_s"] * 1000, fifo["b_wait_s"]
        waited = f"{ratio:.2f}× ({fair_ms:.0f} ms; first in, first out {fifo_s:.1f} s)"
        checks.append(("B waits ≤ 1.2× the time for one slot to free", waited, ratio <= 1.2))
        throughput = fairness["throughput_fair_over_fifo"]
        kept = throughput >= 0.95
        checks.append(("fair throughput ≥ 0.95× first in, first out", f"{throughput:.3f}×", kept))
        pickup = fair["idle_pickup"]["p50_ms"]
        checks.append(("idle pickup p50 ≤ 5 ms with fair dispatch", f"{pickup:.1f} ms", pickup <= 5))
    if burst := data.get("burst"):
        checks += burst_goals(burst)
    rows = [f"| {goal} | {value} | {'met' if ok else '**missed**'} |" for goal, value, ok in checks]
    return ["## Goals (issues 5, 12, 13 and 23)", "", "| goal | measured | |", "|---|---|---|", *rows, ""]


def chart(data: dict[str, Any]) -> None:
    latency, relay = data.get("latency"), data.get("relay_capacity")
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    if latency:
        levels = [r["concurrent_chats"] for r in latency["steady"]]
        for path, style in (("direct", "o--"), ("queued", "o-")):
            for q in ("p50_ms", "p99_ms"):
                left.plot(
                    levels, [r[path]["ttft"][q] for r in latency["steady"]], style, label=f"{path} {q[:3]}"
                )
        left.set(xscale="log", yscale="log", xlabel="concurrent chats", ylabel="time to first token (ms)")
        left.set_title("Time to first token: relaychat (queued) vs direct")
        left.legend()
    if relay:
        for processes in relay["max_streams_within_limit"]:
            steps = [s for s in relay["steps"] if str(s["api_processes"]) == processes]
            streams = [s["streams"] for s in steps]
            for q in ("p50_ms", "p99_ms"):
                label = f"{processes} API: added {q[:3]}"
                right.plot(streams, [s["added_latency"][q] for s in steps], "o-", label=label)
        right.axhline(relay["limit_p99_ms"], color="grey", linestyle=":", label="limit")
        right.set(yscale="log", xlabel="streams", ylabel="added latency per token (ms)")
        right.set_title("Relay: 20 tokens/s per stream")
        right.legend()
    figure.tight_layout()
    figure.savefig(RESULTS / "summary.png", dpi=100)


def main() -> None:
    names = (
        "pickup",
        "latency",
        "burst",
        "relay_capacity",
        "workers",
        "local_model",
        "conversation_length",
        "open_conversation",
        "fairness",
    )
    data = {name: result for name in names if (result := load(name)) is not None}
    sections = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/report.py) on the machine it ran on; ![chart](summary.png)",
        "",
        *goals(data),
    ]
    if "latency" in data:
        sections += latency_section(data["latency"])
        sections += openai_section(data["latency"])
    if "burst" in data:
        sections += burst_section(data["burst"])
    if "relay_capacity" in data:
        sections += relay_section(data["relay_capacity"])
    if "workers" in data:
        sections += workers_section(data["workers"])
    if "local_model" in data:
        sections += local_section(data["local_model"])
    if "conversation_length" in data:
        sections += length_section(data["conversation_length"], data.get("open_conversation"))
    if "fairness" in data:
        sections += fairness_section(data["fairness"])
    if pickup := data.get("pickup"):
        p = pickup["pickup"]["pickup_ms"]
        sections += [
            "## Pickup and takeover (`python -m bench.pickup`)",
            "",
            f"Enqueue → job start p50 {p['p50']:.1f} ms, p95 {p['p95']:.1f} ms; worker SIGKILL → "
            f"takeover at most {pickup['takeover_s']['max']:.1f} s "
            f"(claim TTL {pickup['claim_ttl_s']:.0f} s).",
            "",
        ]
    (RESULTS / "README.md").write_text("\n".join(sections))
    chart(data)
    print("\n".join(sections))


if __name__ == "__main__":
    main()
