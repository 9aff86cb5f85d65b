// Small pieces of the support screens (Hỗ trợ, Câu hỏi chưa trả lời).
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../../i18n";
import { Field } from "../../ui";

/** A labelled multi-line text box. */
export function TextArea(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string | undefined;
  rows?: number;
  maxLength?: number;
}): JSX.Element {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <textarea
          id={id}
          rows={props.rows ?? 4}
          maxLength={props.maxLength}
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={props.error ? "true" : undefined}
          onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
        />
      )}
    </Field>
  );
}

/** Calls `tick` every `ms` while the page is shown, and at once when it is shown again. */
export function usePoll(tick: () => void, ms: number): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    const run = (): void => {
      if (!document.hidden) latest.current();
    };
    const timer = window.setInterval(run, ms);
    document.addEventListener("visibilitychange", run);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", run);
    };
  }, [ms]);
}

/** A channel's name (console.json channels.*). */
export function channelName(channel: string): string {
  return t(`channels.${channel}`, { defaultValue: channel });
}

/** A language's name in the console's words. */
export function languageName(locale: string): string {
  return t(`support:languages.${locale}`, { defaultValue: locale });
}
