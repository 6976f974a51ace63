/** The admin's view of the accounts: add, approve, change role, disable or enable, delete. */
import { useCallback } from "react";

import { api } from "../api";
import type { NewUser, User, UserChange } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

export interface Users extends Loaded<User[]> {
  create: (user: NewUser) => Promise<void>;
  /** Approve (`status: active`), disable, enable, or change the role. */
  update: (id: string, fields: UserChange) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

export function useUsers(): Users {
  const loaded = useLoaded(api.listUsers);
  const { set } = loaded;

  const create = useCallback(
    async (user: NewUser) => {
      const made = await api.createUser(user);
      set((current) => [...(current ?? []), made]);
    },
    [set],
  );

  const update = useCallback(
    async (id: string, fields: UserChange) => {
      const updated = await api.updateUser(id, fields);
      set((current) => current?.map((user) => (user.id === id ? updated : user)) ?? null);
    },
    [set],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.deleteUser(id);
      set((current) => current?.filter((user) => user.id !== id) ?? null);
    },
    [set],
  );

  return { ...loaded, create, update, remove };
}
