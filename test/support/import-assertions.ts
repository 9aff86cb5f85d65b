import { expect } from "vitest";
import type { ImportProblem, ImportReport } from "../../src/registry/units-import.js";

/**
 * Asserts an import failed with exactly one problem at (row, column) matching `text`, and wrote nothing:
 * `rows()` (the table as it is now) still equals `before`.
 */
export function expectRejected(
  report: ImportReport,
  row: number,
  column: string,
  text: RegExp,
  rows: () => unknown[],
  before: unknown[] = [],
): ImportProblem {
  expect(report.ok).toBe(false);
  expect({ created: report.created, updated: report.updated, unchanged: report.unchanged }).toEqual({ created: 0, updated: 0, unchanged: 0 });
  const found = report.problems.filter((p) => p.row === row && p.column === column);
  expect(found, JSON.stringify(report.problems)).toHaveLength(1);
  expect(found[0]?.problem).toMatch(text);
  expect(rows()).toEqual(before);
  return found[0] as ImportProblem;
}
