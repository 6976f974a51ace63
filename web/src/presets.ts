/** Prompt presets in the composer: the `/command` being typed, the presets it matches, and a preset's
 * template filled in (`{{clipboard}}` with the clipboard's text, any other `{{name}}` with what was asked). */
import type { PromptPreset } from "./types";

/** Its content's fields: `{{name}}`, letters, digits, `_`, `-` and inner spaces, with spaces around allowed. */
const FIELD = /\{\{\s*([A-Za-z0-9_-]+(?: [A-Za-z0-9_-]+)*)\s*\}\}/g;
export const CLIPBOARD = "clipboard";
/** What the composer holds while a preset is being picked: `/` and the start of a command. */
const COMMAND_TYPED = /^\/([a-z0-9_-]{0,32})$/;
/** As many as the menu shows at once: a long list is narrowed by typing. */
export const MENU_SIZE = 8;

/** The command typed so far when the composer holds only `/` and the start of one; null otherwise. */
export function typedCommand(text: string): string | null {
  return COMMAND_TYPED.exec(text)?.[1] ?? null;
}

/** The presets for `typed`: those whose command starts with it, then those whose command or title
 * holds it elsewhere; each group in the given order (the user's own before the shared ones). */
export function matchingPresets(presets: readonly PromptPreset[], typed: string, limit = MENU_SIZE): PromptPreset[] {
  const starts = presets.filter((preset) => preset.command.startsWith(typed));
  const within = presets.filter(
    (preset) =>
      !preset.command.startsWith(typed) &&
      (preset.command.includes(typed) || preset.title.toLowerCase().includes(typed)),
  );
  return [...starts, ...within].slice(0, limit);
}

/** The distinct named fields a template asks for, in their first order; `{{clipboard}}` is not asked for. */
export function templateFields(content: string): string[] {
  const names = Array.from(content.matchAll(FIELD), (match) => match[1] ?? "");
  return [...new Set(names)].filter((name) => name !== CLIPBOARD);
}

export function usesClipboard(content: string): boolean {
  return Array.from(content.matchAll(FIELD)).some((match) => match[1] === CLIPBOARD);
}

/** The template with every field replaced: `{{clipboard}}` by `clipboard`, the others by `values`
 * (a field with no value becomes empty). Replaced once, left to right: a value holding `{{x}}` stays as it is. */
export function fillTemplate(content: string, values: Readonly<Record<string, string>>, clipboard = ""): string {
  return content.replace(FIELD, (_, name: string) => (name === CLIPBOARD ? clipboard : (values[name] ?? "")));
}
