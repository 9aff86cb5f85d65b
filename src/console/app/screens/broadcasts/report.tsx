// One broadcast: live progress while it goes out, who got it (names and units), the export, and cancel.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, download, query } from "../../api";
import { formatDateTime, formatNumber } from "../../format";
import { t } from "../../i18n";
import { href } from "../../router";
import { useSession } from "../../session";
import { Button, ConfirmDialog, DataTable, ErrorNotice, Loading, Notice, Page, SelectField, useApi } from "../../ui";
import { takeFlash } from "./flash";
import type { Broadcast, DeliveryRow, Unit } from "./types";
import { audienceInWords, channelWord, deliveryStatusWord, reasonWord, roleWord, statusWord } from "./words";

const PAGE = 50;

/** "staff:lan" → "lan", "token:3 Phòng TCCB" → "Phòng TCCB": who created it, without the audit log's prefix. */
export function creatorName(label: string): string {
  return label.replace(/^staff:/, "").replace(/^token:\d+\s*/, "").replace(/^cli:/, "") || label;
}

function StatusBadge(props: { status: string }): JSX.Element {
  const tone = props.status === "done" ? "badge-ok" : props.status === "cancelled" ? "badge-bad" : "badge-warn";
  return <span class={`badge ${tone}`}>{statusWord(props.status)}</span>;
}

export { StatusBadge };

export function ReportScreen(props: { id: number }): JSX.Element {
  const session = useSession();
  const [flash] = useState(takeFlash);
  const [tick, setTick] = useState(0);
  const broadcast = useApi<Broadcast>(`/api/admin/broadcasts/${props.id}?t=${tick}`);
  const units = useApi<{ units: Unit[] }>("/api/admin/units");
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const deliveries = useApi<{ deliveries: DeliveryRow[]; total: number }>(
    `/api/admin/broadcasts/${props.id}/deliveries${query({ status, limit: PAGE, offset, t: tick })}`,
  );
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [outcome, setOutcome] = useState<string | undefined>();
  const b = broadcast.data;
  const live = b?.status === "sending" || b?.status === "scheduled";

  // Progress is polled while the broadcast is going out (every 2 s), and once it is scheduled (every 15 s).
  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(() => setTick((n) => n + 1), b?.status === "sending" ? 2_000 : 15_000);
    return () => clearTimeout(timer);
  }, [live, tick, b?.status]);

  if (!b) {
    return (
      <Page title={t("broadcasts:report.title")} actions={<a href={href("broadcasts")}>{t("broadcasts:backToList")}</a>}>
        {broadcast.error ? <ErrorNotice error={broadcast.error} /> : <Loading />}
      </Page>
    );
  }

  const c = b.counts;
  const total = c.queued + c.sent + c.failed + c.skipped + c.cancelled;
  const finished = total - c.queued;
  const cancel = async (): Promise<void> => {
    setBusy(true);
    setActionError(undefined);
    try {
      const wasScheduled = b.status === "scheduled";
      const after = await api<Broadcast>("POST", `/api/admin/broadcasts/${b.id}/cancel`);
      setOutcome(
        wasScheduled && after.counts.sent === 0
          ? t("broadcasts:report.cancelledScheduled")
          : t("broadcasts:report.cancelled", { count: after.counts.cancelled, n: formatNumber(after.counts.cancelled), sent: formatNumber(after.counts.sent) }),
      );
      setTick((n) => n + 1);
    } catch (e) {
      setActionError(e);
    } finally {
      setConfirmCancel(false);
      setBusy(false);
    }
  };
  const testSend = async (): Promise<void> => {
    setBusy(true);
    setActionError(undefined);
    setOutcome(undefined);
    try {
      const result = await api<{ channel: string }>("POST", `/api/admin/broadcasts/${b.id}/test`);
      setOutcome(t("broadcasts:test.sent", { channel: channelWord(result.channel) }));
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };
  const exportXlsx = async (): Promise<void> => {
    setActionError(undefined);
    try {
      await download(`/api/admin/broadcasts/${b.id}/deliveries.xlsx`, `thong-bao-${b.id}.xlsx`);
    } catch (e) {
      setActionError(e);
    }
  };

  const stats: [string, number][] = [
    ["sent", c.sent],
    ["failed", c.failed],
    ["skipped", c.skipped],
    ["queued", c.queued],
    ["cancelled", c.cancelled],
  ];

  return (
    <Page
      title={b.title}
      actions={
        <>
          <a href={href("broadcasts")}>{t("broadcasts:backToList")}</a>
          <Button onClick={() => void exportXlsx()}>{t("broadcasts:report.export")}</Button>
          {session.canWrite && b.status === "scheduled" ? (
            <Button onClick={() => void testSend()} busy={busy}>
              {t("broadcasts:test.button")}
            </Button>
          ) : null}
          {session.canWrite && live ? (
            <Button kind="danger" onClick={() => setConfirmCancel(true)}>
              {t("broadcasts:report.cancel")}
            </Button>
          ) : null}
        </>
      }
    >
      {flash ? <Notice kind="success">{flash}</Notice> : null}
      {outcome ? <Notice kind="success">{outcome}</Notice> : null}
      <ErrorNotice error={actionError} />
      <dl class="summary">
        <dt>{t("broadcasts:report.status")}</dt>
        <dd>
          <StatusBadge status={b.status} />
        </dd>
        <dt>{t("broadcasts:summary.audience")}</dt>
        <dd>{audienceInWords(b.audience, units.data?.units ?? [])}</dd>
        <dt>{b.status === "scheduled" ? t("broadcasts:report.sendAt") : t("broadcasts:report.sentAt")}</dt>
        <dd>{formatDateTime(b.sendAt)}</dd>
        <dt>{t("broadcasts:report.createdBy")}</dt>
        <dd>
          {creatorName(b.createdBy)} · {formatDateTime(b.createdAt)}
        </dd>
      </dl>
      {b.status !== "scheduled" ? (
        <div class="progress-block" aria-live="polite">
          <label for="broadcast-progress">{t("broadcasts:report.progress", { done: formatNumber(finished), total: formatNumber(total) })}</label>
          <progress id="broadcast-progress" max={Math.max(1, total)} value={finished} />
          {b.status === "done" && c.sent === 0 ? <Notice kind="warning">{t("broadcasts:report.nobodyReached")}</Notice> : null}
        </div>
      ) : null}
      <ul class="report-stats">
        {stats.map(([key, n]) => (
          <li key={key} class="stat">
            <span class="stat-label">{deliveryStatusWord(key)}</span>
            <span class="stat-value">{formatNumber(n)}</span>
          </li>
        ))}
      </ul>
      {Object.keys(c.reasons).length > 0 ? (
        <>
          <h2>{t("broadcasts:report.reasons")}</h2>
          <ul class="reasons">
            {Object.entries(c.reasons).map(([reason, n]) => (
              <li key={reason}>
                {reasonWord(reason)}: <strong>{formatNumber(n)}</strong>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h2>{t("broadcasts:report.recipients")}</h2>
      <SelectField
        label={t("broadcasts:report.filter")}
        value={status}
        onChange={(v) => {
          setStatus(v);
          setOffset(0);
        }}
        options={[{ value: "", label: t("broadcasts:report.all") }, ...["sent", "failed", "skipped", "queued", "cancelled"].map((s) => ({ value: s, label: deliveryStatusWord(s) }))]}
      />
      <ErrorNotice error={deliveries.error} />
      {deliveries.data ? (
        <>
          <DataTable
            caption={t("broadcasts:report.recipients")}
            rows={deliveries.data.deliveries}
            rowKey={(r) => r.id}
            empty={t("broadcasts:report.noRows")}
            columns={[
              { key: "name", label: t("broadcasts:report.col.name"), render: (r) => r.name ?? (r.role ? roleWord(r.role) : t("broadcasts:report.unnamed")) },
              { key: "units", label: t("broadcasts:report.col.units"), render: (r) => r.units ?? "—" },
              { key: "channel", label: t("broadcasts:report.col.channel"), render: (r) => (r.email ? `${channelWord(r.channel)} (${r.email})` : channelWord(r.channel, r.zaloType)) },
              { key: "status", label: t("broadcasts:report.col.status"), render: (r) => deliveryStatusWord(r.status) },
              { key: "reason", label: t("broadcasts:report.col.reason"), render: (r) => (r.reason ? reasonWord(r.reason) : "—") },
              { key: "at", label: t("broadcasts:report.col.at"), render: (r) => formatDateTime(r.doneAt) },
              { key: "delivered", label: t("broadcasts:report.col.delivered"), render: (r) => formatDateTime(r.deliveredAt) },
            ]}
          />
          {deliveries.data.total > PAGE ? (
            <div class="pager">
              <Button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                {t("broadcasts:report.previous")}
              </Button>
              <span>
                {t("broadcasts:report.range", {
                  from: formatNumber(offset + 1),
                  to: formatNumber(Math.min(offset + PAGE, deliveries.data.total)),
                  total: formatNumber(deliveries.data.total),
                })}
              </span>
              <Button disabled={offset + PAGE >= deliveries.data.total} onClick={() => setOffset(offset + PAGE)}>
                {t("broadcasts:report.next")}
              </Button>
            </div>
          ) : null}
        </>
      ) : (
        <Loading />
      )}

      <ConfirmDialog
        open={confirmCancel}
        title={t("broadcasts:report.cancelTitle")}
        confirmLabel={t("broadcasts:report.cancelConfirm")}
        danger
        busy={busy}
        onConfirm={() => void cancel()}
        onCancel={() => setConfirmCancel(false)}
      >
        <p>
          {b.status === "scheduled"
            ? t("broadcasts:report.cancelBodyScheduled", { when: formatDateTime(b.sendAt) })
            : t("broadcasts:report.cancelBody", { count: c.queued, n: formatNumber(c.queued), sent: formatNumber(c.sent) })}
        </p>
      </ConfirmDialog>
    </Page>
  );
}
