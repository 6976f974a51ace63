/** Files dragged over an area: whether some are over it now, and the handlers that take them when dropped. */
import { type DragEvent, useEffect, useRef, useState } from "react";

/** Only a drag that carries files: text or a link dragged within the page is left alone. */
const carriesFiles = (event: DragEvent | globalThis.DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes("Files");

/** Files dropped just beside the area (the sidebar, the header) would make the browser leave the
 * app to open them, and the question being written would be lost: such a drop does nothing. */
function keepFilesOffThePage(event: globalThis.DragEvent) {
  if (carriesFiles(event)) event.preventDefault();
}

/** `onFiles` gets what is dropped on the element the handlers go on. */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  // The drag enters and leaves each child on its way across: it has left the area only when
  // every enter has had its leave.
  const depth = useRef(0);

  useEffect(() => {
    window.addEventListener("dragover", keepFilesOffThePage);
    window.addEventListener("drop", keepFilesOffThePage);
    return () => {
      window.removeEventListener("dragover", keepFilesOffThePage);
      window.removeEventListener("drop", keepFilesOffThePage);
    };
  }, []);

  const handlers = {
    onDragEnter: (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current++;
      setDragging(true);
    },
    onDragOver: (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      // Without this, the browser does not let the files be dropped here (it opens them).
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      const files = Array.from(event.dataTransfer.files);
      if (files.length) onFiles(files);
    },
  };
  return { dragging, handlers };
}
