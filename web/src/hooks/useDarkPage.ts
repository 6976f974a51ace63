/** Whether the page is dark now, as useTheme last set it on the document. */
import { useSyncExternalStore } from "react";

function subscribe(changed: () => void): () => void {
  const observer = new MutationObserver(changed);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}

const isDark = () => document.documentElement.getAttribute("data-theme") === "dark";

/** True while `<html data-theme="dark">`: follows the toggle and the system's setting alike. */
export function useDarkPage(): boolean {
  return useSyncExternalStore(subscribe, isDark, () => false);
}
