import type { HandoffRequest, StaffNotifier, Translator } from "../../core/ports.js";
import { SendError } from "../../core/delivery/send-error.js";
import { escapeHtml } from "../../core/render.js";
import type { Locale } from "../../core/types.js";
import type { StaffChatAddress } from "./staff-chat-address.js";
import type { TelegramSender } from "./telegram-sender.js";

const MAX_QUOTE = 500;

/** Posts hand-off requests to the staff Telegram chat (STAFF_CHAT_ID), every value escaped. */
export class TelegramStaffNotifier implements StaffNotifier {
  constructor(
    private readonly sender: TelegramSender,
    private readonly staffChat: StaffChatAddress,
    private readonly translator: Translator,
    private readonly locale: Locale,
    private readonly timeZone: string,
  ) {}

  /** Resolves with the post's id once it is in the staff chat; throws (SendError) when it is not. */
  async notifyHandoff(request: HandoffRequest): Promise<string> {
    const t = (key: string, vars?: Record<string, string | number>) =>
      this.translator.t(`handoff_post.${key}`, this.locale, vars);
    const at = request.at.toLocaleString("vi-VN", { timeZone: this.timeZone });
    const lines = [
      `<b>${escapeHtml(t("title", { id: request.id }))}</b>`,
      escapeHtml(t("meta", { channel: request.channel, locale: request.locale, at })),
      "",
      escapeHtml(t("recent")),
      ...request.recent
        .filter((m) => m.direction === "in")
        .map((m) => `• ${m.text === null ? escapeHtml(t("withheld")) : escapeHtml(m.text.slice(0, MAX_QUOTE))}`),
    ];
    lines.push("", `<i>${escapeHtml(t("reply_hint"))}</i>`);
    const html = lines.join("\n");
    const chat = this.staffChat.current();
    try {
      return await this.sender.sendHtml(chat, html);
    } catch (error) {
      // The group became a supergroup: follow it once, and post there.
      const movedTo = error instanceof SendError && error.failure.kind === "bad_request" ? error.failure.movedTo : undefined;
      if (movedTo === undefined || !this.staffChat.moved(chat, movedTo)) throw error;
      return this.sender.sendHtml(movedTo, html);
    }
  }
}
