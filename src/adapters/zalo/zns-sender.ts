import { SendError, type SendResult } from "../../core/delivery/send-error.js";
import type { OutboundMessage } from "../../core/types.js";
import type { ChannelSender, SendContext } from "../../outbox/outbox-port.js";
import { fillZnsTemplate, type ZnsTemplates } from "../../reach/zns-templates.js";
import { ZaloApiError, type ZnsQuota } from "./zalo-client.js";
import { toFailure } from "./zalo-sender.js";
import { znsFailure } from "./zns-errors.js";

/** The slice of ZaloClient ZNS uses. */
export interface ZnsMessaging {
  sendTemplate(message: { phone: string; templateId: string; templateData: Record<string, string>; trackingId: string }): Promise<{
    messageId: string;
    quota: ZnsQuota | undefined;
  }>;
  health(): string;
}

/**
 * The ZNS channel: a row's address is the registry's phone (84… form) and its message is a Zalo-approved
 * template filled from the message kind's structured values (templates/zns.yaml), with the outbox row's id as
 * tracking_id. ZNS refusals map to the shared retry policy (phone not on Zalo: unreachable, the ladder moves on).
 */
export class ZnsSender implements ChannelSender {
  /** Zalo's last word on the daily quota, for /healthz */
  lastQuota: ZnsQuota | undefined;

  constructor(
    private readonly client: ZnsMessaging,
    private readonly templates: ZnsTemplates,
  ) {}

  isReady(): boolean {
    return this.client.health() !== "degraded";
  }

  async send(address: string, _message: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const values = context?.template();
    const template = values && this.templates.byKind.get(values.kind);
    if (!context || !values || !template) {
      throw new SendError({ kind: "bad_request", description: "this message has no ZNS template (templates/zns.yaml)" });
    }
    try {
      const sent = await this.client.sendTemplate({
        phone: address,
        templateId: template.templateId,
        templateData: fillZnsTemplate(template, values.values),
        trackingId: String(context.deliveryId),
      });
      if (sent.quota) this.lastQuota = sent.quota;
      return { providerMessageId: sent.messageId };
    } catch (error) {
      if (error instanceof ZaloApiError && error.code !== -216 && error.code !== -220) throw new SendError(znsFailure(error.code, error.zaloMessage));
      throw new SendError(toFailure(error));
    }
  }
}
