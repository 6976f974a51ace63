"""The baseline every tutorial builds: the web request streams from the model straight to SSE.

Run: `OPENAI_BASE_URL=… uvicorn bench.direct:app`; `GET /chat?q=…` streams `data: {"text": …}`.
"""

import json
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from openai import AsyncOpenAI

app = FastAPI()
client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key="not-needed", max_retries=0)


@app.get("/chat")
async def chat(q: str) -> StreamingResponse:
    async def events() -> AsyncIterator[str]:
        stream = await client.chat.completions.create(
            model=os.environ.get("RELAYCHAT_MODEL", "scripted"),
            messages=[{"role": "user", "content": q}],
            stream=True,
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield f"data: {json.dumps({'text': chunk.choices[0].delta.content})}\n\n"
        yield "event: done\ndata: {}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")
