// Shared building blocks of the console's screens: one look, labels on every control, errors worded by code.
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useId, useRef, useState } from "preact/hooks";
import { api } from "./api";
import { errorText } from "./errors";
import { isoDateToText, textToIsoDate } from "./format";
import { t } from "./i18n";

export function Page(props: { title: string; intro?: string; actions?: ComponentChildren; children: ComponentChildren }): JSX.Element {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </header>
      {props.intro ? <p class="intro">{props.intro}</p> : null}
      {props.children}
    </section>
  );
}

export type NoticeKind = "error" | "warning" | "success" | "info";

export function Notice(props: { kind: NoticeKind; children: ComponentChildren; title?: string }): JSX.Element {
  const role = props.kind === "error" || props.kind === "warning" ? "alert" : "status";
  return (
    <div class={`notice notice-${props.kind}`} role={role}>
      {props.title ? <strong class="notice-title">{props.title}</strong> : null}
      <div>{props.children}</div>
    </div>
  );
}

export function ErrorNotice(props: { error: unknown }): JSX.Element | null {
  return props.error ? <Notice kind="error">{errorText(props.error)}</Notice> : null;
}

export function Loading(): JSX.Element {
  return (
    <p class="loading" role="status">
      {t("common.loading")}
    </p>
  );
}

/** A labelled control: the label, the control, a hint and an error, tied together for screen readers. */
export function Field(props: {
  label: string;
  hint?: string;
  error?: string | undefined;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}): JSX.Element {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function TextField(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string | undefined;
  type?: "text" | "password" | "search" | "email" | "tel" | "number";
  autoComplete?: string;
  required?: boolean;
  placeholder?: string;
  inputMode?: "numeric" | "text";
}): JSX.Element {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <input
          id={id}
          type={props.type ?? "text"}
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={props.error ? "true" : undefined}
          autoComplete={props.autoComplete}
          required={props.required}
          placeholder={props.placeholder}
          inputMode={props.inputMode}
          onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        />
      )}
    </Field>
  );
}

/**
 * A date typed as dd/MM/yyyy (a browser's own date picker follows the browser's locale, often mm/dd/yyyy).
 * `value` and `onChange` use yyyy-MM-dd; an unreadable entry gives undefined and says so.
 */
export function DateField(props: { label: string; value: string | undefined; onChange: (iso: string | undefined) => void; hint?: string; error?: string | undefined }): JSX.Element {
  const [text, setText] = useState(props.value ? isoDateToText(props.value) : "");
  const [bad, setBad] = useState(false);
  useEffect(() => {
    if (props.value && textToIsoDate(text) !== props.value) setText(isoDateToText(props.value));
  }, [props.value]);
  return (
    <Field label={props.label} hint={props.hint ?? t("common.dateHint")} error={props.error ?? (bad ? t("common.dateInvalid") : undefined)}>
      {(id, describedBy) => (
        <input
          id={id}
          type="text"
          inputMode="numeric"
          placeholder="dd/mm/yyyy"
          value={text}
          aria-describedby={describedBy}
          onInput={(e) => {
            const next = (e.currentTarget as HTMLInputElement).value;
            setText(next);
            const iso = textToIsoDate(next);
            setBad(next.trim() !== "" && iso === undefined);
            props.onChange(iso);
          }}
        />
      )}
    </Field>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
  hint?: string;
}): JSX.Element {
  return (
    <Field label={props.label} hint={props.hint}>
      {(id, describedBy) => (
        <select id={id} value={props.value} aria-describedby={describedBy} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Check boxes for a set of values, in a fieldset with its legend. */
export function CheckGroup(props: { legend: string; options: { value: string; label: string }[]; selected: string[]; onChange: (selected: string[]) => void; hint?: string }): JSX.Element {
  return (
    <fieldset class="check-group">
      <legend>{props.legend}</legend>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
      <div class="check-options">
        {props.options.map((o) => (
          <label key={o.value} class="check">
            <input
              type="checkbox"
              checked={props.selected.includes(o.value)}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                props.onChange(on ? [...props.selected, o.value] : props.selected.filter((v) => v !== o.value));
              }}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function Button(props: {
  children: ComponentChildren;
  onClick?: () => void;
  kind?: "primary" | "secondary" | "danger" | "link";
  type?: "button" | "submit";
  disabled?: boolean;
  busy?: boolean;
  label?: string;
}): JSX.Element {
  return (
    <button
      type={props.type ?? "button"}
      class={`btn btn-${props.kind ?? "secondary"}`}
      disabled={props.disabled || props.busy}
      aria-busy={props.busy ? "true" : undefined}
      aria-label={props.label}
      onClick={props.onClick}
    >
      {props.busy ? t("common.working") : props.children}
    </button>
  );
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <h2 id={titleId}>{props.title}</h2>
      <div class="dialog-body">{props.children}</div>
      <div class="dialog-actions">
        <Button onClick={props.onCancel}>{t("common.cancel")}</Button>
        <Button kind={props.danger ? "danger" : "primary"} onClick={props.onConfirm} busy={props.busy}>
          {props.confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}

export interface Column<Row> {
  key: string;
  label: string;
  render: (row: Row) => ComponentChildren;
  /** right-aligned numbers */
  numeric?: boolean;
}

/**
 * A table that becomes a list of cards on a phone (each cell shows its column's label), so nothing needs
 * horizontal scrolling at 360 px.
 */
export function DataTable<Row>(props: { caption: string; columns: Column<Row>[]; rows: Row[]; rowKey: (row: Row) => string | number; empty?: string }): JSX.Element {
  if (props.rows.length === 0) return <p class="empty">{props.empty ?? t("common.empty")}</p>;
  return (
    <table class="data-table">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c.key} scope="col" class={c.numeric ? "num" : undefined}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)}>
            {props.columns.map((c) => (
              <td key={c.key} data-label={c.label} class={c.numeric ? "num" : undefined}>
                {c.render(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Loads a GET endpoint; `reload` fetches again. `path` undefined waits. */
export function useApi<T>(path: string | undefined): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: path !== undefined });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>("GET", path).then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** A small bar chart drawn with HTML and CSS, its numbers written out, so it reads without the bars too. */
export function BarChart(props: { title: string; bars: { label: string; value: number; display?: string }[] }): JSX.Element {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <ul class="chart-bars">
        {props.bars.map((b) => (
          <li key={b.label}>
            <span class="chart-label">{b.label}</span>
            <span class="chart-track" aria-hidden="true">
              <span class="chart-bar" style={{ width: `${(100 * b.value) / max}%` }} />
            </span>
            <strong class="chart-value">{b.display ?? String(b.value)}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}
