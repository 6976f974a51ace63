/** A page's header (account, admin): the drawer's button on narrow screens, the title, back to the chat, and the theme. */
import type { Theme } from "../../hooks/useTheme";

export interface PageHeaderProps {
  theme: Theme;
  onToggleTheme: () => void;
  onOpenSidebar: () => void;
  onBack: () => void;
}

export function PageHeader({ title, theme, onToggleTheme, onOpenSidebar, onBack }: PageHeaderProps & { title: string }) {
  const label = `Theme: ${theme}`;
  return (
    <header className="chat-header">
      <button type="button" className="icon-button menu" aria-label="Open conversations" onClick={onOpenSidebar}>
        ☰
      </button>
      <h1 data-testid="page-title">{title}</h1>
      <button type="button" className="link-button" data-testid="back-to-chat" onClick={onBack}>
        Back to the chat
      </button>
      <button type="button" className="icon-button" aria-label={label} title={label} onClick={onToggleTheme}>
        {theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}
      </button>
    </header>
  );
}
