/** Tests of the REST API's streaming submit (a response that never sends its first event fails like an unreachable server), and of a file's upload with its progress. */
import { afterEach, describe, expect, it, vi } from "vitest";

import { api, ApiError } from "./api";
import { SILENCE_MS } from "./follow";
import { onSignInEnded } from "./signIn";
import { FakeUpload, storedFile, streamResponse } from "./testing";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  FakeUpload.sent = [];
});

describe("a streaming submit", () => {
  it("fails as unreachable when its response stays silent past the limit before the submitted event", async () => {
    vi.useFakeTimers();
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(streamResponse([], "hang"));
    const submitted = api.submit("c1", "Hello", "client-1");
    const failed = expect(submitted).rejects.toThrow(new ApiError(0, "The server cannot be reached. Check your connection."));
    await vi.advanceTimersByTimeAsync(SILENCE_MS);
    await failed;
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("a file's upload", () => {
  const notes = () => new File(["# Notes\n"], "notes.md", { type: "text/markdown" });

  it("sends the file as the multipart field `file`, tells how much is sent, and resolves with the server's record", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeUpload);
    const progress = vi.fn();
    const uploading = api.uploadFile(notes(), progress);
    const [request] = FakeUpload.sent;
    expect([request!.method, request!.url]).toEqual(["POST", "/api/files"]);
    expect(((request!.body as FormData).get("file") as File).name).toBe("notes.md");

    request!.progress(50, 200);
    request!.progress(200, 200);
    expect(progress.mock.calls).toEqual([[0.25], [1]]);
    request!.respond(201, storedFile({ status: "processing" }));
    await expect(uploading).resolves.toEqual(storedFile({ status: "processing" }));
  });

  it("rejects with the server's sentence, as unreachable when the connection drops, and as aborted when stopped", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeUpload);
    const refused = api.uploadFile(notes(), vi.fn());
    FakeUpload.sent[0]!.respond(413, { detail: "The file is too large; the limit is 25 MB." });
    await expect(refused).rejects.toThrow(new ApiError(413, "The file is too large; the limit is 25 MB."));

    const dropped = api.uploadFile(notes(), vi.fn());
    FakeUpload.sent[1]!.fail();
    await expect(dropped).rejects.toThrow(new ApiError(0, "The server cannot be reached. Check your connection."));

    const stop = new AbortController();
    const stopped = api.uploadFile(notes(), vi.fn(), stop.signal);
    stop.abort();
    expect(FakeUpload.sent[2]!.aborted).toBe(true);
    await expect(stopped).rejects.toMatchObject({ name: "AbortError" });
  });

  it("tells the sign-in screen when the session has ended, as every other request does", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeUpload);
    const ended = vi.fn();
    const stop = onSignInEnded(ended);
    const upload = api.uploadFile(notes(), vi.fn());
    FakeUpload.sent[0]!.respond(401, { detail: "Your session has ended: sign in again." });
    await expect(upload).rejects.toThrow(new ApiError(401, "Your session has ended: sign in again."));
    expect(ended).toHaveBeenCalledWith("Your session has ended: sign in again.");
    stop();
  });
});
