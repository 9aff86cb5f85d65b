// Thông báo: the list of broadcasts, composing one in steps (#/broadcasts/new) and each one's report (#/broadcasts/12).
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { formatDateTime, formatNumber } from "../../format";
import { t } from "../../i18n";
import { href, useRoute } from "../../router";
import { useSession } from "../../session";
import { Button, DataTable, ErrorNotice, Loading, Page } from "../../ui";
import { ComposeScreen } from "./compose";
import { creatorName, ReportScreen, StatusBadge } from "./report";
import type { Broadcast } from "./types";

export function BroadcastsScreen(): JSX.Element {
  const route = useRoute();
  const sub = route.parts[1];
  if (sub === "new") return <ComposeScreen />;
  if (sub && /^\d+$/.test(sub)) return <ReportScreen key={sub} id={Number(sub)} />;
  return <BroadcastList />;
}

function BroadcastList(): JSX.Element {
  const session = useSession();
  const [rows, setRows] = useState<Broadcast[] | undefined>();
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const [loadingMore, setLoadingMore] = useState(false);

  const load = async (before?: number): Promise<void> => {
    const page = await api<{ broadcasts: Broadcast[]; nextBefore: number | null }>("GET", `/api/admin/broadcasts?limit=25${before ? `&before=${before}` : ""}`);
    setRows((current) => (before && current ? [...current, ...page.broadcasts] : page.broadcasts));
    setNextBefore(page.nextBefore);
  };
  useEffect(() => {
    load().catch(setError);
    // Sending ones move on by themselves: the list looks again every 10 s while any is going out.
  }, []);
  const anyLive = rows?.some((r) => r.status === "sending") ?? false;
  useEffect(() => {
    if (!anyLive) return;
    const timer = setInterval(() => void load().catch(setError), 10_000);
    return () => clearInterval(timer);
  }, [anyLive]);

  return (
    <Page
      title={t("nav.broadcasts")}
      intro={t("broadcasts:list.intro")}
      actions={
        session.canWrite ? (
          <a class="btn btn-primary" href={href("broadcasts", "new")}>
            {t("broadcasts:list.compose")}
          </a>
        ) : undefined
      }
    >
      <ErrorNotice error={error} />
      {rows === undefined ? (
        error ? null : <Loading />
      ) : (
        <DataTable
          caption={t("broadcasts:list.caption")}
          rows={rows}
          rowKey={(r) => r.id}
          empty={session.canWrite ? t("broadcasts:list.emptyWriter") : t("broadcasts:list.empty")}
          columns={[
            { key: "title", label: t("broadcasts:list.col.title"), render: (r) => <a href={href("broadcasts", r.id)}>{r.title}</a> },
            { key: "status", label: t("broadcasts:list.col.status"), render: (r) => <StatusBadge status={r.status} /> },
            { key: "sendAt", label: t("broadcasts:list.col.sendAt"), render: (r) => formatDateTime(r.sendAt) },
            { key: "recipients", label: t("broadcasts:list.col.recipients"), numeric: true, render: (r) => formatNumber(r.recipients) },
            { key: "sent", label: t("broadcasts:list.col.sent"), numeric: true, render: (r) => formatNumber(r.counts.sent) },
            { key: "notSent", label: t("broadcasts:list.col.notSent"), numeric: true, render: (r) => formatNumber(r.counts.failed + r.counts.skipped + r.counts.cancelled) },
            { key: "by", label: t("broadcasts:list.col.by"), render: (r) => creatorName(r.createdBy) },
          ]}
        />
      )}
      {nextBefore ? (
        <Button
          busy={loadingMore}
          onClick={() => {
            setLoadingMore(true);
            load(nextBefore)
              .catch(setError)
              .finally(() => setLoadingMore(false));
          }}
        >
          {t("broadcasts:list.more")}
        </Button>
      ) : null}
    </Page>
  );
}
