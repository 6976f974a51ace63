/** The prompt presets the user may insert: their own and the shared ones, read when shown and again
 * when another tab changes them, and changed in place. */
import { useCallback, useEffect } from "react";

import { api } from "../api";
import type { NewPreset, PresetChange, PromptPreset } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";
import type { SubscribeToUpdates } from "./useUpdates";

export interface Presets extends Loaded<PromptPreset[]> {
  create: (preset: NewPreset) => Promise<PromptPreset>;
  update: (id: string, change: PresetChange) => Promise<PromptPreset>;
  remove: (id: string) => Promise<void>;
}

/** The user's own first, by command, then the shared ones: the order the server lists them in. */
function ordered(presets: PromptPreset[]): PromptPreset[] {
  const byCommand = (a: PromptPreset, b: PromptPreset) => (a.command < b.command ? -1 : a.command > b.command ? 1 : 0);
  return [...presets.filter((p) => p.mine).sort(byCommand), ...presets.filter((p) => !p.mine)];
}

export function usePresets(updates: SubscribeToUpdates): Presets {
  const loaded = useLoaded(api.listPresets);
  const { set, reload } = loaded;

  // A change in another tab (or anything missed while the updates were away) reads them again.
  useEffect(
    () =>
      updates((update) => {
        if (update.change === "presets" || update.change === "resync") void reload();
      }),
    [updates, reload],
  );

  const create = useCallback(
    async (preset: NewPreset) => {
      const made = await api.createPreset(preset);
      set((current) => ordered([...(current ?? []), made]));
      return made;
    },
    [set],
  );

  const update = useCallback(
    async (id: string, change: PresetChange) => {
      const changed = await api.updatePreset(id, change);
      set((current) => ordered((current ?? []).map((p) => (p.id === id ? changed : p))));
      return changed;
    },
    [set],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.deletePreset(id);
      set((current) => current?.filter((p) => p.id !== id) ?? null);
    },
    [set],
  );

  return { ...loaded, create, update, remove };
}
