/** Picking a preset in the composer: the menu a typed `/command` opens, its keys, the clipboard
 * read for `{{clipboard}}`, and the named fields asked for before the text is inserted. */
import { type KeyboardEvent, useState } from "react";

import { fillTemplate, matchingPresets, templateFields, typedCommand, usesClipboard } from "../presets";
import type { PromptPreset } from "../types";

export const CLIPBOARD_REFUSED = "The clipboard could not be read: {{clipboard}} was left empty.";

/** A preset whose named fields are being asked for, with the clipboard's text already read. */
export interface Asking {
  preset: PromptPreset;
  fields: string[];
  clipboard: string;
}

export interface PresetPicker {
  /** The presets offered for the command typed; empty: the menu is closed. */
  options: PromptPreset[];
  active: number;
  setActive: (index: number) => void;
  /** The menu's keys (↑ ↓ move, Enter and Tab pick, Esc closes): true when the key was the menu's. */
  onKeyDown: (event: KeyboardEvent) => boolean;
  pick: (preset: PromptPreset) => Promise<void>;
  asking: Asking | null;
  /** Inserts the asked-for preset with these values for its fields. */
  fill: (values: Record<string, string>) => void;
  cancel: () => void;
  /** Said quietly when the clipboard was refused. */
  note: string | null;
}

async function readClipboard(): Promise<string | null> {
  try {
    return await navigator.clipboard.readText();
  } catch {
    return null; // refused, or no clipboard here (a page that is not a secure context)
  }
}

/** `text` is the composer's; `insert` replaces it with a preset's filled-in content. */
export function usePresetPicker(text: string, insert: (text: string) => void, presets: readonly PromptPreset[]): PresetPicker {
  const [moved, setMoved] = useState({ text, index: 0 });
  const [closedAt, setClosedAt] = useState<string | null>(null);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const typed = typedCommand(text);
  const open = typed !== null && closedAt !== text && asking === null;
  const options = open ? matchingPresets(presets, typed) : [];
  // The highlight moves with the keys until the text changes, then starts at the top again.
  const active = moved.text === text ? Math.min(moved.index, Math.max(options.length - 1, 0)) : 0;
  const setActive = (index: number) => setMoved({ text, index });

  const pick = async (preset: PromptPreset) => {
    setClosedAt(text);
    setNote(null);
    let clipboard = "";
    if (usesClipboard(preset.content)) {
      const read = await readClipboard();
      if (read === null) setNote(CLIPBOARD_REFUSED);
      clipboard = read ?? "";
    }
    const fields = templateFields(preset.content);
    if (fields.length) setAsking({ preset, fields, clipboard });
    else insert(fillTemplate(preset.content, {}, clipboard));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const chosen = options[active];
    if (!chosen || event.nativeEvent.isComposing) return false;
    switch (event.key) {
      case "ArrowDown":
        setActive((active + 1) % options.length);
        break;
      case "ArrowUp":
        setActive((active - 1 + options.length) % options.length);
        break;
      case "Enter":
      case "Tab":
        if (event.shiftKey) return false;
        void pick(chosen);
        break;
      case "Escape":
        setClosedAt(text);
        break;
      default:
        return false;
    }
    event.preventDefault();
    event.stopPropagation(); // Esc closes the menu, and does not also stop an answer
    return true;
  };

  const fill = (values: Record<string, string>) => {
    if (!asking) return;
    insert(fillTemplate(asking.preset.content, values, asking.clipboard));
    setAsking(null);
  };

  return { options, active, setActive, onKeyDown, pick, asking, fill, cancel: () => setAsking(null), note };
}
