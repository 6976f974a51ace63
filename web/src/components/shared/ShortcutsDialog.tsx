/** The dialog `?` opens: every keyboard shortcut, from the same table the key handler reads. */
import { useEffect, useRef } from "react";

import { SHORTCUTS, isMac, keysOf } from "../../shortcuts";

/** Modal: the page behind is inert and Escape closes it; focus goes back to where it was. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement | null>(null);
  const close = useRef<HTMLButtonElement | null>(null);
  const mac = isMac();

  useEffect(() => {
    const shown = dialog.current;
    const before = document.activeElement;
    if (shown && !shown.open) shown.showModal();
    close.current?.focus();
    return () => {
      if (before instanceof HTMLElement && before.isConnected) before.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialog}
      className="shortcuts-dialog"
      aria-modal="true"
      aria-labelledby="shortcuts-heading"
      data-testid="shortcuts-dialog"
      onClose={onClose}
    >
      <h2 id="shortcuts-heading">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.id} data-testid="shortcut" data-id={shortcut.id}>
              <td>
                {keysOf(shortcut, mac).map((key, index) => (
                  <span key={key}>
                    {index ? " + " : null}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </td>
              <td>{shortcut.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" ref={close} data-testid="shortcuts-close" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
