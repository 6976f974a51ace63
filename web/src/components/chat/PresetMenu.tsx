/** The presets a typed `/command` matches, as a listbox the composer drives from the keyboard. */
import type { PromptPreset } from "../../types";

interface Props {
  id: string;
  options: PromptPreset[];
  active: number;
  onHover: (index: number) => void;
  onPick: (preset: PromptPreset) => void;
}

/** The id of an option, for the composer's `aria-activedescendant`. */
export const optionId = (menuId: string, index: number) => `${menuId}-option-${index}`;

export function PresetMenu({ id, options, active, onHover, onPick }: Props) {
  return (
    <ul className="preset-menu" id={id} role="listbox" aria-label="Saved prompts" data-testid="preset-menu">
      {options.map((preset, index) => (
        <li
          key={preset.id}
          id={optionId(id, index)}
          role="option"
          aria-selected={index === active}
          className={index === active ? "preset-option active" : "preset-option"}
          data-testid="preset-option"
          data-command={preset.command}
          // Picked without taking the focus from the composer, which keeps the keys.
          onMouseDown={(event) => event.preventDefault()}
          onMouseEnter={() => onHover(index)}
          onClick={() => onPick(preset)}
        >
          <span className="preset-command">/{preset.command}</span> <span className="preset-title">{preset.title}</span>
          {preset.mine ? null : <span className="hint"> · shared</span>}
        </li>
      ))}
    </ul>
  );
}
