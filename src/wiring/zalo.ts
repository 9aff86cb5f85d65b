import type express from "express";
import type { Logger as PinoLogger } from "pino";
import { ZaloChannel } from "../adapters/zalo/zalo-channel.js";
import { ZaloClient } from "../adapters/zalo/zalo-client.js";
import { ZaloSender } from "../adapters/zalo/zalo-sender.js";
import { SqliteZaloUsage } from "../adapters/zalo/sqlite-zalo-usage.js";
import { ZaloTypedSender } from "../adapters/zalo/zalo-typed-sender.js";
import type { ZaloMessageType } from "../reach/zalo-message-types.js";
import { zaloEventHandler, zaloWebhookRoute, type ZnsReceipt } from "../adapters/zalo/zalo-webhook.js";
import type { Config } from "../config.js";
import type { Conversation } from "../core/conversation.js";
import type { InboundQueue } from "../core/inbound/inbound-queue.js";
import type { Clock } from "../core/ports.js";
import type { SqliteConversationStore } from "../db/conversation-store.js";
import type { OpenDatabase } from "../db/database.js";
import { SqliteZaloTokens } from "../adapters/zalo/sqlite-zalo-tokens.js";
import type { Metrics } from "../infra/metrics.js";
import { SecretBox } from "../infra/secret-box.js";
import type { I18nTranslator } from "../infra/translator.js";

export interface ZaloParts {
  client: ZaloClient;
  sender: ZaloSender;
  /** the outbox's Zalo sender: consultation, transaction or promotion by templates/zalo-message-types.yaml */
  outboxSender: ZaloTypedSender;
  channel: ZaloChannel;
  route: express.Router;
}

/** The Zalo OA channel, on when the app id and the OA secret key are set. */
export function createZalo(
  config: Config,
  deps: {
    conversation: Conversation;
    translator: I18nTranslator;
    clock: Clock;
    logger: PinoLogger;
    metrics: Metrics;
    store: SqliteConversationStore;
    database: OpenDatabase;
    inbound: InboundQueue;
    zaloTypes: ZaloMessageType[];
    /** ZNS delivery receipts from the webhook, recorded on the outbox row */
    recordZnsReceipt?: (receipt: ZnsReceipt) => boolean;
    sleep: ((ms: number) => Promise<void>) | undefined;
  },
): ZaloParts | undefined {
  if (!config.ZALO_APP_ID || !config.ZALO_OA_SECRET_KEY || !config.ZALO_APP_SECRET) return undefined;
  if (!config.DATA_ENCRYPTION_KEY) deps.logger.warn({}, "DATA_ENCRYPTION_KEY is not set: Zalo tokens are stored unencrypted in the database");
  const box = config.DATA_ENCRYPTION_KEY ? SecretBox.fromKey(config.DATA_ENCRYPTION_KEY) : undefined;
  const client = new ZaloClient({
    appId: config.ZALO_APP_ID,
    appSecret: config.ZALO_APP_SECRET,
    apiBase: config.ZALO_API_BASE,
    businessBase: config.ZALO_BUSINESS_BASE,
    oauthBase: config.ZALO_OAUTH_BASE,
    tokens: new SqliteZaloTokens(deps.database.db, box),
    initialTokens:
      config.ZALO_ACCESS_TOKEN && config.ZALO_REFRESH_TOKEN
        ? { accessToken: config.ZALO_ACCESS_TOKEN, refreshToken: config.ZALO_REFRESH_TOKEN }
        : undefined,
    logger: deps.logger,
    now: () => deps.clock.now().getTime(),
  });
  const zaloSender = new ZaloSender(client);
  const sender = Object.assign(zaloSender, { isReady: () => client.health() !== "degraded" });
  const channel = new ZaloChannel({
    sender,
    conversation: deps.conversation,
    translator: deps.translator,
    clock: deps.clock,
    logger: deps.logger,
    defaultLocale: config.DEFAULT_LOCALE,
    recordInbound: (userId, at) => void deps.store.touchUser("zalo", userId, at),
    markUnreachable: (userId, at) => deps.store.markUnreachable("zalo", userId, at),
    markUnfollowed: (userId, at) => {
      const user = deps.store.touchUser("zalo", userId, at);
      deps.store.setSubscribed(user.id, false, at);
      deps.store.markUnreachable("zalo", userId, at);
    },
    metrics: deps.metrics,
    ...(deps.recordZnsReceipt ? { recordZnsReceipt: deps.recordZnsReceipt } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  deps.inbound.register("zalo", zaloEventHandler(channel.handlers()));
  const route = zaloWebhookRoute({
    appId: config.ZALO_APP_ID,
    oaSecretKey: config.ZALO_OA_SECRET_KEY,
    inbound: deps.inbound,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const outboxSender = new ZaloTypedSender({
    consultation: sender,
    client,
    types: deps.zaloTypes,
    usage: new SqliteZaloUsage(deps.database.db),
    timeZone: config.TZ_NAME,
    now: () => deps.clock.now(),
  });
  return { client, sender, outboxSender, channel, route };
}
