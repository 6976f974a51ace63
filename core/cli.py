"""`relaychat`: run the API, a worker, or both; manage accounts; print the status."""

import argparse
import os
import sys
from typing import Any


def _api(args: argparse.Namespace) -> int:
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from core.logs import ACCESS_FORMAT, configure_logging
    from core.settings import get_settings

    log_config: dict[str, Any] | None = None
    if get_settings().log_format == "json":
        configure_logging("api", "json")  # uvicorn's lines too, through the same JSON handler
    else:
        log_config = copy.deepcopy(LOGGING_CONFIG)
        log_config["formatters"]["access"]["fmt"] = ACCESS_FORMAT

    # The app decides which proxies to believe (RELAYCHAT_TRUSTED_PROXIES): uvicorn's own default
    # would believe any X-Forwarded-For that comes from the loopback.
    # api/server.py's protocol: uvicorn's own, with a time limit on a request's head.
    uvicorn.run(
        "api.main:app",
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
        http="api.server:HeaderTimedProtocol",
        log_config=log_config,
    )
    return 0


def _worker(_args: argparse.Namespace) -> int:
    os.execv(sys.executable, [sys.executable, "-m", "worker"])


def _migrate(_args: argparse.Namespace) -> int:
    from core.migrate import schema_state, upgrade
    from core.settings import get_settings

    url = get_settings().database_url
    before = schema_state(url)
    upgrade(url)
    print(f"relaychat: database schema {before.value} -> {schema_state(url).value}")
    return 0


def _users(args: argparse.Namespace) -> int:
    import asyncio

    from core.users_cli import run

    return asyncio.run(run(args))


def _up(args: argparse.Namespace) -> int:
    from core.embedded import MissingPart
    from core.up import run

    try:
        return run(args.host, args.port, args.workers)
    except MissingPart as missing:
        print(f"relaychat: {missing}", file=sys.stderr)
        return 1


def _model(args: argparse.Namespace) -> int:
    from core.catalog import LOCAL_CHAT_FORMAT, LOCAL_CONTEXT_WINDOW, LOCAL_MODEL_ID
    from core.embedded import local_model_path

    argv = ["--model", str(local_model_path()), "--model_alias", LOCAL_MODEL_ID]
    argv += ["--n_ctx", str(LOCAL_CONTEXT_WINDOW), "--host", args.host, "--port", str(args.port)]
    # ChatML, SmolLM2's own format, with grammar-constrained tool calls when a request has tools.
    argv += ["--chat_format", LOCAL_CHAT_FORMAT]
    os.execv(sys.executable, [sys.executable, "-m", "llama_cpp.server", *argv])


def _status(args: argparse.Namespace) -> int:
    import asyncio

    from core import status
    from core.redis import connect, target_of
    from core.settings import get_settings

    settings = get_settings()

    async def read() -> status.SystemStatus:
        redis = connect(target_of(settings), 2, "relaychat-status", retries=1)
        try:
            return await status.read(redis, settings.worker_heartbeat_seconds)
        finally:
            await redis.aclose()

    try:
        figures = asyncio.run(read())
    except Exception as error:  # Redis unreachable: say so, not a traceback
        print(f"relaychat: could not read the status from Redis: {error!r}", file=sys.stderr)
        return 1
    if args.json:
        print(status.as_json(figures))
    else:
        print("\n".join(status.render(figures, args.minutes)))
    return 0


def _secrets_key(_args: argparse.Namespace) -> int:
    from core.secrets import new_key

    print(new_key())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relaychat")
    commands = parser.add_subparsers(dest="command", required=True)
    api = commands.add_parser("api", help="run one API process")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    api.set_defaults(run=_api)
    commands.add_parser("worker", help="run one worker process").set_defaults(run=_worker)
    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(run=_migrate)
    model = commands.add_parser(
        "model", help="serve the local model (SmolLM2, llama.cpp) over the OpenAI API"
    )
    model.add_argument("--host", default="127.0.0.1")
    model.add_argument("--port", type=int, default=8080)
    model.set_defaults(run=_model)
    commands.add_parser(
        "secrets-key", help="print a new key for RELAYCHAT_SECRETS_KEY (it seals stored secrets)"
    ).set_defaults(run=_secrets_key)
    status = commands.add_parser(
        "status", help="the queue, the workers and the last hour's answers, read from Redis (any host)"
    )
    status.add_argument("--json", action="store_true", help="what GET /api/admin/status returns")
    status.add_argument("--minutes", type=int, default=10, help="how many of the last minutes to list")
    status.set_defaults(run=_status)
    users = commands.add_parser("users", help="manage accounts (for an operator who is locked out)")
    user_commands = users.add_subparsers(dest="action", required=True)
    create = user_commands.add_parser(
        "create", help="add an account; the password is read from a prompt or stdin"
    )
    create.add_argument("email")
    create.add_argument("--name", default="")
    create.add_argument("--admin", action="store_true", help="an admin rather than a user")
    reset = user_commands.add_parser(
        "reset-password", help="set a new password (prompt or stdin) and sign the account out everywhere"
    )
    reset.add_argument("email")
    user_commands.add_parser("list", help="every account, with its role and status")
    users.set_defaults(run=_users)
    up = commands.add_parser(
        "up", help="run everything on this machine: Redis, the local model, API, workers"
    )
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8000)
    up.add_argument("--workers", type=int, default=1)
    up.set_defaults(run=_up)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
