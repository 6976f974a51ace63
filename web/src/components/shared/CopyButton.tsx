/** A button that copies a text to the clipboard, and says so. */
import { useState } from "react";

export function CopyButton({ text, label, testId }: { text: string; label: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // clipboard refused (e.g. an insecure origin): nothing sensible to do
    }
  };
  return (
    <button type="button" className="icon-button copy" aria-label={label} data-testid={testId} onClick={() => void copy()}>
      {copied ? "Copied" : "Copy"}
    </button>
  );
}
