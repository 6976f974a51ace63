/** Form parts: a labelled input with its hint, the server's refusal, and the submitted fields. */
import { type FormEvent, type InputHTMLAttributes, useId } from "react";

/** A labelled input, with an optional hint tied to it for screen readers. */
type Props = { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>;

export function Field({ label, hint, ...input }: Props) {
  const hintId = useId();
  return (
    <div className="field">
      <label>
        {label}
        <input {...input} aria-describedby={hint ? hintId : undefined} />
      </label>
      {hint ? (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** The server's sentence for a refused form, read out when it appears. */
export function FormError({ error, testId }: { error: string | null; testId: string }) {
  return error ? (
    <p className="form-error" role="alert" data-testid={testId}>
      {error}
    </p>
  ) : null;
}

export const PASSWORD_HINT = "At least 8 characters, and not a common password.";

/** Stops the page from reloading; the submitted form's text fields, by name. */
export function submitted(event: FormEvent<HTMLFormElement>): (name: string) => string {
  event.preventDefault();
  const form = new FormData(event.currentTarget);
  return (name) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
}
