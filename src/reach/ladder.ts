import { formatDate, localIsoDate } from "../core/time/zoned-time.js";
import type { Cause, LadderPolicy, OffChatStep, SendGuard, TemplateValues } from "../outbox/outbox-port.js";
import { monthOf } from "../outbox/sqlite-outbox-store.js";
import { daysBetween } from "../reminders/steps.js";
import { normalizeVietnamMobile } from "./phone.js";
import type { ChatAddress, ReachPerson, ReminderFacts, SqliteReachStore } from "./sqlite-reach-store.js";
import type { ZnsKind, ZnsTemplates } from "./zns-templates.js";

export interface ReachLadderOptions {
  store: SqliteReachStore;
  timeZone: string;
  /** the chats this server sends on, in the ladder's eyes (the dry run explains the others as "no …") */
  chats: string[];
  /** Zalo's consultation window, for the dry run's explanation */
  zaloWindowDays: number;
  /** ZNS on: the approved templates and the month's budget in messages */
  zns?: { templates: ZnsTemplates; monthlyBudget: number } | undefined;
  /** e-mail on (SMTP_URL and MAIL_FROM) */
  email: boolean;
  /**
   * the Zalo message type a reminder takes outside the consultation window when nothing better is ahead (the
   * Zalo sender's last resort, e.g. "transaction"), for the dry run's explanation
   */
  zaloOutsideWindow?: string | undefined;
  /** the month's ZNS budget has just been found spent: called once a month (log and staff chat) */
  onBudgetSpent?: ((month: string, budget: number) => void) | undefined;
}

/** Which ZNS template a reminder step may use: on the due day, when late, and late summaries; never before. */
export function znsKindOfStep(step: string): ZnsKind | undefined {
  if (step.startsWith("summary-")) return "late_summary";
  if (step === "due") return "reminder_due";
  if (step.startsWith("late-")) return "reminder_late";
  return undefined;
}

/**
 * The delivery ladder for reminders and late summaries to registry staff (never parents): after the person's
 * chats, ZNS by the registry's phone (when the step may use a template, the number is a Vietnamese mobile one
 * and the month's budget is not spent), then e-mail (when the registry has an address that has not
 * unsubscribed), or in the person's own order when they chose one. A staff answer to a hand-off the person's
 * chat cannot take climbs a shorter one: e-mail only. The outbox asks it for the steps after the chats and the
 * person's order; the ZNS lane asks it whether the budget allows one more message; the dry run asks it to
 * explain. (Broadcasts reach staff with no chat by e-mail on their own: src/broadcast/sqlite-email-audience.ts.)
 */
export class ReachLadder implements LadderPolicy {
  constructor(private readonly options: ReachLadderOptions) {}

  covers(cause: Cause): boolean {
    if (cause.type === "handoff_reply") return this.options.email;
    return cause.type === "reminder" && (this.options.zns !== undefined || this.options.email);
  }

  offChat(cause: Cause, now: Date): OffChatStep[] {
    if (cause.type === "handoff_reply") {
      // A staff answer to a registry person their chat cannot take now goes to the registry's e-mail; never ZNS
      // (templates/zns.yaml has no kind for a free-text answer), never for parents (no registry person).
      const facts = this.options.store.replyFacts(cause.id);
      return facts ? this.stepsFor("handoff_reply", null, facts.email, now, false, facts.off) : [];
    }
    if (cause.type !== "reminder") return [];
    const facts = this.options.store.reminderFacts(cause.id);
    return facts ? this.stepsFor(facts.step, facts.phone, facts.email, now, true, facts.off) : [];
  }

  /** A reminder follows the person's own order when they chose one; other causes never do. */
  order(cause: Cause): string[] | undefined {
    if (cause.type !== "reminder") return undefined;
    const order = this.options.store.orderOfReminder(cause.id);
    return order.length > 0 ? order : undefined;
  }

  /** The ZNS lane's check before each send: one more message must fit in the month's budget. */
  znsGuard(): SendGuard {
    return (_row, now) => (this.znsBudgetSpent(now) ? "zns_budget_spent" : undefined);
  }

  /** A reminder's values for its ZNS template, from the reminder itself (never parsed from the text). */
  templateValues(reminderId: number, now: Date): TemplateValues | undefined {
    const facts = this.options.store.reminderFacts(reminderId);
    const kind = facts && znsKindOfStep(facts.step);
    if (!facts || !kind || !facts.dueOn) return undefined;
    return { kind, values: valuesOf(facts, facts.dueOn, localIsoDate(now, this.options.timeZone)) };
  }

  /** ZNS sent this month (Vietnam time) and the budget. */
  znsUsage(now: Date): { month: string; sent: number; budget: number } {
    const month = monthOf(now, this.options.timeZone);
    return { month, sent: this.options.store.znsSent(month), budget: this.options.zns?.monthlyBudget ?? 0 };
  }

  /**
   * The channel a person would get for a step now, and why (the dry run): the chat used last if it can be
   * reached (Zalo only inside its window), else the steps after the chats.
   */
  explain(personId: number, step: string, now: Date): { channel: string; why: string } {
    const person = this.options.store.person(personId);
    if (!person) return { channel: "none", why: "not in the registry" };
    if (person.order.length > 0) return this.explainOrder(person, step, now);
    const why: string[] = [];
    for (const chat of person.chats) {
      const unusable = this.chatUnusable(chat, person.off, now);
      if (unusable) {
        why.push(unusable);
      } else {
        why.push(why.length === 0 ? `${chat.channel}: the chat used last` : `then ${chat.channel}`);
        return { channel: chat.channel, why: why.join("; ") };
      }
    }
    for (const chat of ["zalo", "telegram"]) if (!person.chats.some((c) => c.channel === chat)) why.push(`no ${chat}`);
    if (!this.options.zns) why.push("zns off");
    else if (!znsKindOfStep(step)) why.push(`zns not used for ${step}`);
    for (const s of this.stepsFor(step, person.phone, person.email, now, false, person.off)) {
      if (s.unusable) {
        why.push(`${s.channel}: ${s.unusable}`);
        continue;
      }
      return { channel: s.channel, why: why.join("; ") };
    }
    if (!this.options.email) why.push("e-mail off");
    return this.lastResort(person, why) ?? { channel: "none", why: why.join("; ") };
  }

  /** Nothing else can take it: a Zalo follower outside the window still gets a paid template message. */
  private lastResort(person: ReachPerson, why: string[]): { channel: string; why: string } | undefined {
    const type = this.options.zaloOutsideWindow;
    const zalo = person.chats.find((c) => c.channel === "zalo");
    if (!type || !zalo || zalo.unreachable || person.off.includes("zalo") || !this.options.chats.includes("zalo")) return undefined;
    return { channel: "zalo", why: [...why, `zalo: ${type} message (outside the consultation window)`].join("; ") };
  }

  /** The dry run for a person with an order of their own: each channel in their order, and why it was passed. */
  private explainOrder(person: ReachPerson, step: string, now: Date): { channel: string; why: string } {
    const why = [`own order ${person.order.join(" > ")}`];
    const offChat = this.stepsFor(step, person.phone, person.email, now, false, person.off);
    const taken = (channel: string) => ({ channel, why: [...why, why.length === 1 ? `${channel}: first in the person's order` : `then ${channel}`].join("; ") });
    for (const channel of person.order) {
      if (channel === "zalo" || channel === "telegram") {
        const chat = person.chats.find((c) => c.channel === channel);
        const unusable = chat ? this.chatUnusable(chat, person.off, now) : `no ${channel}`;
        if (!unusable) return taken(channel);
        why.push(unusable);
        continue;
      }
      const s = offChat.find((o) => o.channel === channel);
      if (!s) why.push(channel === "email" ? "e-mail off" : !this.options.zns ? "zns off" : `zns not used for ${step}`);
      else if (s.unusable) why.push(`${s.channel}: ${s.unusable}`);
      else return taken(channel);
    }
    return this.lastResort(person, why) ?? { channel: "none", why: why.join("; ") };
  }

  /** Why a chat cannot take a message now (the dry run's words), or undefined when it can. */
  private chatUnusable(chat: ChatAddress, off: string[], now: Date): string | undefined {
    const day = 86_400_000;
    if (off.includes(chat.channel)) return `${chat.channel} turned off by the person`;
    if (!this.options.chats.includes(chat.channel)) return `${chat.channel} is not configured`;
    if (chat.unreachable) return `${chat.channel} unreachable`;
    if (chat.channel === "zalo" && now.getTime() - chat.lastInboundAt > this.options.zaloWindowDays * day) {
      return `zalo window closed ${Math.floor((now.getTime() - chat.lastInboundAt) / day) - this.options.zaloWindowDays} days ago`;
    }
    return undefined;
  }

  private stepsFor(step: string, phone: string | null, email: string | null, now: Date, alert: boolean, off: string[]): OffChatStep[] {
    const steps: OffChatStep[] = [];
    const kind = znsKindOfStep(step);
    if (this.options.zns && kind && this.options.zns.templates.byKind.has(kind)) {
      const normal = normalizeVietnamMobile(phone);
      if (off.includes("zns")) steps.push({ channel: "zns", address: normal.ok ? normal.phone : (phone ?? ""), unusable: "turned_off" });
      else if (!normal.ok) steps.push({ channel: "zns", address: phone ?? "", unusable: normal.reason === "empty" ? "no_phone" : `phone_${normal.reason}` });
      else if (this.znsBudgetSpent(now, alert)) steps.push({ channel: "zns", address: normal.phone, unusable: "zns_budget_spent" });
      else steps.push({ channel: "zns", address: normal.phone });
    }
    if (this.options.email) {
      const address = email?.trim().toLowerCase() ?? "";
      if (off.includes("email")) steps.push({ channel: "email", address, unusable: "turned_off" });
      else if (address === "") steps.push({ channel: "email", address, unusable: "no_email" });
      else if (this.options.store.isUnsubscribed(address)) steps.push({ channel: "email", address, unusable: "email_unsubscribed" });
      else steps.push({ channel: "email", address });
    }
    return steps;
  }

  private znsBudgetSpent(now: Date, alert = true): boolean {
    const usage = this.znsUsage(now);
    if (usage.sent < usage.budget) return false;
    if (alert && this.options.store.claimBudgetAlert(usage.month, now)) this.options.onBudgetSpent?.(usage.month, usage.budget);
    return true;
  }
}

function valuesOf(facts: ReminderFacts, dueOn: string, today: string): Record<string, string | number> {
  return {
    "person.name": facts.personName,
    "unit.name": facts.unitName,
    "task.title": facts.taskTitle,
    "task.due_date": formatDate(dueOn),
    "task.days_late": Math.max(0, daysBetween(dueOn, today)),
    "summary.late_count": facts.schools === null ? 0 : (JSON.parse(facts.schools) as unknown[]).length,
  };
}
