import { useCallback, useEffect, useState } from "react";

import { useConversations } from "../hooks/useConversations";
import { useModels } from "../hooks/useModels";
import { useRoute } from "../hooks/useRoute";
import { useTheme } from "../hooks/useTheme";
import { ChatContainer } from "./ChatContainer";
import { Sidebar } from "./Sidebar";

export function App() {
  const [conversationId, navigate] = useRoute();
  const conversations = useConversations();
  const models = useModels();
  const [theme, toggleTheme] = useTheme();
  const [drawerOpen, setDrawerOpen] = useState(false);

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
        onNew={() => open(null)}
        onRename={conversations.rename}
        onDelete={remove}
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
        onConversationsChanged={() => void conversations.refresh()}
      />
    </div>
  );
}
