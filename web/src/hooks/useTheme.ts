/** The colour theme: the system's, or the toggle's choice. */
import { useCallback, useEffect, useState } from "react";

export type Theme = "system" | "light" | "dark";
const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };

/** Follows the system's light or dark setting, unless the toggle overrides it (remembered). */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem("theme") as Theme | null) ?? "system");

  useEffect(() => {
    localStorage.setItem("theme", theme);
    const system = window.matchMedia("(prefers-color-scheme: dark)");
    const apply = () => {
      const dark = theme === "dark" || (theme === "system" && system.matches);
      document.documentElement.setAttribute("data-theme", dark ? "dark" : "light");
    };
    apply();
    system.addEventListener("change", apply);
    return () => system.removeEventListener("change", apply);
  }, [theme]);

  const toggle = useCallback(() => setTheme((current) => NEXT[current]), []);
  return [theme, toggle];
}
