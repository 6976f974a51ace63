/** The chat screen's header: title, model, the conversation's menu, settings and theme. */
import type { Theme } from "../../hooks/useTheme";
import { ConversationMenu } from "./ConversationMenu";
import { ApiBadge } from "./SourceToggle";

interface Props {
  title: string;
  /** Made through the API: marked so, as in the sidebar. */
  fromApi: boolean;
  /** A new title is being generated. */
  naming: boolean;
  conversationId: string | null;
  onRegenerateTitle: () => void;
  model: string;
  theme: Theme;
  onToggleTheme: () => void;
  onOpenSidebar: () => void;
  onToggleSettings: () => void;
}

const THEME_LABEL: Record<Theme, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };

export function Header(props: Props) {
  const { title, fromApi, naming, conversationId, onRegenerateTitle, model, theme, onToggleTheme, onOpenSidebar, onToggleSettings } = props;
  return (
    <header className="chat-header">
      <button type="button" className="icon-button menu" aria-label="Open conversations" data-testid="menu-button" onClick={onOpenSidebar}>
        ☰
      </button>
      <h1 data-testid="chat-title">{title}</h1>
      {fromApi ? <ApiBadge testId="chat-source" /> : null}
      {naming ? (
        <span className="naming" role="status" data-testid="title-pending">
          Naming…
        </span>
      ) : null}
      <span className="model-badge" data-testid="model-badge" title="Model in use">
        {model}
      </span>
      {conversationId ? <ConversationMenu conversationId={conversationId} onRegenerateTitle={onRegenerateTitle} /> : null}
      <button type="button" className="icon-button" aria-label="Conversation settings" data-testid="settings-button" onClick={onToggleSettings}>
        ⚙
      </button>
      <button type="button" className="icon-button" aria-label={THEME_LABEL[theme]} title={THEME_LABEL[theme]} data-testid="theme-toggle" onClick={onToggleTheme}>
        {theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}
      </button>
    </header>
  );
}
