"""The built web UI (web/dist) at `/`, with the single-page-app fallback for its routes."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.refusals import NotFound

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>relaychat</title>
<p>The relaychat API is running. The web UI has not been built: run <code>make up</code>
(or <code>cd web && npm ci && npm run build</code>). The API is at <a href="/docs">/docs</a>.</p>"""


SHARED_PAGE = "share/"


def mount_web(app: FastAPI, dist: Path) -> None:
    dist = dist.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def web(path: str) -> Response:
        if path in ("api", "v1") or path.startswith(("api/", "v1/")):
            raise NotFound("Not found")
        index = dist / "index.html"
        if not index.exists():
            return HTMLResponse(NOT_BUILT)
        file = (dist / path).resolve()
        if path and file.is_file() and dist in file.parents:
            return FileResponse(file)
        # Any other path is a route of the UI (`/c/{id}`): the page itself decides what to show.
        headers = {"Cache-Control": "no-cache"}
        if path.startswith(SHARED_PAGE):
            # A shared link's page is open to anyone with it, and is nobody's to index.
            headers["X-Robots-Tag"] = "noindex"
        return FileResponse(index, headers=headers)
