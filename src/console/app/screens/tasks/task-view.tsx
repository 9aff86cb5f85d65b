// One task: its date (the Department changes it, with a dry run of the reminders a past date sets off) and every unit it applies to.
import type { JSX } from "preact";
import { useMemo, useState } from "preact/hooks";
import { api, download, query } from "../../api";
import { formatDate, formatDateTime, formatNumber } from "../../format";
import { t } from "../../i18n";
import { href } from "../../router";
import { useSession } from "../../session";
import { Button, ConfirmDialog, DataTable, DateField, ErrorNotice, Notice, Page, type Column } from "../../ui";
import { cellState, countsOver, rowsIn, stateMatches, type CellState, type Filters, type MatrixRow, type MatrixTask, type StatusFilter, type TaskMatrix } from "./matrix";
import { doneOf, FilterBar, MarkButtons, PAGE_SIZE, Pager, StateBadge, StatusDialog, titleOf, type StatusChange } from "./widgets";

interface DuePreview {
  dueOn: string;
  past: boolean;
  step: { key: string; offsetDays: number; at: string; toOffice: boolean; toDepartment: boolean } | null;
  immediate: boolean;
  owing: { schools: number; offices: number; other: number };
  recipients: { people: number; officeSummaries: number; departmentSummaries: number };
}

/** "08:00 ngày 03/12/2026" */
function whenText(iso: string): string {
  const [date, time] = formatDateTime(iso).split(" ");
  return t("tasks:due.at", { time, date });
}

/** What the new date sets off, in sentences, from the planner's dry run. */
export function previewSentences(p: DuePreview): string[] {
  const owing = p.owing.schools + p.owing.offices + p.owing.other;
  if (owing === 0) return [t("tasks:due.nobodyOwes")];
  if (!p.step) return [t("tasks:due.noReminderLeft", { count: owing })];
  const kind = p.step.offsetDays < 0 ? "before" : p.step.offsetDays === 0 ? "due" : "late";
  const when = p.immediate ? t("tasks:due.nextRun") : whenText(p.step.at);
  const out = [t(`tasks:due.will.${kind}`, { count: owing, units: t("tasks:due.units", { schools: p.owing.schools, offices: p.owing.offices }), when })];
  out.push(p.recipients.people > 0 ? t("tasks:due.people", { count: p.recipients.people }) : t("tasks:due.noPeople"));
  if (p.recipients.officeSummaries > 0) out.push(t("tasks:due.offices", { count: p.recipients.officeSummaries }));
  if (p.recipients.departmentSummaries > 0) out.push(t("tasks:due.department", { count: p.recipients.departmentSummaries }));
  return out;
}

function DueDateForm(props: { task: MatrixTask; onChanged: (message: string) => void }): JSX.Element {
  const [dueOn, setDueOn] = useState<string | undefined>(props.task.dueOn ?? undefined);
  const [preview, setPreview] = useState<DuePreview | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [missing, setMissing] = useState(false);

  const save = async (date: string, p: DuePreview): Promise<void> => {
    await api("PATCH", `/api/admin/tasks/${props.task.id}`, { dueOn: date });
    setPreview(undefined);
    props.onChanged([t("tasks:due.changed", { date: formatDate(date) }), ...previewSentences(p)].join(" "));
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setMissing(dueOn === undefined);
    if (dueOn === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      const p = await api<DuePreview>("GET", `/api/admin/tasks/${props.task.id}/due-preview${query({ dueOn })}`);
      if (p.past) setPreview(p);
      else await save(dueOn, p);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (): Promise<void> => {
    if (!preview) return;
    setBusy(true);
    try {
      await save(preview.dueOn, preview);
    } catch (err) {
      setError(err);
      setPreview(undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card tasks-due-form" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{t("tasks:due.change")}</h2>
      <ErrorNotice error={error} />
      <DateField label={t("tasks:due.newDate")} value={dueOn} onChange={setDueOn} error={missing ? t("tasks:due.missing") : undefined} />
      <Button type="submit" kind="primary" busy={busy && !preview}>
        {t("tasks:due.save")}
      </Button>
      <ConfirmDialog
        open={preview !== undefined}
        title={t("tasks:due.pastTitle")}
        confirmLabel={t("tasks:due.pastConfirm")}
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setPreview(undefined)}
      >
        {preview ? (
          <>
            <p>{t("tasks:due.pastQuestion", { date: formatDate(preview.dueOn) })}</p>
            {previewSentences(preview).map((s) => (
              <p key={s}>{s}</p>
            ))}
          </>
        ) : null}
      </ConfirmDialog>
    </form>
  );
}

export function TaskView(props: { matrix: TaskMatrix; task: MatrixTask; reload: () => void }): JSX.Element {
  const session = useSession();
  const { matrix, task } = props;
  const column = matrix.tasks.indexOf(task);
  const [filters, setFilters] = useState<Filters>({ office: "", level: "", status: "" });
  const [page, setPage] = useState(0);
  const [change, setChange] = useState<StatusChange | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [exportError, setExportError] = useState<unknown>();
  const [exporting, setExporting] = useState(false);
  const inOffice = useMemo(() => rowsIn(matrix, filters).filter((r) => r.cells[column] !== "-" && r.cells[column] !== undefined), [matrix, filters.office, filters.level, column]);
  const counts = countsOver(matrix, inOffice)[column]!;
  const rows = filters.status ? inOffice.filter((r) => stateMatches(cellState(r.cells[column], task, matrix.today), filters.status as StatusFilter)) : inOffice;
  const pageRows = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const title = titleOf(task.title);
  const state = (row: MatrixRow): CellState => cellState(row.cells[column], task, matrix.today);

  const exportXlsx = async (): Promise<void> => {
    setExporting(true);
    setExportError(undefined);
    try {
      await download(
        `/api/admin/tasks/export.xlsx${query({ year: matrix.year, task: task.id, office: filters.office, level: filters.level, status: filters.status })}`,
        `nhiem-vu-${task.key}.xlsx`,
      );
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };

  const columns: Column<MatrixRow>[] = [
    {
      key: "unit",
      label: t("tasks:list.unit"),
      render: (r) => (
        <a href={href("tasks", task.id, r.code)}>
          {r.name} <span class="tasks-code">({r.code})</span>
        </a>
      ),
    },
    { key: "office", label: t("tasks:list.office"), render: (r) => r.officeName ?? t("tasks:filters.underDepartment") },
    { key: "status", label: t("tasks:list.status"), render: (r) => <StateBadge state={state(r)} /> },
  ];
  if (session.canWrite) {
    columns.push({
      key: "actions",
      label: t("tasks:list.actions"),
      render: (r) => <MarkButtons state={state(r)} unitName={r.name} onMark={(status) => setChange({ taskId: task.id, taskTitle: title, unitCode: r.code, unitName: r.name, status })} />,
    });
  }

  return (
    <Page
      title={title}
      actions={
        <Button onClick={() => void exportXlsx()} busy={exporting}>
          {t("tasks:export.task")}
        </Button>
      }
    >
      <p>
        <a href={href("tasks")}>{t("tasks:backToAll")}</a>
      </p>
      <div class="cards">
        <div class="stat">
          <span class="stat-label">{t("tasks:dueLabel")}</span>
          <span class="stat-value">{task.dueOn ? formatDate(task.dueOn) : t("tasks:noDue")}</span>
        </div>
        <div class="stat">
          <span class="stat-label">{t("tasks:progress")}</span>
          <span class="stat-value">{doneOf(counts.statuses.done, counts.applicable)}</span>
        </div>
        <div class="stat">
          <span class="stat-label">{t("tasks:filters.statuses.todo")}</span>
          <span class="stat-value">{formatNumber(counts.statuses.todo)}</span>
          <span class="stat-note">{t("tasks:counts.late", { n: formatNumber(counts.late) })}</span>
        </div>
        <div class="stat">
          <span class="stat-label">{t("tasks:filters.statuses.not_applicable")}</span>
          <span class="stat-value">{formatNumber(counts.statuses.not_applicable)}</span>
        </div>
      </div>
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorNotice error={exportError} />
      {session.isDepartmentAdmin ? (
        <DueDateForm
          task={task}
          onChanged={(m) => {
            setMessage(m);
            props.reload();
          }}
        />
      ) : null}
      <FilterBar
        matrix={matrix}
        filters={filters}
        onChange={(f) => {
          setFilters(f);
          setPage(0);
        }}
        showOffice={session.user.role !== "office_admin"}
      />
      <p role="status">{t("tasks:list.count", { n: formatNumber(rows.length) })}</p>
      <DataTable caption={t("tasks:list.caption", { task: title })} columns={columns} rows={pageRows} rowKey={(r) => r.code} empty={t("tasks:list.empty")} />
      <Pager page={page} total={rows.length} onPage={setPage} />
      <StatusDialog
        change={change}
        onClose={() => setChange(undefined)}
        onDone={(m) => {
          setChange(undefined);
          setMessage(m);
          props.reload();
        }}
      />
    </Page>
  );
}
