import ExcelJS from "exceljs";
import type { StatusCounts, TaskAudience, TaskStatus } from "./task-store.js";

/**
 * The tasks × units matrix of a school year, as the admin API sends it and the console draws it: compact for a
 * 3,000-school province (one letter per task and unit), with each task's counts over the units it applies to.
 */

/** A cell's letter: "-" the task is not for this unit, "t" to do, "d" done, "n" not applicable. */
export const cellCode: Record<TaskStatus, string> = { todo: "t", done: "d", not_applicable: "n" };

export interface MatrixTask {
  id: number;
  key: string;
  section: string | null;
  title: { vi: string; en: string };
  dueOn: string | null;
  appliesTo: TaskAudience;
  statuses: StatusCounts;
  /** units the task applies to (todo + done + not applicable) */
  applicable: number;
  /** units still to do after the due date */
  late: number;
}

export interface MatrixRow {
  code: string;
  name: string;
  type: string;
  level: string | null;
  /** the office the unit belongs to (an office is its own); null for the Department and schools under it */
  office: string | null;
  officeName: string | null;
  /** one letter per task, in the order of `tasks` */
  cells: string;
}

export interface TaskMatrix {
  year: string;
  /** yyyy-MM-dd in Vietnam: a task to do after its date is late */
  today: string;
  tasks: MatrixTask[];
  units: MatrixRow[];
}

export type StatusFilter = "late" | "todo" | "done" | "not_applicable";

export interface MatrixFilter {
  /** an office's code; "none" = units under no office */
  office?: string | undefined;
  level?: string | undefined;
  status?: StatusFilter | undefined;
  /** one task's id: its column only, and the status filter looks at it alone */
  task?: number | undefined;
}

/** Whether a cell is in the status asked for ("todo" includes late ones: everything not finished). */
export function cellMatches(cell: string, task: MatrixTask, today: string, status: StatusFilter): boolean {
  switch (status) {
    case "late":
      return cell === "t" && task.dueOn !== null && task.dueOn < today;
    case "todo":
      return cell === "t";
    case "done":
      return cell === "d";
    case "not_applicable":
      return cell === "n";
  }
}

/** The matrix narrowed to an office, a level, a task, and rows with at least one cell in a status. */
export function filterMatrix(matrix: TaskMatrix, filter: MatrixFilter): TaskMatrix {
  const columns = filter.task === undefined ? matrix.tasks.map((_, i) => i) : matrix.tasks.flatMap((t, i) => (t.id === filter.task ? [i] : []));
  const units = matrix.units.filter((u) => {
    if (filter.office && (filter.office === "none" ? u.office !== null : u.office !== filter.office)) return false;
    if (filter.level && u.level !== filter.level) return false;
    if (columns.every((i) => u.cells[i] === "-")) return false;
    if (filter.status) {
      const status = filter.status;
      return columns.some((i) => cellMatches(u.cells[i] ?? "-", matrix.tasks[i] as MatrixTask, matrix.today, status));
    }
    return true;
  });
  return {
    ...matrix,
    tasks: columns.map((i) => matrix.tasks[i] as MatrixTask),
    units: units.map((u) => ({ ...u, cells: columns.map((i) => u.cells[i] ?? "-").join("") })),
  };
}

const LEVELS: Record<string, string> = { mam_non: "Mầm non", tieu_hoc: "Tiểu học", thcs: "THCS", thpt: "THPT", gdtx: "GDTX" };
const TYPES: Record<string, string> = { department: "Sở", office: "Phòng GDĐT", school: "Trường" };

/** A cell in words, as a staff member reads it in the console. */
export function cellWords(cell: string, task: MatrixTask, today: string): string {
  if (cell === "d") return "Đã nộp";
  if (cell === "n") return "Không áp dụng";
  if (cell === "t") return task.dueOn !== null && task.dueOn < today ? "Quá hạn" : "Chưa nộp";
  return "";
}

function dayMonthYear(iso: string | null): string {
  if (!iso) return "Không có hạn";
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

function daysLate(dueOn: string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueOn}T00:00:00Z`)) / 86_400_000);
}

/** A spreadsheet cell's text, with formulas defused (a name starting with = + - @ stays text). */
function text(value: string): string {
  return /^[=+\-@]/.test(value) ? `'${value}` : value;
}

/**
 * The matrix as an Excel workbook, in Vietnamese: sheet "Tổng hợp" (each task, its date and counts), sheet
 * "Bảng theo dõi" (one row per unit, statuses in words) and sheet "Chưa nộp" (every unit and task not yet
 * done, late ones with their days late). Dates dd/MM/yyyy.
 */
export async function matrixWorkbook(matrix: TaskMatrix): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "Sở GDĐT";
  const bold = (sheet: ExcelJS.Worksheet): void => {
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: "frozen", ySplit: 1, xSplit: sheet.name === "Bảng theo dõi" ? 2 : 0 }];
  };

  const summary = book.addWorksheet("Tổng hợp");
  summary.columns = [
    { header: "Nhiệm vụ", width: 50 },
    { header: "Hạn nộp", width: 14 },
    { header: "Số đơn vị phải nộp", width: 18 },
    { header: "Đã nộp", width: 10 },
    { header: "Chưa nộp", width: 10 },
    { header: "Quá hạn", width: 10 },
    { header: "Không áp dụng", width: 14 },
  ];
  for (const t of matrix.tasks) {
    summary.addRow([text(t.title.vi), dayMonthYear(t.dueOn), t.applicable, t.statuses.done, t.statuses.todo, t.late, t.statuses.not_applicable]);
  }
  bold(summary);

  const grid = book.addWorksheet("Bảng theo dõi");
  grid.columns = [
    { header: "Mã đơn vị", width: 16 },
    { header: "Tên đơn vị", width: 40 },
    { header: "Loại", width: 12 },
    { header: "Cấp học", width: 10 },
    { header: "Phòng GDĐT", width: 30 },
    ...matrix.tasks.map((t) => ({ header: `${text(t.title.vi)} (hạn ${dayMonthYear(t.dueOn)})`, width: 22 })),
  ];
  for (const u of matrix.units) {
    grid.addRow([
      text(u.code),
      text(u.name),
      TYPES[u.type] ?? u.type,
      u.level ? (LEVELS[u.level] ?? u.level) : "",
      u.officeName ? text(u.officeName) : "Trực thuộc Sở",
      ...matrix.tasks.map((t, i) => cellWords(u.cells[i] ?? "-", t, matrix.today)),
    ]);
  }
  bold(grid);

  const open = book.addWorksheet("Chưa nộp");
  open.columns = [
    { header: "Nhiệm vụ", width: 45 },
    { header: "Hạn nộp", width: 14 },
    { header: "Mã đơn vị", width: 16 },
    { header: "Tên đơn vị", width: 40 },
    { header: "Phòng GDĐT", width: 30 },
    { header: "Trạng thái", width: 12 },
    { header: "Số ngày quá hạn", width: 16 },
  ];
  matrix.tasks.forEach((t, i) => {
    for (const u of matrix.units) {
      if (u.cells[i] !== "t") continue;
      const late = t.dueOn !== null && t.dueOn < matrix.today;
      open.addRow([
        text(t.title.vi),
        dayMonthYear(t.dueOn),
        text(u.code),
        text(u.name),
        u.officeName ? text(u.officeName) : "Trực thuộc Sở",
        cellWords("t", t, matrix.today),
        late && t.dueOn ? daysLate(t.dueOn, matrix.today) : "",
      ]);
    }
  });
  bold(open);

  return Buffer.from(await book.xlsx.writeBuffer());
}
