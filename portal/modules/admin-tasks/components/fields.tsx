import type { ChangeEvent, ReactNode } from "react";
import { errorsFor, type TFieldErrors } from "../lib/form-state";
import { HINT, INPUT, LABEL } from "./ui";

/**
 * Form fields with their problems next to them: each input names its hint and its error messages in
 * aria-describedby and is aria-invalid while it has a problem, so screen readers read the reason with the
 * field. Used by client forms; no hooks here.
 */

export function FieldErrors({ id, messages }: { id: string; messages: string[] }) {
  if (!messages.length) return null;
  return (
    <div id={id} className="mt-1 text-sm font-medium text-red-800">
      {messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

export function describedBy(...ids: Array<string | false | undefined>): string | undefined {
  const list = ids.filter((x): x is string => !!x);
  return list.length ? list.join(" ") : undefined;
}

type TFieldProps = {
  id: string;
  /** The API's field path, to find its problems. */
  field: string;
  label: ReactNode;
  hint?: ReactNode;
  errors: TFieldErrors | undefined;
};

export function TextField({
  id,
  field,
  label,
  hint,
  errors,
  name,
  defaultValue,
  type = "text",
  isRequired,
  inputMode,
  placeholder,
  autoComplete = "off",
  className,
  list,
  value,
  onValueChange,
}: TFieldProps & {
  name: string;
  defaultValue?: string | number | undefined;
  /** Controlled: the value and its change handler (else uncontrolled with defaultValue). */
  value?: string;
  onValueChange?: (value: string) => void;
  type?: "text" | "number" | "email" | "time" | "search";
  isRequired?: boolean;
  inputMode?: "numeric" | "email" | "text";
  placeholder?: string;
  autoComplete?: string;
  className?: string;
  list?: string;
}) {
  const messages = errorsFor(errors, field);
  return (
    <div className={className}>
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        {...(value !== undefined
          ? { value, onChange: (e: ChangeEvent<HTMLInputElement>) => onValueChange?.(e.target.value) }
          : { defaultValue })}
        aria-required={isRequired || undefined}
        aria-invalid={messages.length > 0 || undefined}
        aria-describedby={describedBy(hint ? `${id}-hint` : undefined, messages.length > 0 && `${id}-error`)}
        inputMode={inputMode}
        placeholder={placeholder}
        autoComplete={autoComplete}
        list={list}
        className={INPUT}
      />
      {hint ? (
        <p id={`${id}-hint`} className={HINT}>
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} messages={messages} />
    </div>
  );
}

export function TextAreaField({
  id,
  field,
  label,
  hint,
  errors,
  name,
  defaultValue,
  rows = 4,
  value,
  onValueChange,
}: TFieldProps & {
  name: string;
  defaultValue?: string;
  rows?: number;
  value?: string;
  onValueChange?: (value: string) => void;
}) {
  const messages = errorsFor(errors, field);
  return (
    <div>
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        {...(value !== undefined
          ? { value, onChange: (e: ChangeEvent<HTMLTextAreaElement>) => onValueChange?.(e.target.value) }
          : { defaultValue })}
        aria-invalid={messages.length > 0 || undefined}
        aria-describedby={describedBy(hint ? `${id}-hint` : undefined, messages.length > 0 && `${id}-error`)}
        className={`${INPUT} font-mono`}
      />
      {hint ? (
        <p id={`${id}-hint`} className={HINT}>
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} messages={messages} />
    </div>
  );
}

export function SelectField({
  id,
  field,
  label,
  hint,
  errors,
  name,
  value,
  defaultValue,
  onChange,
  options,
  placeholder,
}: TFieldProps & {
  name: string;
  value?: string;
  defaultValue?: string;
  onChange?: (value: string) => void;
  options: Array<{ value: string; label: string }>;
  placeholder?: string;
}) {
  const messages = errorsFor(errors, field);
  return (
    <div>
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      <select
        id={id}
        name={name}
        {...(value !== undefined ? { value } : { defaultValue })}
        onChange={onChange ? (e) => onChange(e.target.value) : undefined}
        aria-invalid={messages.length > 0 || undefined}
        aria-describedby={describedBy(hint ? `${id}-hint` : undefined, messages.length > 0 && `${id}-error`)}
        className={INPUT}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint ? (
        <p id={`${id}-hint`} className={HINT}>
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} messages={messages} />
    </div>
  );
}

/** The sentence at the top of a refused form; announced at once (role=alert). */
export function FormMessage({ status, message }: { status: "idle" | "ok" | "error"; message?: string }) {
  if (!message || status === "idle") return null;
  return (
    <div
      role={status === "error" ? "alert" : "status"}
      className={`rounded-md border px-3 py-2 text-sm ${
        status === "error"
          ? "border-red-300 bg-red-50 text-red-900"
          : "border-green-300 bg-green-50 text-green-900"
      }`}
    >
      {message}
    </div>
  );
}
