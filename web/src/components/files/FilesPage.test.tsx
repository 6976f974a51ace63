/** Tests of the files page against a stubbed fetch and updates feed: the list and the storage, paging, deleting after a confirmation, refusals, and files followed live. */
import { act, cleanup, fireEvent, render, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { lookUpFile } from "../../files";
import { LIMITS, refused, serve, storedFile, updatesFeed, usageReport } from "../../testing";
import type { UploadedFile } from "../../types";
import { FilesPage } from "./FilesPage";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const header = { theme: "light" as const, onToggleTheme: vi.fn(), onOpenSidebar: vi.fn(), onBack: vi.fn() };
const FIRST = "GET /api/files?limit=50&offset=0";
const USAGE = "GET /api/usage?days=1";
const deleted = () => new Response(null, { status: 204 });
const usage = (used: number, storage_mb: number | null = 100) => () =>
  Response.json(usageReport([], { limits: { ...LIMITS, storage_mb }, storage_used_bytes: used }));
const page = (items: UploadedFile[], next_offset: number | null = null) => () => Response.json({ items, next_offset });

const REPORT = storedFile({ id: "f3", name: "report.pdf", content_type: "application/pdf", size: 2_345_678, pages: 12, tokens: 3_456 });
const PHOTO = storedFile({ id: "f2", name: "photo.png", content_type: "image/png", size: 48_000, tokens: null, width: 640, height: 480 });
const EMPTY = storedFile({ id: "f1", name: "empty.txt", content_type: "text/plain", size: 0, status: "failed", error: "The file is empty.", tokens: null });

function renderPage() {
  const feed = updatesFeed();
  const screen = render(<FilesPage updates={feed.subscribe} {...header} />);
  return { screen, feed };
}

const rows = (screen: ReturnType<typeof render>) => screen.queryAllByTestId("file-row");
const names = (screen: ReturnType<typeof render>) => rows(screen).map((row) => row.dataset.name);
const row = (screen: ReturnType<typeof render>, name: string) => rows(screen).find((r) => r.dataset.name === name)!;

describe("the files page", () => {
  it("lists the files newest first, each with its download, kind, size, contents and status, and the storage used of the quota", async () => {
    const { requests } = serve({ [FIRST]: page([REPORT, PHOTO, EMPTY]), [USAGE]: usage(2_393_678) });
    const { screen } = renderPage();
    await waitFor(() => expect(names(screen)).toEqual(["report.pdf", "photo.png", "empty.txt"]));
    expect(screen.getByTestId("page-title").textContent).toBe("Files");
    expect((await screen.findByTestId("storage-used")).textContent).toBe("2.4 MB of 100 MB");
    expect(screen.getByLabelText("Storage used by files")).toHaveProperty("value", 2_393_678);
    expect(requests.map((r) => r.route).sort()).toEqual([FIRST, USAGE]);

    const report = row(screen, "report.pdf");
    const link = within(report).getByTestId("file-name");
    expect([link.tagName, link.getAttribute("href"), link.getAttribute("download")]).toEqual(["A", "/api/files/f3/content", "report.pdf"]);
    expect(within(report).getByTestId("file-kind").textContent).toBe("PDF");
    expect(within(report).getByTestId("file-size").textContent).toBe("2.3 MB");
    expect(within(report).getByTestId("file-contents").textContent).toBe("12 pages · 3,456 tokens");
    expect(within(report).getByTestId("file-status").textContent).toBe("Ready");
    expect(within(report).queryByTestId("file-thumbnail")).toBeNull();
    expect(report.textContent).toContain(new Date(REPORT.created_at).getFullYear().toString());

    const photo = row(screen, "photo.png");
    expect(within(photo).getByTestId("file-thumbnail").getAttribute("src")).toBe("/api/files/f2/thumbnail");
    expect(within(photo).getByTestId("file-thumbnail").getAttribute("alt")).toBe("photo.png");
    expect(within(photo).getByTestId("file-contents").textContent).toBe("640 × 480");

    // A failed file kept no bytes: its name is no download, and its status says why.
    const empty = row(screen, "empty.txt");
    expect(within(empty).getByTestId("file-name").tagName).toBe("SPAN");
    expect(within(empty).getByTestId("file-status").textContent).toBe("FailedThe file is empty.");
    expect(within(empty).getByTestId("file-error").textContent).toBe("The file is empty.");
    expect(empty.dataset.status).toBe("failed");
    expect(screen.queryByTestId("files-more")).toBeNull();
  });

  it("says when no quota applies, and when there are no files", async () => {
    serve({ [FIRST]: page([]), [USAGE]: usage(0, null) });
    const { screen } = renderPage();
    expect((await screen.findByTestId("files-empty")).textContent).toContain("No files yet");
    expect((await screen.findByTestId("storage-used")).textContent).toBe("0 bytes (no limit)");
    expect(screen.queryByRole("meter")).toBeNull();
  });

  it("reads the next page on Load more, until none is left", async () => {
    const first = Array.from({ length: 50 }, (_, i) => storedFile({ id: `f${String(100 - i).padStart(3, "0")}`, name: `n${100 - i}.md` }));
    const second = [storedFile({ id: "f050", name: "n50.md" })];
    let answer!: () => void;
    const { requests } = serve({
      [FIRST]: page(first, 50),
      [USAGE]: usage(6_000),
      "GET /api/files?limit=50&offset=50": () => new Promise<Response>((resolve) => (answer = () => resolve(Response.json({ items: second, next_offset: null })))),
    });
    const { screen } = renderPage();
    const more = await screen.findByTestId("files-more");
    expect(rows(screen)).toHaveLength(50);
    fireEvent.click(more);
    await waitFor(() => expect(screen.getByTestId("files-more")).toHaveProperty("disabled", true));
    expect(screen.getByTestId("files-more").textContent).toBe("Loading…");
    await act(async () => {
      answer();
      await Promise.resolve();
    });
    await waitFor(() => expect(rows(screen)).toHaveLength(51));
    expect(names(screen).at(-1)).toBe("n50.md");
    expect(screen.queryByTestId("files-more")).toBeNull();
    expect(requests.filter((r) => r.route.startsWith("GET /api/files?")).map((r) => r.route)).toEqual([FIRST, "GET /api/files?limit=50&offset=50"]);
  });

  it("deletes a file after a confirmation that names the messages it leaves, then shows the storage it freed", async () => {
    let used = 2_393_678;
    const server = serve({
      [FIRST]: page([REPORT, PHOTO], 2),
      [USAGE]: () => usage(used)(),
      "DELETE /api/files/f3": () => {
        used -= REPORT.size;
        return deleted();
      },
      "GET /api/files?limit=50&offset=1": page([EMPTY]),
    });
    const { screen } = renderPage();
    await waitFor(() => expect(names(screen)).toEqual(["report.pdf", "photo.png"]));
    expect((await screen.findByTestId("storage-used")).textContent).toBe("2.4 MB of 100 MB");

    fireEvent.click(within(row(screen, "report.pdf")).getByRole("button", { name: "Delete report.pdf" }));
    const sentence = screen.getByTestId("confirm-delete-sentence").textContent;
    expect(sentence).toContain("report.pdf");
    expect(sentence).toContain("also from the messages that brought it");
    // Cancel keeps it, and the focus goes back to its Delete.
    fireEvent.click(screen.getByTestId("cancel-delete-file"));
    expect(screen.queryByTestId("confirm-delete-sentence")).toBeNull();
    expect(document.activeElement).toBe(within(row(screen, "report.pdf")).getByTestId("delete-file"));
    expect(server.count("DELETE /api/files/f3")).toBe(0);

    fireEvent.click(within(row(screen, "report.pdf")).getByTestId("delete-file"));
    expect(document.activeElement).toBe(screen.getByTestId("confirm-delete-file"));
    fireEvent.click(screen.getByTestId("confirm-delete-file"));
    await waitFor(() => expect(names(screen)).toEqual(["photo.png"]));
    expect(screen.queryByTestId("confirm-delete-row")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("storage-used").textContent).toBe("48 KB of 100 MB"));
    expect(server.count(USAGE)).toBe(2);
    // The messages that brought it say it was deleted, without asking.
    await expect(lookUpFile("f3")).resolves.toBeNull();

    // The server's list moved back by one: the next page starts one earlier, and misses nothing.
    fireEvent.click(screen.getByTestId("files-more"));
    await waitFor(() => expect(names(screen)).toEqual(["photo.png", "empty.txt"]));
  });

  it("shows the server's sentence when a deletion is refused, and keeps the file", async () => {
    const server = serve({
      [FIRST]: page([REPORT]),
      [USAGE]: usage(REPORT.size),
      "DELETE /api/files/f3": refused(503, "The database is unavailable right now; try again in a few seconds."),
    });
    const { screen } = renderPage();
    fireEvent.click(await screen.findByTestId("delete-file"));
    fireEvent.click(screen.getByTestId("confirm-delete-file"));
    expect((await screen.findByTestId("delete-file-error")).textContent).toBe("The database is unavailable right now; try again in a few seconds.");
    expect(names(screen)).toEqual(["report.pdf"]);
    expect(screen.getByTestId("confirm-delete-file")).toHaveProperty("disabled", false);
    expect(server.count(USAGE)).toBe(1);
  });

  it("takes a file already deleted elsewhere off the list when deleting it", async () => {
    serve({ [FIRST]: page([REPORT, PHOTO]), [USAGE]: usage(0), "DELETE /api/files/f3": refused(404, "File not found") });
    const { screen } = renderPage();
    fireEvent.click(await screen.findByRole("button", { name: "Delete report.pdf" }));
    fireEvent.click(screen.getByTestId("confirm-delete-file"));
    await waitFor(() => expect(names(screen)).toEqual(["photo.png"]));
    expect(screen.queryByTestId("delete-file-error")).toBeNull();
  });

  it("shows the server's sentence when the list or the storage cannot be read, and when the next page cannot", async () => {
    serve({ [FIRST]: refused(503, "The database is unavailable right now."), [USAGE]: refused(503, "Redis is away.") });
    const { screen } = renderPage();
    expect((await screen.findByTestId("files-error")).textContent).toBe("The database is unavailable right now.");
    expect((await screen.findByTestId("storage-error")).textContent).toBe("Redis is away.");
    expect(screen.queryByTestId("file-table")).toBeNull();
    cleanup();
    vi.restoreAllMocks();

    serve({ [FIRST]: page([REPORT], 1), [USAGE]: usage(0), "GET /api/files?limit=50&offset=1": refused(500, "Something broke.") });
    const again = renderPage().screen;
    fireEvent.click(await again.findByTestId("files-more"));
    expect((await again.findByTestId("files-error")).textContent).toBe("Something broke.");
    expect(names(again)).toEqual(["report.pdf"]);
    expect(again.getByTestId("files-more")).toHaveProperty("disabled", false);
  });

  it("follows the updates: a file read since, one uploaded elsewhere, one deleted elsewhere, and the storage with them", async () => {
    const reading = storedFile({ id: "f4", name: "notes.md", status: "processing", tokens: null, size: 1_000 });
    let used = 1_000;
    const server = serve({
      [FIRST]: page([reading, REPORT]),
      [USAGE]: () => usage(used)(),
      "GET /api/files/f4": () => Response.json({ ...reading, status: "failed", error: "The file could not be read." }),
      "GET /api/files/f9": () => Response.json(storedFile({ id: "f9", name: "new.md", size: 500 })),
      "GET /api/files/f3": refused(404, "File not found"),
    });
    const { screen, feed } = renderPage();
    await waitFor(() => expect(names(screen)).toEqual(["notes.md", "report.pdf"]));
    expect(within(row(screen, "notes.md")).getByTestId("file-status").textContent).toBe("Reading…");
    expect(within(row(screen, "notes.md")).getByTestId("file-name").tagName).toBe("A");
    await screen.findByTestId("storage-used");

    used = 0; // a failed file's bytes are not kept
    act(() => feed.emit({ file_id: "f4", change: "file" }));
    await waitFor(() => expect(row(screen, "notes.md").dataset.status).toBe("failed"));
    expect(within(row(screen, "notes.md")).getByTestId("file-error").textContent).toBe("The file could not be read.");
    await waitFor(() => expect(screen.getByTestId("storage-used").textContent).toBe("0 bytes of 100 MB"));

    used = 500;
    act(() => feed.emit({ file_id: "f9", change: "file" }));
    await waitFor(() => expect(names(screen)).toEqual(["new.md", "notes.md", "report.pdf"]));
    await waitFor(() => expect(screen.getByTestId("storage-used").textContent).toBe("500 bytes of 100 MB"));

    act(() => feed.emit({ file_id: "f3", change: "file" }));
    await waitFor(() => expect(names(screen)).toEqual(["new.md", "notes.md"]));

    // A conversation's change is none of this page's business.
    const asked = server.requests.length;
    act(() => feed.emit({ conversation_id: "c1", change: "title" }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.requests.length).toBe(asked);
  });
});
