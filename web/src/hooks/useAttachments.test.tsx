/** Tests of useAttachments against a stubbed upload, fetch and updates feed: uploads, reading followed live, removal, and the races. */
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, api } from "../api";
import { lookUpFile } from "../files";
import { serve, storedFile, updatesFeed } from "../testing";
import type { UploadedFile } from "../types";
import { REREAD_MS, useAttachments } from "./useAttachments";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

interface Upload {
  file: File;
  progress: (fraction: number) => void;
  signal: AbortSignal | undefined;
  resolve: (file: UploadedFile) => void;
  reject: (error: unknown) => void;
}

/** api.uploadFile stubbed: each upload waits until the test answers it. */
function stubUploads(): Upload[] {
  const uploads: Upload[] = [];
  vi.spyOn(api, "uploadFile").mockImplementation(
    (file, progress, signal) => new Promise((resolve, reject) => uploads.push({ file, progress, signal, resolve, reject })),
  );
  return uploads;
}

/** Answers an upload with the server's record, or rejects it, and lets the hook take the outcome. */
async function answer(upload: Upload, outcome: UploadedFile | Error) {
  await act(async () => {
    if (outcome instanceof Error) upload.reject(outcome);
    else upload.resolve(outcome);
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

const markdown = (name: string) => new File(["# Notes\n"], name, { type: "text/markdown" });
const deleted = () => new Response(null, { status: 204 });

function render() {
  const feed = updatesFeed();
  const hook = renderHook(() => useAttachments(feed.subscribe));
  return { ...hook, feed };
}

describe("useAttachments", () => {
  it("reads a file being read again now and then, so a missed update never leaves it stuck", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const uploads = stubUploads();
      let ready = false;
      const server = serve({
        "GET /api/files/f1": () => Response.json(storedFile({ id: "f1", name: "a.md", status: ready ? "ready" : "processing", tokens: 7 })),
      });
      const { result } = render();
      act(() => result.current.add([markdown("a.md")]));
      await answer(uploads[0]!, storedFile({ id: "f1", name: "a.md", status: "processing", tokens: null }));
      expect(result.current.items[0]!.status).toBe("processing");
      ready = true; // read on the server; its update never comes
      await act(async () => {
        await vi.advanceTimersByTimeAsync(REREAD_MS);
      });
      await waitFor(() => expect(result.current.items[0]!.status).toBe("ready"));
      expect(server.count("GET /api/files/f1")).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("uploads each file at once and follows its reading through the updates, Send waiting meanwhile", async () => {
    const uploads = stubUploads();
    const server = serve({ "GET /api/files/f1": () => Response.json(storedFile({ id: "f1", name: "a.md", tokens: 321 })) });
    const { result, feed } = render();

    act(() => result.current.add([markdown("a.md"), markdown("b.md")]));
    expect(uploads.map((u) => u.file.name)).toEqual(["a.md", "b.md"]);
    expect(result.current.items.map((a) => [a.name, a.status])).toEqual([["a.md", "uploading"], ["b.md", "uploading"]]);
    expect(result.current.blocked).toBe("Wait until the files have uploaded.");

    act(() => uploads[0]!.progress(0.5));
    expect(result.current.items[0]!.progress).toBe(0.5);

    await answer(uploads[0]!, storedFile({ id: "f1", name: "a.md", status: "processing", tokens: null }));
    await answer(uploads[1]!, storedFile({ id: "f2", name: "b.md" })); // read at once (a small file)
    expect(result.current.items.map((a) => a.status)).toEqual(["processing", "ready"]);
    expect(result.current.blocked).toBe("Wait until the files have been read.");

    // Another file's change is not this composer's.
    act(() => feed.emit({ file_id: "elsewhere", change: "file" }));
    act(() => feed.emit({ file_id: "f1", change: "file" }));
    await waitFor(() => expect(result.current.items[0]!.status).toBe("ready"));
    expect(result.current.items[0]!.file?.tokens).toBe(321);
    expect(result.current.blocked).toBeNull();
    expect(result.current.readyIds).toEqual(["f1", "f2"]);
    expect(server.requests.map((r) => r.route)).toEqual(["GET /api/files/f1"]);
  });

  it("reads a file whose end was announced before its upload's answer came back", async () => {
    const uploads = stubUploads();
    serve({ "GET /api/files/f1": () => Response.json(storedFile({ id: "f1" })) });
    const { result, feed } = render();
    act(() => result.current.add([markdown("a.md")]));

    act(() => feed.emit({ file_id: "f1", change: "file" }));
    await answer(uploads[0]!, storedFile({ id: "f1", status: "processing" }));
    await waitFor(() => expect(result.current.items[0]!.status).toBe("ready"));
  });

  it("reads again what is still being read when the feed comes back (it may have missed the end)", async () => {
    const uploads = stubUploads();
    const server = serve({
      "GET /api/files/f1": () => Response.json(storedFile({ id: "f1", status: "failed", error: "The PDF is damaged." })),
      "GET /api/files/f2": () => Response.json({ detail: "File not found" }, { status: 404 }),
    });
    const { result, feed } = render();
    act(() => result.current.add([markdown("a.pdf"), markdown("b.md"), markdown("c.md")]));
    await answer(uploads[0]!, storedFile({ id: "f1", status: "processing" }));
    await answer(uploads[1]!, storedFile({ id: "f2", status: "processing" }));
    await answer(uploads[2]!, storedFile({ id: "f3" }));

    act(() => feed.emit({ change: "resync" }));
    await waitFor(() => expect(result.current.items.map((a) => a.status)).toEqual(["failed", "failed", "ready"]));
    expect(result.current.items.map((a) => a.error)).toEqual(["The PDF is damaged.", "This file was deleted.", null]);
    expect(result.current.blocked).toBe("Remove the files that failed to send the message.");
    expect(server.count("GET /api/files/f3")).toBe(0);
  });

  it("shows the server's refusal of an upload, and refuses an eleventh file without uploading it", async () => {
    const uploads = stubUploads();
    const { result } = render();
    act(() => result.current.add(Array.from({ length: 11 }, (_, i) => markdown(`${i + 1}.md`))));
    expect(uploads).toHaveLength(10);
    expect(result.current.items[10]).toMatchObject({ name: "11.md", status: "failed", error: "At most 10 files can go with one message." });

    await answer(uploads[0]!, new ApiError(413, "The file is too large; the limit is 25 MB."));
    expect(result.current.items[0]).toMatchObject({ status: "failed", error: "The file is too large; the limit is 25 MB." });
  });

  it("deletes a removed chip's file, and stops an upload on its way (deleting the file if it arrives anyway)", async () => {
    const uploads = stubUploads();
    const server = serve({ "DELETE /api/files/f1": deleted, "DELETE /api/files/f2": deleted });
    const { result } = render();
    act(() => result.current.add([markdown("a.md"), markdown("b.md"), markdown("c.md")]));
    await answer(uploads[0]!, storedFile({ id: "f1" }));

    act(() => result.current.remove(result.current.items[0]!.key));
    act(() => result.current.remove(result.current.items[0]!.key)); // b.md, still uploading
    expect(uploads[1]!.signal?.aborted).toBe(true);
    expect(result.current.items.map((a) => a.name)).toEqual(["c.md"]);
    await answer(uploads[1]!, storedFile({ id: "f2" }));
    await waitFor(() => expect(server.requests.map((r) => r.route)).toEqual(["DELETE /api/files/f1", "DELETE /api/files/f2"]));
    expect(result.current.items.map((a) => a.name)).toEqual(["c.md"]);

    // One refused by the server has nothing to delete.
    await answer(uploads[2]!, new Error("refused"));
    act(() => result.current.remove(result.current.items[0]!.key));
    expect(server.requests).toHaveLength(2);
  });

  it("drops the sent files' chips, keeps one attached since, and knows the sent files' names", async () => {
    const uploads = stubUploads();
    const fetch = vi.spyOn(globalThis, "fetch");
    const { result } = render();
    act(() => result.current.add([markdown("sent.md")]));
    await answer(uploads[0]!, storedFile({ id: "sent-1", name: "sent.md" }));
    const ids = result.current.readyIds;
    act(() => result.current.add([markdown("later.md")]));

    act(() => result.current.sent(ids));
    expect(result.current.items.map((a) => a.name)).toEqual(["later.md"]);
    expect((await lookUpFile("sent-1"))?.name).toBe("sent.md");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("stops the uploads and deletes the uploaded files when the composer goes", async () => {
    const uploads = stubUploads();
    const server = serve({ "DELETE /api/files/f1": deleted });
    const { result, unmount } = render();
    act(() => result.current.add([markdown("a.md"), markdown("b.md")]));
    await answer(uploads[0]!, storedFile({ id: "f1" }));

    unmount();
    expect(uploads[1]!.signal?.aborted).toBe(true);
    await waitFor(() => expect(server.requests.map((r) => r.route)).toEqual(["DELETE /api/files/f1"]));
  });
});
