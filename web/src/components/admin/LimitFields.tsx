/** The limit fields (answers at once, waiting, tokens a day, cost a month, files kept) in a fieldset: an empty field is null. */
import { fieldValue, LIMIT_FIELDS, type LimitName } from "../../limits";
import type { Limits } from "../../types";
import { Field } from "../shared/Field";

interface Props {
  legend: string;
  /** Names the inputs `${prefix}${limit}`, for `readLimits`. */
  prefix: string;
  /** Each input's test id is this followed by the limit's name. */
  testPrefix: string;
  values: Limits;
  /** What an empty field means, for each limit: "unlimited", or the role's default for a user's own. */
  placeholder: (name: LimitName) => string;
  /** Read out before each field's label: "Users' answers at once". */
  whose: string;
}

export function LimitFields({ legend, prefix, testPrefix, values, placeholder, whose }: Props) {
  return (
    <fieldset className="limit-fields">
      <legend>{legend}</legend>
      <div className="form-row">
        {LIMIT_FIELDS.map(({ name, label, step }) => (
          <Field
            key={name}
            label={label}
            aria-label={`${whose} ${label.toLowerCase()}`}
            name={`${prefix}${name}`}
            type="number"
            inputMode={step === "1" ? "numeric" : "decimal"}
            min={0}
            step={step}
            defaultValue={fieldValue(values[name])}
            placeholder={placeholder(name)}
            data-testid={`${testPrefix}${name}`}
          />
        ))}
      </div>
    </fieldset>
  );
}
