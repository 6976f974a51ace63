/** Tests of the composer's attachments: the chips, Send waiting on them, the paperclip and a pasted image. */
import { cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Attachment } from "../../attachments";
import { storedFile } from "../../testing";
import { Composer } from "./Composer";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const chip = (fields: Partial<Attachment> & Pick<Attachment, "key" | "name" | "status">): Attachment => ({
  progress: null, file: null, error: null, ...fields,
});

function renderComposer(attachments: Attachment[] = [], attachmentsBlock: string | null = null) {
  const props = { onSend: vi.fn().mockResolvedValue(true), onStop: vi.fn(), onAttach: vi.fn(), onRemoveAttachment: vi.fn() };
  const screen = render(<Composer busy={false} attachments={attachments} attachmentsBlock={attachmentsBlock} {...props} />);
  return { screen, ...props };
}

describe("the composer's attachments", () => {
  it("shows each file as a chip: its name, its progress or what it holds or why it failed, and its remove button", () => {
    const { screen, onRemoveAttachment } = renderComposer([
      chip({ key: "k1", name: "big.pdf", status: "uploading", progress: 0.37 }),
      chip({ key: "k2", name: "notes.md", status: "processing" }),
      chip({ key: "k3", name: "report.pdf", status: "ready", file: storedFile({ pages: 3, tokens: 1234 }) }),
      chip({ key: "k4", name: "empty.txt", status: "failed", error: "The file is empty." }),
    ]);
    const chips = screen.getAllByTestId("file-chip");
    expect(chips.map((c) => c.dataset.status)).toEqual(["uploading", "processing", "ready", "failed"]);
    expect(screen.getAllByTestId("file-name").map((n) => n.textContent)).toEqual(["big.pdf", "notes.md", "report.pdf", "empty.txt"]);
    expect(screen.getAllByTestId("file-progress").map((p) => p.textContent)).toEqual(["Uploading… 37%", "Reading…", "3 pages · 1,234 tokens"]);
    expect((screen.getByLabelText("Uploading big.pdf") as HTMLProgressElement).value).toBe(0.37);
    const error = screen.getByTestId("file-error");
    expect(error.textContent).toBe("The file is empty.");
    expect(error.getAttribute("role")).toBe("alert");

    fireEvent.click(screen.getByRole("button", { name: "Remove empty.txt" }));
    expect(onRemoveAttachment).toHaveBeenCalledWith("k4");
  });

  it("shows a read image's thumbnail, named by the file, on its chip, and nothing once the thumbnail fails", () => {
    const photo = storedFile({ id: "p1", name: "photo.png", content_type: "image/png", tokens: null, width: 640, height: 480 });
    const { screen } = renderComposer([
      chip({ key: "k1", name: "photo.png", status: "ready", file: photo }),
      chip({ key: "k2", name: "wait.png", status: "processing", file: storedFile({ id: "p2", content_type: "image/png", status: "processing" }) }),
      chip({ key: "k3", name: "notes.md", status: "ready", file: storedFile({ id: "n1", name: "notes.md" }) }),
    ]);
    const [thumbnail, ...others] = screen.getAllByTestId("file-thumbnail") as HTMLImageElement[];
    expect(others).toHaveLength(0); // one being read has none yet, and a document none at all
    expect(thumbnail!.getAttribute("src")).toBe("/api/files/p1/thumbnail");
    expect(thumbnail!.alt).toBe("photo.png");
    expect(screen.getAllByTestId("file-chip")[0]!.contains(thumbnail!)).toBe(true);

    fireEvent.error(thumbnail!); // an image read before thumbnails were made
    expect(screen.queryByTestId("file-thumbnail")).toBeNull();
    expect(screen.getAllByTestId("file-progress")[0]!.textContent).toBe("640 × 480");
  });

  it("keeps Send disabled, saying why, until the files allow it; then sends", () => {
    const waiting = [chip({ key: "k1", name: "notes.md", status: "processing" })];
    const { screen, onSend } = renderComposer(waiting, "Wait until the files have been read.");
    const input = screen.getByTestId("composer-input");
    fireEvent.change(input, { target: { value: "summarize my notes" } });
    const send = screen.getByTestId("send-button") as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    expect(send.title).toBe("Wait until the files have been read.");
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();

    screen.rerender(
      <Composer busy={false} attachments={[]} attachmentsBlock={null} onSend={onSend} onStop={vi.fn()} onAttach={vi.fn()} onRemoveAttachment={vi.fn()} />,
    );
    expect(send.disabled).toBe(false);
    expect(send.hasAttribute("title")).toBe(false);
    fireEvent.click(send);
    expect(onSend).toHaveBeenCalledWith("summarize my notes");
  });

  it("sends files alone, with no text, but nothing without either", () => {
    const ready = [chip({ key: "k1", name: "photo.png", status: "ready", file: storedFile({ width: 2, height: 1 }) })];
    const { screen, onSend } = renderComposer(ready);
    const send = screen.getByTestId("send-button") as HTMLButtonElement;
    expect(send.disabled).toBe(false);
    fireEvent.click(send);
    expect(onSend).toHaveBeenCalledWith("");

    screen.rerender(
      <Composer busy={false} attachments={[]} attachmentsBlock={null} onSend={onSend} onStop={vi.fn()} onAttach={vi.fn()} onRemoveAttachment={vi.fn()} />,
    );
    expect(send.disabled).toBe(true);
  });

  it("opens the file picker from the paperclip, and attaches every file picked", () => {
    const { screen, onAttach } = renderComposer();
    const picker = screen.getByTestId("file-input") as HTMLInputElement;
    expect(picker.type).toBe("file");
    expect(picker.multiple).toBe(true);
    const opened = vi.spyOn(picker, "click").mockImplementation(() => undefined);
    fireEvent.click(screen.getByRole("button", { name: "Attach files" }));
    expect(opened).toHaveBeenCalledOnce();

    const files = [new File(["a"], "a.md"), new File(["b"], "b.csv")];
    fireEvent.change(picker, { target: { files } });
    expect(onAttach).toHaveBeenCalledWith(files);
  });

  it("attaches a pasted image under a name of its own, and leaves a paste with text to the box", () => {
    const { screen, onAttach } = renderComposer();
    const input = screen.getByTestId("composer-input");
    const image = new File(["png"], "image.png", { type: "image/png" });
    const pasted = fireEvent.paste(input, { clipboardData: { getData: () => "", files: [image] } });
    expect(pasted).toBe(false); // taken: the box gets nothing
    const [[attached]] = onAttach.mock.calls as [[File[]]];
    expect(attached).toHaveLength(1);
    expect(attached[0]!.name).toMatch(/^Pasted image \d{4}-\d\d-\d\d \d\d\.\d\d\.\d\d\.png$/);
    expect(attached[0]!.type).toBe("image/png");

    // A word processor's paste brings a picture of its text as well: the text is what was meant.
    const text = fireEvent.paste(input, { clipboardData: { getData: () => "Some words", files: [image] } });
    expect(text).toBe(true);
    expect(onAttach).toHaveBeenCalledOnce();
  });
});
