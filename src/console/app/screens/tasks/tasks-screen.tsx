// Nhiệm vụ: which units have done each task of the school year, as cards per task and as a tasks × units matrix.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { download, query } from "../../api";
import { formatDate, formatNumber } from "../../format";
import { t } from "../../i18n";
import { href, useRoute } from "../../router";
import { useSession } from "../../session";
import { Button, ErrorNotice, Loading, Notice, Page, useApi } from "../../ui";
import { cellState, countsOver, rowsIn, stateMatches, type Filters, type MatrixRow, type StatusFilter, type TaskMatrix } from "./matrix";
import { TaskView } from "./task-view";
import { UnitTaskView } from "./unit-task-view";
import { doneOf, FilterBar, PAGE_SIZE, Pager, StateBadge, titleOf } from "./widgets";

const PHONE = "(max-width: 720px)";

/** #/tasks, #/tasks/<task id>, #/tasks/<task id>/<unit code>; the year from ?year=. */
export function TasksScreen(): JSX.Element {
  const route = useRoute();
  const year = route.params.get("year") ?? undefined;
  const matrix = useApi<TaskMatrix>(`/api/admin/tasks/matrix${query({ year })}`);
  const [taskPart, unitPart] = [route.parts[1], route.parts[2]];
  if (!matrix.data) {
    return (
      <Page title={t("nav.tasks")}>
        {matrix.error ? <ErrorNotice error={matrix.error} /> : <Loading />}
      </Page>
    );
  }
  const task = taskPart ? matrix.data.tasks.find((x) => String(x.id) === taskPart) : undefined;
  if (taskPart && !task) {
    return (
      <Page title={t("nav.tasks")}>
        <Notice kind="error">{t("tasks:errors.task_not_found")}</Notice>
        <a href={href("tasks")}>{t("tasks:backToAll")}</a>
      </Page>
    );
  }
  if (task && unitPart) return <UnitTaskView matrix={matrix.data} task={task} unitCode={unitPart} reload={matrix.reload} />;
  if (task) return <TaskView matrix={matrix.data} task={task} reload={matrix.reload} />;
  return <Overview matrix={matrix.data} loading={matrix.loading} error={matrix.error} />;
}

function Overview(props: { matrix: TaskMatrix; loading: boolean; error: unknown }): JSX.Element {
  const session = useSession();
  const { matrix } = props;
  const [filters, setFilters] = useState<Filters>({ office: "", level: "", status: "" });
  const [view, setView] = useState<"tasks" | "matrix">(() => (window.matchMedia(PHONE).matches ? "tasks" : "matrix"));
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>();
  const rows = useMemo(() => rowsIn(matrix, filters), [matrix, filters.office, filters.level]);
  const counts = useMemo(() => countsOver(matrix, rows), [matrix, rows]);
  const exportXlsx = async (): Promise<void> => {
    setExporting(true);
    setExportError(undefined);
    try {
      await download(`/api/admin/tasks/export.xlsx${query({ year: matrix.year, office: filters.office, level: filters.level, status: filters.status })}`, `nhiem-vu-${matrix.year}.xlsx`);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };
  const scopeLine = session.user.role === "office_admin" ? t("tasks:scope.office", { office: matrix.units.find((u) => u.type === "office")?.name ?? session.user.unit ?? "" }) : t("tasks:scope.province");
  return (
    <Page
      title={t("nav.tasks")}
      intro={t("tasks:intro", { year: matrix.year })}
      actions={
        <Button onClick={() => void exportXlsx()} busy={exporting}>
          {t("tasks:export.matrix")}
        </Button>
      }
    >
      <p class="tasks-scope">{scopeLine}</p>
      <ErrorNotice error={props.error ?? exportError} />
      <FilterBar matrix={matrix} filters={filters} onChange={setFilters} showOffice={session.user.role !== "office_admin"} />
      <div class="tabs" role="tablist" aria-label={t("tasks:view.label")}>
        <button type="button" role="tab" class="tab" aria-selected={view === "tasks" ? "true" : "false"} onClick={() => setView("tasks")}>
          {t("tasks:view.tasks")}
        </button>
        <button type="button" role="tab" class="tab" aria-selected={view === "matrix" ? "true" : "false"} onClick={() => setView("matrix")}>
          {t("tasks:view.matrix")}
        </button>
      </div>
      {matrix.units.length === 0 ? <p class="empty">{t("tasks:noUnits")}</p> : null}
      {view === "tasks" ? (
        <ul class="tasks-cards">
          {matrix.tasks.map((task, i) => {
            const c = counts[i]!;
            if (c.applicable === 0) return null;
            const shown = filters.status ? rows.filter((r) => stateMatches(cellState(r.cells[i], task, matrix.today), filters.status as StatusFilter)).length : undefined;
            return (
              <li key={task.id} class="tasks-card">
                <h2 class="tasks-card-title">
                  <a href={href("tasks", task.id)}>{titleOf(task.title)}</a>
                </h2>
                <p class="tasks-card-due">{task.dueOn ? t("tasks:dueOn", { date: formatDate(task.dueOn) }) : t("tasks:noDue")}</p>
                <p class="tasks-card-done">
                  <strong>{doneOf(c.statuses.done, c.applicable)}</strong>
                </p>
                <ul class="tasks-card-counts">
                  <li>{t("tasks:counts.todo", { n: formatNumber(c.statuses.todo) })}</li>
                  <li>{t("tasks:counts.late", { n: formatNumber(c.late) })}</li>
                  <li>{t("tasks:counts.notApplicable", { n: formatNumber(c.statuses.not_applicable) })}</li>
                  {shown !== undefined ? <li>{t("tasks:counts.matching", { n: formatNumber(shown) })}</li> : null}
                </ul>
              </li>
            );
          })}
        </ul>
      ) : (
        <MatrixTable matrix={matrix} rows={rows} counts={counts} status={filters.status as StatusFilter | ""} />
      )}
    </Page>
  );
}

/** The matrix: offices as group headings, units as rows (sticky first column), tasks as columns; 100 rows a page. */
function MatrixTable(props: { matrix: TaskMatrix; rows: MatrixRow[]; counts: ReturnType<typeof countsOver>; status: StatusFilter | "" }): JSX.Element {
  const { matrix } = props;
  const [page, setPage] = useState(0);
  const status = props.status;
  const rows = useMemo(
    () => (status ? props.rows.filter((r) => matrix.tasks.some((task, i) => stateMatches(cellState(r.cells[i], task, matrix.today), status))) : props.rows),
    [props.rows, status, matrix],
  );
  useEffect(() => setPage(0), [rows]); // a new filter starts at the first page
  const pageRows = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  let group: string | null | undefined;
  return (
    <>
      <p class="tasks-matrix-count" role="status">
        {t("tasks:matrix.rows", { n: formatNumber(rows.length) })}
      </p>
      <div class="tasks-matrix-scroll" tabIndex={0} role="region" aria-label={t("tasks:matrix.caption", { year: matrix.year })}>
        <table class="tasks-matrix">
          <caption class="visually-hidden">{t("tasks:matrix.caption", { year: matrix.year })}</caption>
          <thead>
            <tr>
              <th scope="col" class="tasks-matrix-unit">
                {t("tasks:matrix.unit")}
              </th>
              {matrix.tasks.map((task, i) => (
                <th scope="col" key={task.id}>
                  <a href={href("tasks", task.id)}>{titleOf(task.title)}</a>
                  <span class="tasks-matrix-due">{task.dueOn ? formatDate(task.dueOn) : t("tasks:noDue")}</span>
                  <span class="tasks-matrix-done">{doneOf(props.counts[i]!.statuses.done, props.counts[i]!.applicable)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {pageRows.map((row) => {
              const heading =
                row.office !== group ? (
                  <tr key={`g-${row.office ?? "none"}`} class="tasks-matrix-group">
                    <th scope="rowgroup" colSpan={matrix.tasks.length + 1}>
                      {row.officeName ?? t("tasks:filters.underDepartment")}
                    </th>
                  </tr>
                ) : null;
              group = row.office;
              return [
                heading,
                <tr key={row.code}>
                  <th scope="row" class="tasks-matrix-unit">
                    {row.name}
                    <span class="tasks-matrix-code">{row.code}</span>
                  </th>
                  {matrix.tasks.map((task, i) => {
                    const state = cellState(row.cells[i], task, matrix.today);
                    return (
                      <td key={task.id} class={`tasks-cell tasks-cell-${state}`}>
                        {state === "none" ? (
                          <>
                            <span aria-hidden="true">—</span>
                            <span class="visually-hidden">{t("tasks:state.none")}</span>
                          </>
                        ) : (
                          <a href={href("tasks", task.id, row.code)} title={`${row.name} — ${titleOf(task.title)}`}>
                            {t(`tasks:state.${state}`)}
                          </a>
                        )}
                      </td>
                    );
                  })}
                </tr>,
              ];
            })}
          </tbody>
        </table>
      </div>
      <Pager page={page} total={rows.length} onPage={setPage} />
      {rows.length === 0 ? <p class="empty">{t("tasks:matrix.empty")}</p> : null}
      <p class="hint">
        {t("tasks:matrix.legend")} <StateBadge state="done" /> <StateBadge state="todo" /> <StateBadge state="late" /> <StateBadge state="not_applicable" />
      </p>
    </>
  );
}
