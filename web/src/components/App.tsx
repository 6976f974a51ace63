/** The signed-in app: the route, the sidebar's list and user menu, the server's updates, and the chat, account, files, usage, admin or status page. */
import { useCallback, useRef, useState } from "react";
import { flushSync } from "react-dom";

import type { Auth } from "../hooks/useAuth";
import { useConversations } from "../hooks/useConversations";
import { useModels } from "../hooks/useModels";
import { useOrganizing } from "../hooks/useOrganizing";
import { type Route, useRoute } from "../hooks/useRoute";
import { useShortcuts } from "../hooks/useShortcuts";
import type { Theme } from "../hooks/useTheme";
import { useUpdates } from "../hooks/useUpdates";
import { OrganizerContext } from "../organizing";
import type { User } from "../types";
import { AccountPage } from "./account/AccountPage";
import { UserMenu } from "./account/UserMenu";
import { AdminPage } from "./admin/AdminPage";
import { StatusPage } from "./admin/StatusPage";
import { ChatContainer } from "./chat/ChatContainer";
import { Sidebar } from "./chat/Sidebar";
import { FilesPage } from "./files/FilesPage";
import { ShortcutsDialog } from "./shared/ShortcutsDialog";
import { UsagePage } from "./usage/UsagePage";

interface Props {
  user: User;
  account: Pick<Auth, "logout" | "setUser" | "refreshUser">;
  theme: Theme;
  onToggleTheme: () => void;
}

export function App({ user, account, theme, onToggleTheme }: Props) {
  const [route, navigate] = useRoute();
  const conversationId = route.page === "chat" ? route.conversationId : null;
  const conversations = useConversations();
  const leave = useCallback(() => navigate({ page: "chat", conversationId: null }), [navigate]);
  const organizing = useOrganizing(conversations, conversationId, leave);
  const models = useModels();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [focus, setFocus] = useState<{ messageId: string; nonce: number } | null>(null);
  const { refresh, choose } = conversations;
  const { refreshUser } = account;

  // A generated title, or a rename on another device: the list (and the header) follow at once.
  // Every (re)connection starts with `resync`: the server ends the stream when an admin changes
  // this user's role, so the user is read again then too.
  const updates = useUpdates((update) => {
    // A file's reading ended, or a preset changed: whoever shows it reads it again; no chat changed.
    if (update.change === "file" || update.change === "presets") return;
    if (update.change === "folders" || update.change === "resync") void organizing.refreshFolders();
    void refresh();
    if (update.change === "resync") refreshUser();
  });

  const go = useCallback(
    (to: Route) => {
      navigate(to);
      setDrawerOpen(false);
    },
    [navigate],
  );
  const open = useCallback((id: string | null) => go({ page: "chat", conversationId: id }), [go]);
  // A new chat is made in the app: the list shows the chats, where it will appear.
  const startNew = useCallback(() => {
    choose("app");
    open(null);
  }, [choose, open]);

  // The page's shortcuts (shortcuts.ts); the chat's own are ChatContainer's.
  const searchInput = useRef<HTMLInputElement | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  useShortcuts({
    search: () => {
      // On a narrow screen the search box is in the drawer (styles.css's breakpoint), shown
      // before it takes the focus: a closed drawer is hidden, and nothing in it can be focused.
      if (window.matchMedia("(max-width: 768px)").matches) flushSync(() => setDrawerOpen(true));
      searchInput.current?.focus();
      searchInput.current?.select();
    },
    newChat: startNew,
    help: () => setShowShortcuts(true),
  });

  const openAt = (conversationId: string, messageId: string | null) => {
    setFocus(messageId ? { messageId, nonce: Date.now() } : null);
    open(conversationId);
  };

  const imported = async (openId: string | null) => {
    // Imported copies are the app's chats: choosing them reads their list anew.
    if (conversations.source === "app") await refresh();
    else choose("app");
    if (openId) open(openId);
  };

  const remove = async (id: string) => {
    await conversations.remove(id);
    if (id === conversationId) open(null);
  };

  const pageProps = { theme, onToggleTheme, onOpenSidebar: () => setDrawerOpen(true), onBack: () => open(null) };

  return (
    <OrganizerContext value={organizing.organizer}>
      <div className="app">
        <Sidebar
          conversations={conversations.items}
          source={conversations.source}
          loaded={conversations.loaded}
          hasMore={conversations.hasMore}
          onMore={conversations.more}
          onChooseSource={choose}
          activeId={conversationId}
          open={drawerOpen}
          onSelect={open}
          onOpenAt={openAt}
          onNew={startNew}
          onRename={conversations.rename}
          onDelete={remove}
          onImported={imported}
          onClose={() => setDrawerOpen(false)}
          {...organizing.sidebar}
          searchInput={searchInput}
          footer={
            <UserMenu
              user={user}
              onAccount={() => go({ page: "account" })}
              onFiles={() => go({ page: "files" })}
              onUsage={() => go({ page: "usage" })}
              onAdmin={() => go({ page: "admin" })}
              onStatus={() => go({ page: "status" })}
              onSignOut={account.logout}
            />
          }
        />
        {route.page === "account" ? <AccountPage user={user} onUserChanged={account.setUser} updates={updates} {...pageProps} /> : null}
        {route.page === "files" ? <FilesPage updates={updates} {...pageProps} /> : null}
        {route.page === "usage" ? <UsagePage {...pageProps} /> : null}
        {route.page === "admin" ? <AdminPage user={user} {...pageProps} /> : null}
        {route.page === "status" ? <StatusPage {...pageProps} /> : null}
        {showShortcuts ? <ShortcutsDialog onClose={() => setShowShortcuts(false)} /> : null}
        {route.page === "chat" ? (
          <ChatContainer
            conversationId={conversationId}
            listed={conversations.items.find((c) => c.id === conversationId)}
            models={models}
            theme={theme}
            onToggleTheme={onToggleTheme}
            onOpenSidebar={() => setDrawerOpen(true)}
            navigate={open}
            onConversationsChanged={() => void refresh()}
            focus={focus}
            updates={updates}
          />
        ) : null}
      </div>
    </OrganizerContext>
  );
}
