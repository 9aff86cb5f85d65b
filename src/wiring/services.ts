import { join } from "node:path";
import { AdminTokens } from "../access/admin-tokens.js";
import { BroadcastService } from "../broadcast/broadcast-service.js";
import type { Logger } from "../core/conversation.js";
import type { Clock } from "../core/ports.js";
import { parseQuietHours, type QuietHours } from "../core/time/quiet-hours.js";
import type { Channel } from "../core/types.js";
import { emailOn, zaloOn, znsOn, type Config } from "../config.js";
import type { OpenDatabase } from "../db/database.js";
import { Enqueue } from "../outbox/enqueue.js";
import type { ChannelSender } from "../outbox/outbox-port.js";
import { CLAIM_LEASE_MS, SqliteOutbox } from "../outbox/sqlite-outbox-store.js";
import { ReminderPlanner } from "../reminders/planner.js";
import type { ReminderSettings } from "../reminders/steps.js";
import { loadTaskFile, schoolYearOf, type TaskDefinition } from "../tasks/school-year.js";
import { TaskBoard } from "../tasks/task-board.js";
import { SqliteTaskStore } from "../tasks/task-store.js";
import { reminderSettingsFrom } from "./reminder-settings.js";
import { ReachLadder } from "../reach/ladder.js";
import { SqliteReachStore } from "../reach/sqlite-reach-store.js";
import { loadZnsTemplates, type ZnsTemplates } from "../reach/zns-templates.js";
import { loadZaloMessageTypes, withConsultationWindow, type ZaloMessageType } from "../reach/zalo-message-types.js";

export interface ServiceDeps {
  config: Config;
  database: OpenDatabase;
  clock: Clock;
  logger: Logger;
  /** where templates/ lives (the repository root by default) */
  contentRoot: string;
  /** the channels that can send now (the server's); a CLI has none: the running server sends */
  senders?: Partial<Record<Channel, ChannelSender>>;
  /** the month's ZNS budget is spent (after the log line): the server tells the staff chat */
  onZnsBudgetSpent?: (month: string, budget: number) => void;
}

/** The feature services on one database, built the same way for the server and for every CLI. */
export interface Services {
  quietHours: QuietHours | undefined;
  reminderSettings: ReminderSettings;
  outbox: SqliteOutbox;
  /** every message that goes out through the paced pipeline is written by this one enqueue */
  enqueue: Enqueue;
  taskStore: SqliteTaskStore;
  taskBoard: TaskBoard;
  planner: ReminderPlanner;
  broadcasts: BroadcastService;
  tokens: AdminTokens;
  /** the delivery ladder (reminders to registry staff: chats, then ZNS, then e-mail) */
  ladder: ReachLadder;
  reach: SqliteReachStore;
  /** templates/zns.yaml, when ZNS is on */
  znsTemplates: ZnsTemplates | undefined;
  /** templates/zalo-message-types.yaml (the consultation window from ZALO_CS_WINDOW_DAYS) */
  zaloTypes: ZaloMessageType[];
  /** templates/tasks.yaml, read when a school year is opened */
  taskDefinitions(): TaskDefinition[];
  /** Opens the school year `at` falls in from templates/tasks.yaml, once; tells whether it was created. */
  openCurrentYear(at: Date): { name: string; created: boolean };
}

export function buildServices(deps: ServiceDeps): Services {
  const { config, database, clock, logger } = deps;
  const quietHours = parseQuietHours(config.QUIET_HOURS, config.TZ_NAME);
  const reminderSettings = reminderSettingsFrom(config, quietHours);
  const reach = new SqliteReachStore(database.db);
  const znsTemplates = znsOn(config) ? loadZnsTemplates(join(deps.contentRoot, "templates", "zns.yaml")) : undefined;
  const zaloTypes = withConsultationWindow(loadZaloMessageTypes(join(deps.contentRoot, "templates", "zalo-message-types.yaml")), config.ZALO_CS_WINDOW_DAYS);
  const ladder = new ReachLadder({
    store: reach,
    timeZone: config.TZ_NAME,
    chats: [...(config.TELEGRAM_BOT_TOKEN ? ["telegram"] : []), ...(zaloOn(config) ? ["zalo"] : [])],
    zaloWindowDays: config.ZALO_CS_WINDOW_DAYS,
    zns: znsTemplates ? { templates: znsTemplates, monthlyBudget: config.ZNS_MONTHLY_BUDGET } : undefined,
    email: emailOn(config),
    zaloOutsideWindow: zaloTypes.find((t) => t.window_hours === null && t.use_for.includes("reminder"))?.name,
    onBudgetSpent: (month, budget) => {
      logger.error({ month, budget }, "the month's ZNS budget is spent: reminders skip ZNS (e-mail next) until the month ends or ZNS_MONTHLY_BUDGET is raised");
      deps.onZnsBudgetSpent?.(month, budget);
    },
  });
  const outbox = new SqliteOutbox(database, config.DEFAULT_LOCALE, {
    ladder,
    timeZone: config.TZ_NAME,
    claims: { owner: config.INSTANCE_ID, leaseMs: CLAIM_LEASE_MS },
  });
  const enqueue = new Enqueue(outbox);
  const taskStore = new SqliteTaskStore(database.db);
  const taskBoard = new TaskBoard(taskStore, clock, reminderSettings, enqueue);
  const planner = new ReminderPlanner(database.db, reminderSettings, config.DEFAULT_LOCALE, enqueue, ladder);
  const broadcasts = new BroadcastService({
    db: database.db,
    outbox,
    enqueue,
    clock,
    timeZone: config.TZ_NAME,
    quietHours,
    defaultLocale: config.DEFAULT_LOCALE,
    senders: deps.senders ?? {},
    logger,
    zaloWindowMs: config.ZALO_CS_WINDOW_DAYS * 86_400_000,
    email: emailOn(config),
    zaloTypes,
  });
  const tasksFile = join(deps.contentRoot, "templates", "tasks.yaml");
  const taskDefinitions = (): TaskDefinition[] => loadTaskFile(tasksFile);
  return {
    quietHours,
    reminderSettings,
    outbox,
    enqueue,
    taskStore,
    taskBoard,
    planner,
    broadcasts,
    tokens: new AdminTokens(database.db),
    ladder,
    reach,
    znsTemplates,
    zaloTypes,
    taskDefinitions,
    openCurrentYear: (at) => {
      const { name } = schoolYearOf(at, config.TZ_NAME);
      return { name, created: taskBoard.openYear(name, taskDefinitions()).created };
    },
  };
}
