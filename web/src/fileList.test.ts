/** Tests of the files page's list and wording: pages appended once each, the offset following deletions and new files, sizes, kinds and contents. */
import { describe, expect, it } from "vitest";

import { emptyFileList, fileContents, fileKind, fileListReducer, type FileListState, formatSize, storageUsed } from "./fileList";
import { storedFile } from "./testing";

const file = (id: string, fields = {}) => storedFile({ id, name: `${id}.md`, ...fields });
const page = (ids: string[], next: number | null) => ({ items: ids.map((id) => file(id)), next_offset: next });
const ids = (state: FileListState) => state.files?.map((f) => f.id);

describe("the files list", () => {
  it("appends the next page, once each file, and knows when none is left", () => {
    let state = fileListReducer(emptyFileList, { type: "loaded", page: page(["f5", "f4"], 2) });
    expect([ids(state), state.nextOffset]).toEqual([["f5", "f4"], 2]);
    state = fileListReducer(state, { type: "moreAsked" });
    expect(state.loadingMore).toBe(true);
    state = fileListReducer(state, { type: "moreLoaded", page: page(["f4", "f3"], null) });
    expect([ids(state), state.nextOffset, state.loadingMore]).toEqual([["f5", "f4", "f3"], null, false]);
  });

  it("keeps what it shows when a page fails, with the sentence", () => {
    const loaded = fileListReducer(emptyFileList, { type: "loaded", page: page(["f2"], 1) });
    const failed = fileListReducer(fileListReducer(loaded, { type: "moreAsked" }), { type: "failed", error: "Down." });
    expect([ids(failed), failed.error, failed.loadingMore, failed.nextOffset]).toEqual([["f2"], "Down.", false, 1]);
  });

  it("moves the next page's offset back by a deleted file, and forward by a new one shown", () => {
    let state = fileListReducer(emptyFileList, { type: "loaded", page: page(["f5", "f4"], 2) });
    state = fileListReducer(state, { type: "deleted", id: "f4" });
    expect([ids(state), state.nextOffset]).toEqual([["f5"], 1]);
    expect(fileListReducer(state, { type: "deleted", id: "nope" })).toBe(state);
    // Uploaded since: newest, at the top.
    state = fileListReducer(state, { type: "fileRead", file: file("f9") });
    expect([ids(state), state.nextOffset]).toEqual([["f9", "f5"], 2]);
    // Older than every file shown while more pages remain: its page brings it.
    expect(fileListReducer(state, { type: "fileRead", file: file("f1") })).toBe(state);
  });

  it("replaces a file read again, and adds an older one when every page is read", () => {
    let state = fileListReducer(emptyFileList, { type: "loaded", page: { items: [file("f3", { status: "processing", tokens: null })], next_offset: null } });
    state = fileListReducer(state, { type: "fileRead", file: file("f3", { status: "ready", tokens: 40 }) });
    expect(state.files).toEqual([file("f3", { status: "ready", tokens: 40 })]);
    state = fileListReducer(state, { type: "fileRead", file: file("f1") });
    expect([ids(state), state.nextOffset]).toEqual([["f3", "f1"], null]);
    expect(fileListReducer(emptyFileList, { type: "fileRead", file: file("f1") })).toBe(emptyFileList);
  });
});

describe("the files page's wording", () => {
  it("writes sizes in decimal units, as the quota counts them", () => {
    expect([0, 1, 999, 1_000, 5_240, 123_456, 12_345_678, 100_000_000, 2_500_000_000].map(formatSize)).toEqual([
      "0 bytes", "1 byte", "999 bytes", "1 KB", "5.2 KB", "123 KB", "12.3 MB", "100 MB", "2.5 GB",
    ]);
    expect(storageUsed(12_345_678, 100)).toBe("12.3 MB of 100 MB");
    expect(storageUsed(512, null)).toBe("512 bytes (no limit)");
  });

  it("names kinds and says what a read file holds", () => {
    expect(["application/pdf", "image/png", "text/markdown", "application/zip"].map(fileKind)).toEqual(["PDF", "PNG image", "Markdown", "application/zip"]);
    expect(fileContents(storedFile({ pages: 12, tokens: 3_456 }))).toBe("12 pages · 3,456 tokens");
    expect(fileContents(storedFile({ tokens: 1 }))).toBe("1 token");
    expect(fileContents(storedFile({ content_type: "image/png", tokens: null, width: 640, height: 480 }))).toBe("640 × 480");
    expect(fileContents(storedFile({ status: "processing", tokens: null }))).toBeNull();
    expect(fileContents(storedFile({ status: "failed", tokens: null, error: "The file is empty." }))).toBeNull();
  });
});
