/** Tests of the composer's attachments as a reducer: a file's way from uploading to ready or failed, what a chip says, and when the question may go. */
import { describe, expect, it } from "vitest";

import { type Attachment, type AttachmentAction, attachmentProgress, attachmentsReducer, readyIds, sendBlocked } from "./attachments";
import { storedFile } from "./testing";

const run = (actions: AttachmentAction[], from: Attachment[] = []) => actions.reduce(attachmentsReducer, from);
const added = (key: string, name = `${key}.md`): AttachmentAction => ({ type: "added", key, name });

describe("the attachments reducer", () => {
  it("follows a file from its upload to its reading's end", () => {
    let state = run([added("k1")]);
    expect(state).toEqual([{ key: "k1", name: "k1.md", status: "uploading", progress: null, file: null, error: null }]);
    expect(attachmentProgress(state[0]!)).toBe("Uploading…");

    state = run([{ type: "progressed", key: "k1", fraction: 0.426 }], state);
    expect(attachmentProgress(state[0]!)).toBe("Uploading… 42%");

    const processing = storedFile({ id: "f1", status: "processing", tokens: null });
    state = run([{ type: "uploaded", key: "k1", file: processing }], state);
    expect(state[0]).toMatchObject({ status: "processing", progress: null, file: processing });
    expect(attachmentProgress(state[0]!)).toBe("Reading…");

    state = run([{ type: "fileRead", file: storedFile({ id: "f1", tokens: 1234 }) }], state);
    expect(state[0]!.status).toBe("ready");
    expect(attachmentProgress(state[0]!)).toBe("1,234 tokens");
  });

  it("keeps a file's end when a late read of it says it is still being read", () => {
    let state = run([added("k1"), { type: "uploaded", key: "k1", file: storedFile({ id: "f1", status: "processing" }) }]);
    state = run([{ type: "fileRead", file: storedFile({ id: "f1" }) }], state);
    state = run([{ type: "fileRead", file: storedFile({ id: "f1", status: "processing" }) }], state);
    expect(state[0]!.status).toBe("ready");
    // A progress report that comes after the upload's answer changes nothing either.
    state = run([{ type: "progressed", key: "k1", fraction: 1 }], state);
    expect(state[0]!.progress).toBeNull();
  });

  it("fails with the server's sentence: refused, unreadable, deleted elsewhere, or one too many", () => {
    const state = run([
      added("k1"),
      added("k2"),
      added("k3"),
      { type: "uploadFailed", key: "k1", error: "The file is too large; the limit is 25 MB." },
      { type: "uploaded", key: "k2", file: storedFile({ id: "f2", status: "failed", error: "The file is empty." }) },
      { type: "uploaded", key: "k3", file: storedFile({ id: "f3", status: "processing" }) },
      { type: "fileMissing", id: "f3", error: "This file was deleted." },
      { type: "refused", key: "k4", name: "eleventh.md", error: "At most 10 files can go with one message." },
    ]);
    expect(state.map((a) => [a.status, attachmentProgress(a)])).toEqual([
      ["failed", "The file is too large; the limit is 25 MB."],
      ["failed", "The file is empty."],
      ["failed", "This file was deleted."],
      ["failed", "At most 10 files can go with one message."],
    ]);
  });

  it("says what a ready file holds: its tokens, a PDF's pages, an image's size", () => {
    const ready = (fields: Parameters<typeof storedFile>[0]) =>
      attachmentProgress({ key: "k", name: "x", status: "ready", progress: null, file: storedFile(fields), error: null });
    expect(ready({ tokens: 1 })).toBe("1 token");
    expect(ready({ tokens: 56_789, pages: 12 })).toBe("12 pages · 56,789 tokens");
    expect(ready({ tokens: 300, pages: 1 })).toBe("1 page · 300 tokens");
    expect(ready({ tokens: null, width: 1280, height: 720 })).toBe("1280 × 720");
  });

  it("removes a chip, and those sent with the question (not one attached since)", () => {
    const state = run([
      added("k1"),
      added("k2"),
      added("k3"),
      { type: "uploaded", key: "k1", file: storedFile({ id: "f1" }) },
      { type: "uploaded", key: "k2", file: storedFile({ id: "f2" }) },
      { type: "removed", key: "k1" },
    ]);
    expect(state.map((a) => a.key)).toEqual(["k2", "k3"]);
    expect(run([{ type: "sent", ids: ["f2"] }], state).map((a) => a.key)).toEqual(["k3"]);
  });
});

describe("whether the question can go", () => {
  const chip = (key: string, status: Attachment["status"], id: string | null = null): Attachment => ({
    key, name: key, status, progress: null, file: id ? storedFile({ id, status: status === "uploading" ? "processing" : status }) : null, error: null,
  });

  it("waits for every upload and reading, and for failed files to be removed; only ready files go", () => {
    expect(sendBlocked([])).toBeNull();
    expect(sendBlocked([chip("a", "ready", "f1"), chip("b", "uploading")])).toBe("Wait until the files have uploaded.");
    expect(sendBlocked([chip("a", "ready", "f1"), chip("b", "processing", "f2")])).toBe("Wait until the files have been read.");
    expect(sendBlocked([chip("a", "failed"), chip("b", "ready", "f2")])).toBe("Remove the files that failed to send the message.");
    expect(sendBlocked([chip("a", "ready", "f1"), chip("b", "ready", "f2")])).toBeNull();
    expect(readyIds([chip("a", "ready", "f1"), chip("b", "processing", "f2"), chip("c", "ready", "f3")])).toEqual(["f1", "f3"]);
  });
});
