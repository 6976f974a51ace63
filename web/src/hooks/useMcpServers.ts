/** The admin's MCP servers: register, refresh (a worker lists the tools again), delete; read again
 * while a worker has not answered, so a new server's tools appear by themselves. */
import { useCallback, useEffect } from "react";

import { api } from "../api";
import type { McpServer, NewMcpServer } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

/** How often the list is read while a server waits for a worker's listing. */
const WAITING_POLL_MS = 1000;

export interface McpServers extends Loaded<McpServer[]> {
  register: (server: NewMcpServer) => Promise<void>;
  refresh: (id: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

export function useMcpServers(): McpServers {
  const loaded = useLoaded(api.listMcpServers);
  const { set, reload, value } = loaded;
  const waiting = value?.some((server) => server.status === "unknown") ?? false;

  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => void reload(), WAITING_POLL_MS);
    return () => window.clearInterval(timer);
  }, [waiting, reload]);

  const register = useCallback(
    async (server: NewMcpServer) => {
      const made = await api.registerMcpServer(server);
      set((current) => [...(current ?? []), made]);
    },
    [set],
  );

  const refresh = useCallback(
    async (id: string) => {
      await api.refreshMcpServer(id);
      // Shown as waiting until the worker's listing lands.
      set((current) => current?.map((server) => (server.id === id ? { ...server, status: "unknown" } : server)) ?? null);
    },
    [set],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.deleteMcpServer(id);
      set((current) => current?.filter((server) => server.id !== id) ?? null);
    },
    [set],
  );

  return { ...loaded, register, refresh, remove };
}
