import type { Actor } from "./actor.js";

/** A refusal of what the actor's role may do (HTTP 403). Objects outside its units are "not found" instead. */
export class AccessError extends Error {
  override name = "AccessError";
  readonly status = 403;
  /** what the refusal is about, for answers that name a field */
  readonly field = "token";
}

/** The unit hierarchy, as far as scopes need it (storage implements it). */
export interface UnitTree {
  /** ids of a unit and every unit under it */
  subtreeIds(unitId: number): Set<number>;
  /** codes of a unit and every unit under it */
  subtreeCodes(unitId: number): Set<string>;
}

export function canWrite(actor: Actor): boolean {
  return actor.role !== "viewer";
}

export function assertCanWrite(actor: Actor): void {
  if (!canWrite(actor)) throw new AccessError("viewer tokens are read-only");
}

/** Only the Department: `what` completes "only the Department …", e.g. "opens school years". */
export function assertDepartment(actor: Actor, what: string): void {
  if (actor.role !== "department_admin") throw new AccessError(`only the Department ${what}`);
}

/** The unit that owns what the actor creates: an office admin's office; null is the Department's. */
export function ownerUnitOf(actor: Actor): number | null {
  return actor.role === "office_admin" ? actor.unitId : null;
}

/**
 * What an actor reaches: the Department and viewers every unit, an office admin its own unit and every unit
 * under it. This is the one place that rule lives.
 */
export class AccessScopes {
  constructor(private readonly units: UnitTree) {}

  /** Ids of the units the actor reaches; undefined means every unit. */
  unitScope(actor: Actor): Set<number> | undefined {
    return actor.role === "office_admin" ? this.units.subtreeIds(this.officeUnit(actor)) : undefined;
  }

  /** Codes of the units the actor reaches; undefined means every unit. */
  unitCodeScope(actor: Actor): Set<string> | undefined {
    return actor.role === "office_admin" ? this.units.subtreeCodes(this.officeUnit(actor)) : undefined;
  }

  /** Whether the actor reaches an object of this unit; null is the Department's own (no office reaches it). */
  reaches(actor: Actor, unitId: number | null): boolean {
    const scope = this.unitScope(actor);
    return !scope || (unitId !== null && scope.has(unitId));
  }

  /**
   * The object when it exists and the actor reaches it; otherwise the very error of an object that does not
   * exist, so an office admin cannot learn what other offices hold.
   */
  assertInScope<T>(actor: Actor, found: T | undefined, unitIdOf: (found: T) => number | null, notFound: () => Error): T {
    if (found === undefined || !this.reaches(actor, unitIdOf(found))) throw notFound();
    return found;
  }

  private officeUnit(actor: Actor): number {
    if (actor.unitId === null) throw new AccessError("this office token has no unit");
    return actor.unitId;
  }
}
