import type { Theme } from "../hooks/useTheme";

interface Props {
  title: string;
  model: string;
  theme: Theme;
  onToggleTheme: () => void;
  onOpenSidebar: () => void;
  onToggleSettings: () => void;
}

const THEME_LABEL: Record<Theme, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };

export function Header({ title, model, theme, onToggleTheme, onOpenSidebar, onToggleSettings }: Props) {
  return (
    <header className="chat-header">
      <button type="button" className="icon-button menu" aria-label="Open conversations" data-testid="menu-button" onClick={onOpenSidebar}>
        ☰
      </button>
      <h1 data-testid="chat-title">{title}</h1>
      <span className="model-badge" data-testid="model-badge" title="Model in use">
        {model}
      </span>
      <button type="button" className="icon-button" aria-label="Conversation settings" data-testid="settings-button" onClick={onToggleSettings}>
        ⚙
      </button>
      <button type="button" className="icon-button" aria-label={THEME_LABEL[theme]} title={THEME_LABEL[theme]} data-testid="theme-toggle" onClick={onToggleTheme}>
        {theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}
      </button>
    </header>
  );
}
