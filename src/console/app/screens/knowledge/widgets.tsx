// Small pieces of the knowledge screen: the status line, a labelled text area, the accuracy-guarded apply.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { errorText, fieldLabel } from "../../errors";
import { formatDateTime, formatPercent } from "../../format";
import { t } from "../../i18n";
import { ConfirmDialog, Field, Notice } from "../../ui";
import type { Accuracy, Applied, KnowledgeStatus, Problem } from "./types";

/** "Đang huấn luyện lại…" / "Đang dùng phiên bản N", kept fresh every two seconds. */
export function StatusLine(props: { refresh?: number }): JSX.Element {
  const [status, setStatus] = useState<KnowledgeStatus | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      api<KnowledgeStatus>("GET", "/api/admin/knowledge/status").then(
        (s) => live && setStatus(s),
        () => undefined,
      );
    };
    load();
    const timer = setInterval(load, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [props.refresh]);
  if (!status) return <p class="knowledge-status" role="status" />;
  const text = status.training
    ? t("knowledge:status.training")
    : status.appliedVersion === 0
      ? t("knowledge:status.files")
      : status.lastAppliedAt
        ? t("knowledge:status.usingSince", { version: status.appliedVersion, at: formatDateTime(status.lastAppliedAt) })
        : t("knowledge:status.using", { version: status.appliedVersion });
  return (
    <p class={status.training ? "knowledge-status knowledge-status-busy" : "knowledge-status"} role="status">
      {text}
    </p>
  );
}

export function TextArea(props: { label: string; value: string; onInput: (value: string) => void; hint?: string; error?: string | undefined; rows?: number; lang?: string }): JSX.Element {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <textarea
          id={id}
          rows={props.rows ?? 6}
          lang={props.lang}
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={props.error ? "true" : undefined}
          onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
        />
      )}
    </Field>
  );
}

/** A validation problem in the console's words (Vietnamese first), by its code and field. */
export function problemText(problem: Problem): string {
  const key = `knowledge:problems.${problem.code}`;
  const text = t(key, { field: fieldLabel(problem.field) });
  return text === key || text === `problems.${problem.code}` ? problem.message : text;
}

export function accuracyText(value: number | null): string {
  return value === null ? "—" : formatPercent(value);
}

/**
 * Sends a change; on `accuracy_drop` asks a second time (before/after shown) and sends it again confirmed.
 * `onApplied` gets the success sentence.
 */
export function useGuardedApply(onApplied: (message: string, result: Applied) => void): {
  send: (path: string, body: Record<string, unknown>) => Promise<void>;
  busy: boolean;
  error: unknown;
  dialog: JSX.Element;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [held, setHeld] = useState<{ path: string; body: Record<string, unknown>; accuracy: Accuracy } | undefined>(undefined);
  const post = async (path: string, body: Record<string, unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api<Applied>("POST", path, body);
      setHeld(undefined);
      const { before, after } = result.accuracy;
      onApplied(
        before === null || after === null
          ? t("knowledge:appliedNoMeasure", { version: result.version })
          : t("knowledge:applied", { version: result.version, before: accuracyText(before), after: accuracyText(after) }),
        result,
      );
    } catch (e) {
      if (e instanceof ApiError && e.code === "accuracy_drop" && body.confirm !== true) {
        setHeld({ path, body, accuracy: e.extra.accuracy as Accuracy });
      } else {
        setHeld(undefined);
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };
  const dialog = (
    <ConfirmDialog
      open={held !== undefined}
      title={t("knowledge:drop.title")}
      confirmLabel={t("knowledge:drop.confirm")}
      danger
      busy={busy}
      onCancel={() => setHeld(undefined)}
      onConfirm={() => {
        if (held) void post(held.path, { ...held.body, confirm: true });
      }}
    >
      <p>{held ? t("knowledge:drop.body", { before: accuracyText(held.accuracy.before), after: accuracyText(held.accuracy.after) }) : null}</p>
    </ConfirmDialog>
  );
  return { send: post, busy, error, dialog };
}

export function Problems(props: { problems: Problem[] }): JSX.Element | null {
  if (props.problems.length === 0) return null;
  return (
    <Notice kind="warning" title={t("knowledge:preview.problems")}>
      <ul class="knowledge-problems">
        {props.problems.map((p, i) => (
          <li key={`${p.code}-${p.field}-${i}`}>{problemText(p)}</li>
        ))}
      </ul>
    </Notice>
  );
}

export function ErrorWithProblems(props: { error: unknown }): JSX.Element | null {
  if (!props.error) return null;
  const problems = props.error instanceof ApiError && Array.isArray(props.error.extra.problems) ? (props.error.extra.problems as Problem[]) : [];
  return (
    <Notice kind="error">
      {errorText(props.error)}
      {problems.length > 1 ? (
        <ul class="knowledge-problems">
          {problems.map((p, i) => (
            <li key={i}>{problemText(p)}</li>
          ))}
        </ul>
      ) : null}
    </Notice>
  );
}
