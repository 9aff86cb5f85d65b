// Small pieces the tasks screens share: status words, the filters, a pager and the status change dialog.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { errorText } from "../../errors";
import { i18n, t } from "../../i18n";
import { Button, ConfirmDialog, Notice, SelectField, TextField } from "../../ui";
import { LEVELS, officesOf, STATUS_FILTERS, type CellState, type Filters, type TaskMatrix, type TaskStatus } from "./matrix";

const BADGE: Record<CellState, string> = { none: "badge", late: "badge badge-bad", todo: "badge badge-warn", done: "badge badge-ok", not_applicable: "badge" };

export function StateBadge(props: { state: CellState }): JSX.Element {
  return <span class={BADGE[props.state]}>{t(`tasks:state.${props.state}`)}</span>;
}

/** "12/18 đã nộp" */
export function doneOf(done: number, applicable: number): string {
  return t("tasks:doneOf", { done, applicable });
}

/** The title in the console's language. */
export function titleOf(title: { vi: string; en: string }): string {
  return i18n.language === "en" ? title.en : title.vi;
}

/** Office (Department staff only: an office admin's matrix holds its own office alone), level and status. */
export function FilterBar(props: { matrix: TaskMatrix; filters: Filters; onChange: (f: Filters) => void; showOffice: boolean }): JSX.Element {
  const offices = officesOf(props.matrix);
  const hasUnattached = props.matrix.units.some((u) => u.office === null);
  return (
    <div class="tasks-filters" role="group" aria-label={t("tasks:filters.title")}>
      {props.showOffice ? (
        <SelectField
          label={t("tasks:filters.office")}
          value={props.filters.office}
          onChange={(office) => props.onChange({ ...props.filters, office })}
          options={[
            { value: "", label: t("tasks:filters.allOffices") },
            ...offices.map((o) => ({ value: o.code, label: o.name })),
            ...(hasUnattached ? [{ value: "none", label: t("tasks:filters.underDepartment") }] : []),
          ]}
        />
      ) : null}
      <SelectField
        label={t("tasks:filters.level")}
        value={props.filters.level}
        onChange={(level) => props.onChange({ ...props.filters, level })}
        options={[{ value: "", label: t("tasks:filters.allLevels") }, ...LEVELS.map((l) => ({ value: l, label: t(`tasks:levels.${l}`) }))]}
      />
      <SelectField
        label={t("tasks:filters.status")}
        value={props.filters.status}
        onChange={(status) => props.onChange({ ...props.filters, status })}
        options={[{ value: "", label: t("tasks:filters.allStatuses") }, ...STATUS_FILTERS.map((s) => ({ value: s, label: t(`tasks:filters.statuses.${s}`) }))]}
      />
    </div>
  );
}

export const PAGE_SIZE = 100;

/** Previous / next over pages of rows, with where we are in words. */
export function Pager(props: { page: number; total: number; onPage: (page: number) => void }): JSX.Element | null {
  const pages = Math.max(1, Math.ceil(props.total / PAGE_SIZE));
  if (pages <= 1) return null;
  const from = props.page * PAGE_SIZE + 1;
  const to = Math.min(props.total, (props.page + 1) * PAGE_SIZE);
  return (
    <nav class="tasks-pager" aria-label={t("tasks:pager.label")}>
      <Button disabled={props.page === 0} onClick={() => props.onPage(props.page - 1)}>
        {t("tasks:pager.previous")}
      </Button>
      <span>{t("tasks:pager.showing", { from, to, total: props.total })}</span>
      <Button disabled={props.page >= pages - 1} onClick={() => props.onPage(props.page + 1)}>
        {t("tasks:pager.next")}
      </Button>
    </nav>
  );
}

export interface StatusChange {
  taskId: number;
  taskTitle: string;
  unitCode: string;
  unitName: string;
  status: TaskStatus;
}

/**
 * Asks to confirm a status change, with an optional note, then sends it. `onDone` gets the sentence saying
 * what was recorded.
 */
export function StatusDialog(props: { change: StatusChange | undefined; onClose: () => void; onDone: (message: string) => void }): JSX.Element {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const change = props.change;
  useEffect(() => {
    setNote("");
    setError(undefined);
  }, [change?.taskId, change?.unitCode, change?.status]);
  const confirm = async (): Promise<void> => {
    if (!change) return;
    setBusy(true);
    setError(undefined);
    try {
      const trimmed = note.trim();
      await api("PUT", `/api/admin/tasks/${change.taskId}/units/${encodeURIComponent(change.unitCode)}/status`, { status: change.status, ...(trimmed ? { note: trimmed } : {}) });
      props.onDone(t(`tasks:mark.done.${change.status}`, { unit: change.unitName, task: change.taskTitle }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      open={change !== undefined}
      title={change ? t(`tasks:mark.title.${change.status}`) : ""}
      confirmLabel={change ? t(`tasks:mark.confirm.${change.status}`) : ""}
      busy={busy}
      onConfirm={() => void confirm()}
      onCancel={props.onClose}
    >
      {change ? <p>{t(`tasks:mark.question.${change.status}`, { unit: change.unitName, task: change.taskTitle })}</p> : null}
      {error ? <Notice kind="error">{errorText(error)}</Notice> : null}
      <TextField label={t("tasks:mark.note")} hint={t("tasks:mark.noteHint")} value={note} onInput={setNote} />
    </ConfirmDialog>
  );
}

/** The buttons that change a unit's status for a task (never shown to a viewer). */
export function MarkButtons(props: { state: CellState; unitName: string; onMark: (status: TaskStatus) => void }): JSX.Element | null {
  if (props.state === "none") return null;
  const finished = props.state === "done" || props.state === "not_applicable";
  return (
    <div class="tasks-mark">
      {finished ? (
        <Button label={t("tasks:mark.undoFor", { unit: props.unitName })} onClick={() => props.onMark("todo")}>
          {t("tasks:mark.undo")}
        </Button>
      ) : (
        <>
          <Button kind="primary" label={t("tasks:mark.doneFor", { unit: props.unitName })} onClick={() => props.onMark("done")}>
            {t("tasks:mark.markDone")}
          </Button>
          <Button label={t("tasks:mark.naFor", { unit: props.unitName })} onClick={() => props.onMark("not_applicable")}>
            {t("tasks:mark.markNa")}
          </Button>
        </>
      )}
    </div>
  );
}
