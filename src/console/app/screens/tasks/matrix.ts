// The task matrix as GET /api/admin/tasks/matrix sends it (src/tasks/task-matrix.ts), and the screen's filters over it.

export type TaskStatus = "todo" | "done" | "not_applicable";
export type StatusFilter = "late" | "todo" | "done" | "not_applicable";

export interface Counts {
  todo: number;
  done: number;
  not_applicable: number;
}

export interface MatrixTask {
  id: number;
  key: string;
  section: string | null;
  title: { vi: string; en: string };
  dueOn: string | null;
  statuses: Counts;
  applicable: number;
  late: number;
}

export interface MatrixRow {
  code: string;
  name: string;
  type: string;
  level: string | null;
  office: string | null;
  officeName: string | null;
  /** one letter per task: "-" not for this unit, "t" to do, "d" done, "n" not applicable */
  cells: string;
}

export interface TaskMatrix {
  year: string;
  today: string;
  tasks: MatrixTask[];
  units: MatrixRow[];
}

/** What a cell shows: the task is not for the unit, or its status (to do after the date is late). */
export type CellState = "none" | "late" | "todo" | "done" | "not_applicable";

export function cellState(cell: string | undefined, task: MatrixTask, today: string): CellState {
  if (cell === "d") return "done";
  if (cell === "n") return "not_applicable";
  if (cell === "t") return task.dueOn !== null && task.dueOn < today ? "late" : "todo";
  return "none";
}

/** The same rule as the server's export: "todo" is everything not finished, late ones included. */
export function stateMatches(state: CellState, filter: StatusFilter): boolean {
  if (filter === "todo") return state === "todo" || state === "late";
  return state === filter;
}

export interface Filters {
  office: string;
  level: string;
  status: string;
}

/** Rows of the office and level asked for (all when empty), by office then offices first then name. */
export function rowsIn(matrix: TaskMatrix, filters: Pick<Filters, "office" | "level">): MatrixRow[] {
  return matrix.units
    .filter((u) => (!filters.office || (filters.office === "none" ? u.office === null : u.office === filters.office)) && (!filters.level || u.level === filters.level))
    .sort(
      (a, b) =>
        (a.officeName ?? "\uffff").localeCompare(b.officeName ?? "\uffff", "vi") ||
        (a.type === "office" ? 0 : 1) - (b.type === "office" ? 0 : 1) ||
        a.name.localeCompare(b.name, "vi"),
    );
}

/** Each task's counts over these rows (the units it applies to among them). */
export function countsOver(matrix: TaskMatrix, rows: MatrixRow[]): { statuses: Counts; applicable: number; late: number }[] {
  return matrix.tasks.map((task, i) => {
    const statuses: Counts = { todo: 0, done: 0, not_applicable: 0 };
    let late = 0;
    for (const row of rows) {
      const state = cellState(row.cells[i], task, matrix.today);
      if (state === "done") statuses.done++;
      else if (state === "not_applicable") statuses.not_applicable++;
      else if (state === "todo" || state === "late") {
        statuses.todo++;
        if (state === "late") late++;
      }
    }
    return { statuses, applicable: statuses.todo + statuses.done + statuses.not_applicable, late };
  });
}

/** The offices that appear in the matrix, by name. */
export function officesOf(matrix: TaskMatrix): { code: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const u of matrix.units) if (u.office && u.officeName) seen.set(u.office, u.officeName);
  return [...seen].map(([code, name]) => ({ code, name })).sort((a, b) => a.name.localeCompare(b.name, "vi"));
}

export const LEVELS = ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"] as const;
export const STATUS_FILTERS: StatusFilter[] = ["late", "todo", "done", "not_applicable"];
