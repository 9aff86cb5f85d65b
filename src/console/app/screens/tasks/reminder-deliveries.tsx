// A unit's reminders for one task, each step the delivery ladder took: the channel, how it ended, when it arrived.
import type { JSX } from "preact";
import { formatDateTime } from "../../format";
import { t } from "../../i18n";
import { DataTable, ErrorNotice, Loading, useApi } from "../../ui";
import { channelWord, deliveryStatusWord, reasonWord } from "../broadcasts/words";

interface ReminderDelivery {
  ref: string;
  name: string;
  step: string;
  scheduledFor: number;
  channel: string;
  email: string | null;
  status: string;
  reason: string | null;
  attempts: number;
  doneAt: number | null;
  deliveredAt: number | null;
}

/** "late-4" → "Trễ hạn 4 ngày"; a summary names its own step; a snooze its date. */
export function stepWord(step: string): string {
  const summary = /^summary-(.+)$/.exec(step);
  if (summary?.[1]) return t("tasks:reminders.steps.summary", { step: stepWord(summary[1]) });
  const days = /^(before|late)-(\d+)$/.exec(step);
  if (days?.[1]) return t(`tasks:reminders.steps.${days[1]}`, { count: Number(days[2]) });
  if (step.startsWith("snooze-")) return t("tasks:reminders.steps.snooze");
  return t(`tasks:reminders.steps.${step}`, { defaultValue: step });
}

export function ReminderDeliveries(props: { taskId: number; unitCode: string; unitName: string; taskTitle: string }): JSX.Element {
  const deliveries = useApi<{ deliveries: ReminderDelivery[] }>(`/api/admin/tasks/${props.taskId}/units/${encodeURIComponent(props.unitCode)}/reminders`);
  return (
    <>
      <h2>{t("tasks:reminders.title")}</h2>
      <p class="hint">{t("tasks:reminders.intro")}</p>
      <ErrorNotice error={deliveries.error} />
      {deliveries.data ? (
        <DataTable
          caption={t("tasks:reminders.caption", { unit: props.unitName, task: props.taskTitle })}
          rows={deliveries.data.deliveries}
          rowKey={(d) => `${d.ref}-${d.step}-${d.channel}-${d.scheduledFor}`}
          empty={t("tasks:reminders.empty")}
          columns={[
            { key: "name", label: t("tasks:reminders.col.name"), render: (d) => `${d.name} (${d.ref})` },
            { key: "step", label: t("tasks:reminders.col.step"), render: (d) => `${stepWord(d.step)} · ${formatDateTime(d.scheduledFor)}` },
            { key: "channel", label: t("tasks:reminders.col.channel"), render: (d) => (d.email ? `${channelWord(d.channel)} (${d.email})` : channelWord(d.channel)) },
            { key: "status", label: t("tasks:reminders.col.status"), render: (d) => deliveryStatusWord(d.status) },
            { key: "reason", label: t("tasks:reminders.col.reason"), render: (d) => (d.reason ? reasonWord(d.reason) : "—") },
            { key: "at", label: t("tasks:reminders.col.at"), render: (d) => formatDateTime(d.doneAt) },
            { key: "delivered", label: t("tasks:reminders.col.delivered"), render: (d) => formatDateTime(d.deliveredAt) },
          ]}
        />
      ) : deliveries.loading ? (
        <Loading />
      ) : null}
    </>
  );
}
