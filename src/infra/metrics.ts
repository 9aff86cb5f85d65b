import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ConversationObserver } from "../core/ports.js";
import type { Channel } from "../core/types.js";

/** Prometheus metrics, one registry per app instance (tests run several apps in one process). */
export class Metrics implements ConversationObserver {
  readonly registry = new Registry();
  readonly updates = new Counter({
    name: "bot_updates_total",
    help: "Inbound updates by channel",
    labelNames: ["channel"],
    registers: [this.registry],
  });
  readonly intents = new Counter({
    name: "bot_intents_total",
    help: "Classified messages by intent",
    labelNames: ["channel", "intent"],
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: "bot_fallbacks_total",
    help: "Messages the bot could not answer (out_of_scope)",
    labelNames: ["channel"],
    registers: [this.registry],
  });
  readonly sendErrors = new Counter({
    name: "bot_send_errors_total",
    help: "Failed sends by channel and failure kind",
    labelNames: ["channel", "kind"],
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "bot_rejected_requests_total",
    help: "Inbound requests refused (bad body, bad secret, rate limit)",
    labelNames: ["channel", "reason"],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: "bot_deliveries_total",
    help: "Outbox delivery attempts by channel and outcome (sent, retry, failed, unreachable)",
    labelNames: ["channel", "outcome"],
    registers: [this.registry],
  });
  readonly inbound = new Counter({
    name: "bot_inbound_events_total",
    help: "Inbound queue events by channel and outcome (accepted, duplicate, stale, done, retry, failed)",
    labelNames: ["channel", "outcome"],
    registers: [this.registry],
  });
  readonly replyLatency = new Histogram({
    name: "bot_reply_latency_seconds",
    help: "Time from receiving a message to having its reply ready",
    labelNames: ["channel"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** set by watchHandoffs: the count is read from the database at each scrape */
  private countWaiting: () => number = () => 0;
  readonly handoffsWaiting = new Gauge({
    name: "bot_handoffs_waiting",
    help: "Hand-offs whose person waits for a staff answer (status open)",
    registers: [this.registry],
    collect: () => {
      this.handoffsWaiting.set(this.countWaiting());
    },
  });
  readonly handoffFirstAnswer = new Histogram({
    name: "bot_handoff_first_answer_seconds",
    help: "Time from a hand-off request to its first staff answer (console or staff chat)",
    buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800],
    registers: [this.registry],
  });

  /** set by watchHandoffs: the median the console's inbox shows, read from the database at each scrape */
  private medianFirstAnswer: () => number | null = () => null;
  readonly handoffFirstAnswerMedian = new Gauge({
    name: "bot_handoff_first_answer_median_seconds",
    help: "Median time to first staff answer of the hand-offs requested in the last 30 days (as the console's inbox shows it); NaN when none was answered",
    registers: [this.registry],
    collect: () => {
      const median = this.medianFirstAnswer();
      this.handoffFirstAnswerMedian.set(median ?? Number.NaN);
    },
  });

  watchHandoffs(countWaiting: () => number, medianFirstAnswer?: () => number | null): void {
    this.countWaiting = countWaiting;
    if (medianFirstAnswer) this.medianFirstAnswer = medianFirstAnswer;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  onUnderstood(channel: Channel, intent: string): void {
    this.intents.inc({ channel, intent });
  }

  onFallback(channel: Channel): void {
    this.fallbacks.inc({ channel });
  }
}
