/** The chat's messages and composer as one place to drop files on, saying so while files are dragged over it. */
import type { ReactNode } from "react";

import { useFileDrop } from "../../hooks/useFileDrop";

export function DropZone({ onFiles, children }: { onFiles: (files: File[]) => void; children: ReactNode }) {
  const { dragging, handlers } = useFileDrop(onFiles);
  return (
    <div className={`drop-zone${dragging ? " dragging" : ""}`} data-testid="drop-zone" {...handlers}>
      {children}
      {dragging ? (
        // Under the pointer but not in its way: it takes no drag events of its own.
        <div className="drop-overlay" data-testid="drop-overlay">
          <p>Drop files to attach</p>
        </div>
      ) : null}
    </div>
  );
}
