import type { ChannelSender } from "../../outbox/outbox-port.js";
import { SendError, type SendFailure, type SendResult } from "../../core/delivery/send-error.js";
import { splitRich, toPlainText } from "../../core/render.js";
import type { Button, OutboundMessage, RichText } from "../../core/types.js";
import { anonymousRecipient } from "./zalo-address.js";
import { ZaloApiError, ZaloHttpError, ZaloTokenError, type ZaloHealth, type ZaloQueryButton } from "./zalo-client.js";

/** Zalo's limit on a consultation message's text. */
export const ZALO_TEXT_LIMIT = 2000;
/** Buttons in one message's template. */
export const ZALO_MAX_BUTTONS = 5;
/** Kept well inside Zalo's limits on a button's title and on an `oa.query.show` payload. */
export const ZALO_BUTTON_TITLE_LIMIT = 100;
export const ZALO_BUTTON_PAYLOAD_LIMIT = 1000;
/** Zalo does not say how long to wait after -32. */
export const ZALO_RATE_LIMIT_WAIT_MS = 60_000;

/** Zalo's error codes the bot acts on. */
export const ZALO_ERRORS = {
  rateLimited: -32,
  userNotFollowing: -213,
  invalidToken: -216,
  expiredToken: -220,
  userInactive: -227,
  outsideWindow: -230,
  outsideWindowAlt: -232,
  /** the user has turned off this type of message from the OA */
  userRestricted: -244,
} as const;

/** The text as Zalo shows it: plain text, NFC (a Vietnamese letter is one character, not two). */
export function zaloText(rich: RichText): string {
  return toPlainText(rich).normalize("NFC");
}

/** What Zalo counts against its 2,000 limit (UTF-16 units: never less than the characters Zalo counts). */
export function zaloLength(rich: RichText): number {
  return zaloText(rich).length;
}

/** The slice of ZaloClient the sender uses. */
export interface ZaloMessaging {
  sendText(userId: string, text: string, buttons?: ZaloQueryButton[]): Promise<{ messageId: string }>;
  health(): ZaloHealth;
}

export interface ZaloSenderOptions {
  /** text of the extra messages carrying buttons beyond the fifth (default "…") */
  moreButtonsText?: string;
  limit?: number;
}

/**
 * Sends one OutboundMessage to a Zalo user as plain text (no HTML), split at paragraph boundaries into
 * messages of at most 2,000 characters; the buttons ride on the last piece as `oa.query.hide`, five to a
 * message (more go in follow-up messages). Anonymous chats get the text only. Every failure comes out as a
 * typed SendError.
 */
export class ZaloSender implements ChannelSender {
  private readonly moreButtonsText: string;
  private readonly limit: number;

  constructor(
    private readonly client: ZaloMessaging,
    options: ZaloSenderOptions = {},
  ) {
    this.moreButtonsText = options.moreButtonsText ?? "…";
    this.limit = Math.min(options.limit ?? ZALO_TEXT_LIMIT, ZALO_TEXT_LIMIT);
  }

  health(): ZaloHealth {
    return this.client.health();
  }

  async send(userId: string, message: OutboundMessage): Promise<SendResult> {
    const texts = splitRich(message.text, this.limit, zaloLength).map(zaloText).filter((t) => t.trim() !== "");
    const groups = anonymousRecipient(userId) ? [] : buttonGroups(message.buttons);
    if (texts.length === 0 && groups.length > 0) texts.push(this.moreButtonsText);
    let lastId = "";
    for (let i = 0; i < texts.length; i++) {
      const isLast = i === texts.length - 1;
      lastId = await this.sendOne(userId, texts[i] as string, isLast ? groups[0] : undefined);
    }
    for (const group of groups.slice(1)) lastId = await this.sendOne(userId, this.moreButtonsText, group);
    return { providerMessageId: lastId };
  }

  private async sendOne(userId: string, text: string, buttons: ZaloQueryButton[] | undefined): Promise<string> {
    try {
      return (await this.client.sendText(userId, text, buttons)).messageId;
    } catch (error) {
      throw new SendError(toFailure(error));
    }
  }
}

/** Buttons as Zalo takes them: titles cut to the limit, unusable payloads dropped, five per message. */
export function buttonGroups(buttons: Button[]): ZaloQueryButton[][] {
  const usable = buttons
    .filter((b) => b.payload !== "" && b.payload.length <= ZALO_BUTTON_PAYLOAD_LIMIT && b.label.trim() !== "")
    .map((b) => ({ title: cut(b.label.normalize("NFC"), ZALO_BUTTON_TITLE_LIMIT), payload: b.payload }));
  const groups: ZaloQueryButton[][] = [];
  for (let i = 0; i < usable.length; i += ZALO_MAX_BUTTONS) groups.push(usable.slice(i, i + ZALO_MAX_BUTTONS));
  return groups;
}

function cut(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join("")}…`;
}

/** Zalo's refusals by error code; failed requests by HTTP status; token trouble as token_invalid. */
export function toFailure(error: unknown): SendFailure {
  if (error instanceof SendError) return error.failure;
  if (error instanceof ZaloApiError) {
    const description = `Zalo error ${error.code}: ${error.zaloMessage}`;
    switch (error.code) {
      case ZALO_ERRORS.rateLimited:
        return { kind: "rate_limited", retryAfterMs: ZALO_RATE_LIMIT_WAIT_MS, description };
      case ZALO_ERRORS.userNotFollowing:
      case ZALO_ERRORS.userInactive:
      case ZALO_ERRORS.userRestricted:
        return { kind: "unreachable", description };
      case ZALO_ERRORS.outsideWindow:
      case ZALO_ERRORS.outsideWindowAlt:
        return { kind: "window_closed", description };
      case ZALO_ERRORS.invalidToken:
      case ZALO_ERRORS.expiredToken:
        return { kind: "token_invalid", description };
      default:
        return { kind: "bad_request", description };
    }
  }
  if (error instanceof ZaloTokenError) {
    // A refresh that could not be made (network, 5xx) may work on a later attempt; a refused one will not.
    if (error.transient) return { kind: "network", description: error.message };
    return { kind: "token_invalid", description: error.message };
  }
  if (error instanceof ZaloHttpError) {
    if (error.status === undefined) return { kind: "network", description: error.message };
    if (error.status === 429) return { kind: "rate_limited", retryAfterMs: ZALO_RATE_LIMIT_WAIT_MS, description: error.message };
    if (error.status >= 500) return { kind: "server", status: error.status, description: error.message };
    return { kind: "bad_request", description: error.message };
  }
  return { kind: "network", description: error instanceof Error ? error.message : String(error) };
}
