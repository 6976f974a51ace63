/** The app's root: the route, the sidebar's list, the server's updates, and the chat screen. */
import { useCallback, useEffect, useState } from "react";

import { api } from "../api";
import { useConversations } from "../hooks/useConversations";
import { useModels } from "../hooks/useModels";
import { useRoute } from "../hooks/useRoute";
import { useTheme } from "../hooks/useTheme";
import { useUpdates } from "../hooks/useUpdates";
import { ChatContainer } from "./ChatContainer";
import { Sidebar } from "./Sidebar";

export function App() {
  const [conversationId, navigate] = useRoute();
  const conversations = useConversations();
  const models = useModels();
  const [theme, toggleTheme] = useTheme();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [focus, setFocus] = useState<{ messageId: string; nonce: number } | null>(null);
  const { refresh } = conversations;

  // A generated title, or a rename on another device: the list (and the header) follow at once.
  const updates = useUpdates(() => void refresh());

  const open = useCallback(
    (id: string | null) => {
      navigate(id);
      setDrawerOpen(false);
    },
    [navigate],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === "o") {
        event.preventDefault();
        open(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  const openAt = (conversationId: string, messageId: string | null) => {
    setFocus(messageId ? { messageId, nonce: Date.now() } : null);
    open(conversationId);
  };

  const importFile = async (file: File) => {
    const created = await api.importConversation(file);
    await refresh();
    open(created.id);
  };

  const remove = async (id: string) => {
    await conversations.remove(id);
    if (id === conversationId) open(null);
  };

  return (
    <div className="app">
      <Sidebar
        conversations={conversations.items}
        activeId={conversationId}
        open={drawerOpen}
        onSelect={open}
        onOpenAt={openAt}
        onNew={() => open(null)}
        onRename={conversations.rename}
        onDelete={remove}
        onImport={importFile}
        onClose={() => setDrawerOpen(false)}
      />
      <ChatContainer
        conversationId={conversationId}
        listed={conversations.items.find((c) => c.id === conversationId)}
        models={models}
        theme={theme}
        onToggleTheme={toggleTheme}
        onOpenSidebar={() => setDrawerOpen(true)}
        navigate={open}
        onConversationsChanged={() => void refresh()}
        focus={focus}
        updates={updates}
      />
    </div>
  );
}
