import type { Actor } from "../access/actor.js";
import { AuditLog } from "../access/audit-log.js";
import { AccessScopes, assertCanWrite, assertDepartment } from "../access/scopes.js";
import type { Clock } from "../core/ports.js";
import type { OpenDatabase } from "../db/database.js";
import { SqliteUnitTree } from "../db/unit-tree.js";
import { parseInWorker } from "./parse-in-worker.js";
import { importPeople } from "./people-import.js";
import { importUnits, type ImportReport } from "./units-import.js";

export type ImportKind = "units" | "people";

/**
 * An uploaded units or people file from a staff actor: the Department imports units; an office admin changes
 * only people in its own units; a real (not dry-run) import that succeeds is audited.
 */
export class AdminImports {
  private readonly audit: AuditLog;
  private readonly scopes: AccessScopes;

  constructor(
    private readonly database: OpenDatabase,
    private readonly clock: Clock,
  ) {
    this.audit = new AuditLog(database.db);
    this.scopes = new AccessScopes(new SqliteUnitTree(database.db));
  }

  /** Throws AccessError (role) or ImportFileError (a file refused whole, 413/400). */
  async run(actor: Actor, kind: ImportKind, file: Buffer, dryRun: boolean): Promise<ImportReport> {
    assertCanWrite(actor);
    if (kind === "units") assertDepartment(actor, "imports units");
    // Decoding and parsing happen in a worker thread, within the import limits.
    const input = await parseInWorker(file);
    const now = this.clock.now();
    const options = { dryRun, now, allowedUnitCodes: this.scopes.unitCodeScope(actor) };
    const report = kind === "units" ? importUnits(this.database, input, options) : importPeople(this.database, input, options);
    if (report.ok && !dryRun) this.audit.record({ actor, action: `import.${kind}`, target: kind, detail: { created: report.created, updated: report.updated }, at: now });
    return report;
  }
}
