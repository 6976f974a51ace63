/** Tests of the chat's drop zone: it says "Drop files to attach" while files are dragged over it, and takes what is dropped. */
import { cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { DropZone } from "./DropZone";

afterEach(cleanup);

/** What a drag carries, as the browser's DataTransfer shows it to the page. */
const carrying = (types: string[], files: File[] = []) => ({ dataTransfer: { types, files, dropEffect: "none" } });

function renderZone() {
  const onFiles = vi.fn();
  const screen = render(
    <DropZone onFiles={onFiles}>
      <p data-testid="inside">The messages</p>
    </DropZone>,
  );
  return { screen, onFiles, zone: screen.getByTestId("drop-zone"), inside: screen.getByTestId("inside") };
}

describe("the drop zone", () => {
  it("shows its overlay while files are over it, across its children, and takes the files dropped", () => {
    const { screen, onFiles, zone, inside } = renderZone();
    const files = [new File(["# A"], "a.md"), new File(["b"], "b.txt")];
    expect(screen.queryByTestId("drop-overlay")).toBeNull();

    fireEvent.dragEnter(zone, carrying(["Files"]));
    expect(screen.getByTestId("drop-overlay").textContent).toBe("Drop files to attach");
    // Onto a child: the zone is left, the child entered; the drag is still over the zone.
    fireEvent.dragEnter(inside, carrying(["Files"]));
    fireEvent.dragLeave(zone, carrying(["Files"]));
    expect(screen.queryByTestId("drop-overlay")).not.toBeNull();
    expect(fireEvent.dragOver(inside, carrying(["Files"]))).toBe(false); // allowed to drop here

    expect(fireEvent.drop(inside, carrying(["Files"], files))).toBe(false); // not opened by the browser
    expect(onFiles).toHaveBeenCalledWith(files);
    expect(screen.queryByTestId("drop-overlay")).toBeNull();
  });

  it("goes once the files are dragged away again", () => {
    const { screen, onFiles, zone } = renderZone();
    fireEvent.dragEnter(zone, carrying(["Files"]));
    fireEvent.dragLeave(zone, carrying(["Files"]));
    expect(screen.queryByTestId("drop-overlay")).toBeNull();
    expect(onFiles).not.toHaveBeenCalled();
  });

  it("keeps files dropped beside it from taking the browser away from the app", () => {
    const { onFiles } = renderZone();
    expect(fireEvent.dragOver(document.body, carrying(["Files"]))).toBe(false);
    expect(fireEvent.drop(document.body, carrying(["Files"], [new File(["a"], "a.md")]))).toBe(false);
    expect(onFiles).not.toHaveBeenCalled();
    expect(fireEvent.drop(document.body, carrying(["text/plain"]))).toBe(true);
  });

  it("leaves a drag of text alone", () => {
    const { screen, onFiles, zone } = renderZone();
    fireEvent.dragEnter(zone, carrying(["text/plain"]));
    expect(screen.queryByTestId("drop-overlay")).toBeNull();
    expect(fireEvent.drop(zone, carrying(["text/plain"]))).toBe(true);
    expect(onFiles).not.toHaveBeenCalled();
  });
});
