import type { Actor } from "../access/actor.js";
import type { AccessScopes } from "../access/scopes.js";
import type { Clock } from "../core/ports.js";
import { localIsoDate, zonedInstant } from "../core/time/zoned-time.js";
import type { TaskBoard } from "../tasks/task-board.js";
import type { SqliteOverviewStore } from "./overview-store.js";

export interface Overview {
  /** the Vietnam calendar day the counts are for */
  day: string;
  questions: { today: number; unanswered: number; unansweredRate: number | null };
  subscribers: Record<"telegram" | "zalo", number>;
  broadcastsInFlight: { id: number; title: string; status: string; recipients: number; sendAt: string }[];
  tasksDueSoon: { id: number; title: { vi: string; en: string }; dueOn: string; done: number; applicable: number }[];
  lateByOffice: { office: string | null; officeName: string | null; schools: number }[];
  /** true when the numbers are the caller's own units, not the province */
  scoped: boolean;
  /** ZNS (paid per message): Department admins only, and only when ZNS is configured */
  zns?: ZnsOverview;
}

/** This month's ZNS messages against the budget, their estimated cost, and Zalo's daily quota as it last said. */
export interface ZnsOverview {
  /** YYYY-MM, Vietnam time */
  month: string;
  sent: number;
  budget: number;
  priceVnd: number;
  estimatedCostVnd: number;
  /** null until Zalo has answered a ZNS send since the server started */
  zaloDailyQuota: { daily: number; remaining: number } | null;
}

/** What the ladder and the ZNS sender know (the same numbers /healthz shows). */
export interface ZnsUsageSource {
  usage(now: Date): { month: string; sent: number; budget: number };
  priceVnd: number;
  lastQuota(): { daily: number; remaining: number } | undefined;
}

const DUE_SOON_DAYS = 14;

/**
 * The console's first screen: what happened today and what needs attention, in the caller's scope (an office
 * admin's own units and numbers, never the province's).
 */
export class OverviewService {
  constructor(
    private readonly deps: {
      store: SqliteOverviewStore;
      scopes: AccessScopes;
      tasks: TaskBoard;
      clock: Clock;
      timeZone: string;
      /** unit code → name and type */
      units: () => ReadonlyMap<string, { name: string; type: string }>;
      /** set when ZNS is configured */
      zns?: ZnsUsageSource | undefined;
    },
  ) {}

  of(actor: Actor): Overview {
    const now = this.deps.clock.now();
    const day = localIsoDate(now, this.deps.timeZone);
    const unitIds = this.deps.scopes.unitScope(actor);
    const codes = this.deps.scopes.unitCodeScope(actor);
    const counts = this.deps.store.counts(zonedInstant(day, 0, 0, this.deps.timeZone), unitIds);
    const unanswered = Math.max(0, counts.unanswered - counts.answeredFromDirective);
    const board = this.deps.tasks.list(undefined, codes);
    const soonLimit = addDays(day, DUE_SOON_DAYS);
    const tasksDueSoon = (board?.tasks ?? [])
      .filter((t) => t.dueOn !== null && t.dueOn >= day && t.dueOn <= soonLimit)
      .map((t) => ({ id: t.id, title: t.title, dueOn: t.dueOn as string, done: t.statuses.done, applicable: t.statuses.todo + t.statuses.done }));
    const units = this.deps.units();
    const lateSchools = new Map<string | null, Set<string>>();
    for (const task of board?.tasks ?? []) {
      if (task.late === 0) continue;
      for (const unit of this.deps.tasks.late(task.id, codes)?.late ?? []) {
        if (units.get(unit.code)?.type !== "school") continue;
        const set = lateSchools.get(unit.office) ?? new Set<string>();
        set.add(unit.code);
        lateSchools.set(unit.office, set);
      }
    }
    const inFlight = counts.broadcastsInFlight.filter((b) => this.deps.scopes.reaches(actor, b.ownerUnitId));
    return {
      day,
      questions: { today: counts.questions, unanswered, unansweredRate: counts.questions > 0 ? unanswered / counts.questions : null },
      subscribers: { telegram: counts.subscribersByChannel.telegram ?? 0, zalo: counts.subscribersByChannel.zalo ?? 0 },
      broadcastsInFlight: inFlight.map((b) => ({ id: b.id, title: b.title, status: b.status, recipients: b.recipients, sendAt: new Date(b.sendAt).toISOString() })),
      tasksDueSoon,
      lateByOffice: [...lateSchools.entries()]
        .map(([office, schools]) => ({ office, officeName: office ? (units.get(office)?.name ?? office) : null, schools: schools.size }))
        .sort((a, b) => b.schools - a.schools),
      scoped: unitIds !== undefined,
      ...(actor.role === "department_admin" && this.deps.zns ? { zns: this.znsOf(this.deps.zns, now) } : {}),
    };
  }

  private znsOf(source: ZnsUsageSource, now: Date): ZnsOverview {
    const usage = source.usage(now);
    return {
      ...usage,
      priceVnd: source.priceVnd,
      estimatedCostVnd: usage.sent * source.priceVnd,
      zaloDailyQuota: source.lastQuota() ?? null,
    };
  }
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
