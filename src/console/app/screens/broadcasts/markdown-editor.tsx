// A textarea with a small Markdown toolbar (bold, italic, link, list): the subset the server's parser reads.
import type { JSX } from "preact";
import { useId, useRef } from "preact/hooks";
import { t } from "../../i18n";

type Wrap = { before: string; after: string; placeholder: string };

export function MarkdownEditor(props: { label: string; value: string; onInput: (value: string) => void; hint?: string; error?: string | undefined; required?: boolean }): JSX.Element {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;

  /** Wraps the selection (or a placeholder) and selects what the staff member should type over. */
  const wrap = (w: Wrap): void => {
    const area = ref.current;
    if (!area) return;
    const { selectionStart: start, selectionEnd: end, value } = area;
    const chosen = value.slice(start, end) || w.placeholder;
    const next = value.slice(0, start) + w.before + chosen + w.after + value.slice(end);
    props.onInput(next);
    requestAnimationFrame(() => {
      area.focus();
      area.setSelectionRange(start + w.before.length, start + w.before.length + chosen.length);
    });
  };

  /** Starts each selected line (or the current one) with "- ". */
  const list = (): void => {
    const area = ref.current;
    if (!area) return;
    const { selectionStart: start, selectionEnd: end, value } = area;
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    const block = value.slice(lineStart, end);
    const listed = block
      .split("\n")
      .map((line) => (line.startsWith("- ") ? line : `- ${line}`))
      .join("\n");
    props.onInput(value.slice(0, lineStart) + listed + value.slice(end));
    requestAnimationFrame(() => area.focus());
  };

  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={id}>{props.label}</label>
      <div class="md-toolbar" role="group" aria-label={t("broadcasts:editor.toolbar")}>
        <button type="button" class="md-btn" onClick={() => wrap({ before: "**", after: "**", placeholder: t("broadcasts:editor.boldText") })}>
          <b aria-hidden="true">B</b>
          <span class="visually-hidden">{t("broadcasts:editor.bold")}</span>
        </button>
        <button type="button" class="md-btn" onClick={() => wrap({ before: "_", after: "_", placeholder: t("broadcasts:editor.italicText") })}>
          <i aria-hidden="true">I</i>
          <span class="visually-hidden">{t("broadcasts:editor.italic")}</span>
        </button>
        <button type="button" class="md-btn" onClick={() => wrap({ before: "[", after: "](https://)", placeholder: t("broadcasts:editor.linkText") })}>
          {t("broadcasts:editor.link")}
        </button>
        <button type="button" class="md-btn" onClick={list}>
          {t("broadcasts:editor.list")}
        </button>
      </div>
      <textarea
        id={id}
        ref={ref}
        rows={8}
        value={props.value}
        required={props.required}
        aria-describedby={[props.hint ? hintId : "", props.error ? errorId : ""].filter(Boolean).join(" ") || undefined}
        aria-invalid={props.error ? "true" : undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
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
