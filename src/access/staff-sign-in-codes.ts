import { randomInt, timingSafeEqual } from "node:crypto";
import type { Logger } from "../core/conversation.js";
import type { Translator } from "../core/ports.js";
import { renderTemplate } from "../core/rich-text.js";
import type { Channel, Locale } from "../core/types.js";
import type { ChannelSender } from "../outbox/outbox-port.js";
import type { StaffAccountRow } from "./staff-account-store.js";
import { sha256, StaffError, type StaffAccounts } from "./staff-accounts.js";

const CODE_MINUTES = 10;
const CODE_TRIES = 5;
/** a new code at most this often, so the endpoint cannot be used to flood someone's chat */
const RESEND_SECONDS = 60;

export interface SignInCodeDeps {
  accounts: StaffAccounts;
  /** the channels this process can send on now */
  senders: Partial<Record<Channel, ChannelSender>>;
  translator: Translator;
  locale: Locale;
  logger?: Logger;
}

/**
 * Sign-in without a password: a 6-digit code sent straight to the staff member's own linked Telegram or Zalo
 * chat (their registry person's chat), valid 10 minutes and for 5 tries; only its hash is stored. It is sent
 * directly rather than through the outbox, so the answer can say whether it really left, and the code never
 * sits in a queue.
 */
export class StaffSignInCodes {
  constructor(private readonly deps: SignInCodeDeps) {}

  async send(login: unknown, ip: string | undefined, now: Date): Promise<{ channel: Channel; expiresAt: Date }> {
    const { accounts } = this.deps;
    const row = this.account(login);
    // An unknown login gets the answer of an account without a linked chat.
    if (!row) throw noLinkedChat(false);
    accounts.assertNotLocked(row, ip, now);
    accounts.assertEnabled(row);
    if (row.codeSentAt !== null && now.getTime() - row.codeSentAt < RESEND_SECONDS * 1000) {
      const seconds = Math.ceil((row.codeSentAt + RESEND_SECONDS * 1000 - now.getTime()) / 1000);
      throw new StaffError(429, "code_recently_sent", `a code was sent less than ${RESEND_SECONDS} seconds ago`, undefined, { retryAfterSeconds: seconds });
    }
    const chat = row.personRef ? accounts.store.linkedChat(row.personRef, Object.keys(this.deps.senders)) : undefined;
    const sender = chat ? this.deps.senders[chat.channel] : undefined;
    if (!chat || !sender) {
      const linkedElsewhere = row.personRef !== null && accounts.store.hasAnyLinkedChat(row.personRef);
      throw noLinkedChat(linkedElsewhere);
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const expiresAt = new Date(now.getTime() + CODE_MINUTES * 60_000);
    const text = this.deps.translator.t("staff_sign_in_code", this.deps.locale, { code, minutes: CODE_MINUTES });
    try {
      await sender.send(chat.address, { text: renderTemplate(text, {}), buttons: [] });
    } catch (error) {
      this.deps.logger?.warn({ ip, login: row.login, channel: chat.channel, err: error instanceof Error ? error.message : String(error) }, "sign-in code could not be sent");
      throw new StaffError(502, "code_not_sent", `${chat.channel} refused the message, so no code was sent; try again or sign in with the password`);
    }
    accounts.store.update(row.id, { codeHash: sha256(`${row.id}:${code}`), codeExpiresAt: expiresAt.getTime(), codeTries: 0, codeSentAt: now.getTime() });
    this.deps.logger?.info({ ip, login: row.login, channel: chat.channel }, "sign-in code sent");
    return { channel: chat.channel, expiresAt };
  }

  /** The account when the code is its current one; the code is used up. */
  verify(login: unknown, code: unknown, ip: string | undefined, now: Date): StaffAccountRow {
    const { accounts } = this.deps;
    const row = this.account(login);
    if (row) accounts.assertNotLocked(row, ip, now);
    if (!row || row.codeHash === null || row.codeExpiresAt === null || row.codeExpiresAt <= now.getTime()) {
      throw new StaffError(401, "code_expired", "no valid code for this account; ask for a new one", "code");
    }
    const given = Buffer.from(sha256(`${row.id}:${typeof code === "string" ? code.trim() : ""}`));
    if (!timingSafeEqual(given, Buffer.from(row.codeHash))) {
      const tries = accounts.store.recordCodeFailure(row.id);
      this.deps.logger?.warn({ ip, login: row.login, tries }, "staff sign-in failed: wrong code");
      if (tries >= CODE_TRIES) {
        accounts.store.update(row.id, { codeHash: null, codeExpiresAt: null });
        throw new StaffError(401, "code_expired", `${CODE_TRIES} wrong codes: this code no longer works; ask for a new one`, "code");
      }
      throw new StaffError(401, "invalid_code", "wrong code", "code", { triesLeft: CODE_TRIES - tries });
    }
    accounts.store.update(row.id, { codeHash: null, codeExpiresAt: null, codeTries: 0 });
    accounts.assertEnabled(row);
    return row;
  }

  private account(login: unknown): StaffAccountRow | undefined {
    const name = typeof login === "string" ? login.trim().toLowerCase() : "";
    return name === "" ? undefined : this.deps.accounts.store.byLogin(name);
  }
}

function noLinkedChat(linkedElsewhere: boolean): StaffError {
  return new StaffError(
    409,
    "no_linked_chat",
    linkedElsewhere
      ? "the account's linked chat is on a channel this server cannot send on now, or it blocked the bot, so no code was sent; sign in with the password"
      : "no Telegram or Zalo chat is linked to this account, so no code was sent; sign in with the password",
    "login",
  );
}
