/** The named fields of a preset's template (`{{name}}`), asked for before its text is inserted. */
import { useId, useState } from "react";

import { Field } from "../shared/Field";

interface Props {
  title: string;
  fields: string[];
  onInsert: (values: Record<string, string>) => void;
  onCancel: () => void;
}

/** A group, not a form: it sits inside the composer's form. Enter inserts, Esc cancels. */
export function PresetFields({ title, fields, onInsert, onCancel }: Props) {
  const headingId = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  return (
    <div
      className="preset-fields"
      role="group"
      aria-labelledby={headingId}
      data-testid="preset-fields"
      onKeyDown={(event) => {
        if (event.key === "Escape") onCancel();
        else if (event.key === "Enter" && (event.target as HTMLElement).tagName === "INPUT") onInsert(values);
        else return;
        event.preventDefault();
        event.stopPropagation(); // the composer's form would send, and Esc would stop an answer
      }}
    >
      <p id={headingId} className="preset-fields-title">
        Fill in “{title}”
      </p>
      {fields.map((name, index) => (
        <Field
          key={name}
          label={name}
          name={name}
          maxLength={20_000}
          autoFocus={index === 0}
          data-testid="preset-field"
          data-name={name}
          value={values[name] ?? ""}
          onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
        />
      ))}
      <div className="settings-actions">
        <button type="button" className="link-button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="primary" data-testid="preset-insert" onClick={() => onInsert(values)}>
          Insert
        </button>
      </div>
    </div>
  );
}
