// One unit and one task: its status, the buttons that change it (not for a viewer) and every change so far.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { formatDate, formatDateTime } from "../../format";
import { t } from "../../i18n";
import { href } from "../../router";
import { useSession } from "../../session";
import { DataTable, ErrorNotice, Loading, Notice, Page, useApi } from "../../ui";
import { cellState, type MatrixTask, type TaskMatrix, type TaskStatus } from "./matrix";
import { ReminderDeliveries } from "./reminder-deliveries";
import { MarkButtons, StateBadge, StatusDialog, titleOf, type StatusChange } from "./widgets";

interface History {
  task: string;
  unit: string;
  unitName: string;
  status: TaskStatus;
  entries: { status: TaskStatus; by: string; byName: string | null; at: string; note: string | null }[];
}

export function UnitTaskView(props: { matrix: TaskMatrix; task: MatrixTask; unitCode: string; reload: () => void }): JSX.Element {
  const session = useSession();
  const { matrix, task } = props;
  const history = useApi<History>(`/api/admin/tasks/${task.id}/units/${encodeURIComponent(props.unitCode)}/history`);
  const [change, setChange] = useState<StatusChange | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const row = matrix.units.find((u) => u.code === props.unitCode);
  const title = titleOf(task.title);
  const column = matrix.tasks.indexOf(task);
  const state = cellState(row?.cells[column], task, matrix.today);
  const unitName = history.data?.unitName ?? row?.name ?? props.unitCode;
  return (
    <Page title={unitName} intro={t("tasks:unit.intro", { task: title, due: task.dueOn ? formatDate(task.dueOn) : t("tasks:noDue") })}>
      <p>
        <a href={href("tasks", task.id)}>{t("tasks:unit.back", { task: title })}</a>
      </p>
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorNotice error={history.error} />
      {row ? (
        <div class="card">
          <p>
            {t("tasks:unit.status")} <StateBadge state={state} />
          </p>
          {state === "none" ? <p>{t("tasks:unit.notFor")}</p> : null}
          {session.canWrite ? <MarkButtons state={state} unitName={unitName} onMark={(status) => setChange({ taskId: task.id, taskTitle: title, unitCode: row.code, unitName, status })} /> : null}
        </div>
      ) : null}
      <h2>{t("tasks:history.title")}</h2>
      {history.data ? (
        <DataTable
          caption={t("tasks:history.caption", { unit: unitName, task: title })}
          rows={history.data.entries}
          rowKey={(e) => `${e.at}-${e.status}-${e.by}`}
          empty={t("tasks:history.empty")}
          columns={[
            { key: "at", label: t("tasks:history.at"), render: (e) => formatDateTime(e.at) },
            { key: "by", label: t("tasks:history.by"), render: (e) => (e.byName ? `${e.byName} (${e.by})` : e.by) },
            { key: "status", label: t("tasks:history.status"), render: (e) => t(`tasks:history.statuses.${e.status}`) },
            { key: "note", label: t("tasks:history.note"), render: (e) => e.note ?? "—" },
          ]}
        />
      ) : history.loading ? (
        <Loading />
      ) : null}
      <ReminderDeliveries taskId={task.id} unitCode={props.unitCode} unitName={unitName} taskTitle={title} />
      <StatusDialog
        change={change}
        onClose={() => setChange(undefined)}
        onDone={(m) => {
          setChange(undefined);
          setMessage(m);
          history.reload();
          props.reload();
        }}
      />
    </Page>
  );
}
