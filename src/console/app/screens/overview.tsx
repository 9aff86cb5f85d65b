import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { formatDate, formatDateTime, formatNumber, formatPercent } from "../format";
import { i18n, t } from "../i18n";
import { href } from "../router";
import { useSession } from "../session";
import { BarChart, DataTable, ErrorNotice, Loading, Page, useApi } from "../ui";

interface Overview {
  day: string;
  questions: { today: number; unanswered: number; unansweredRate: number | null };
  subscribers: { telegram: number; zalo: number };
  broadcastsInFlight: { id: number; title: string; status: string; recipients: number; sendAt: string }[];
  tasksDueSoon: { id: number; title: { vi: string; en: string }; dueOn: string; done: number; applicable: number }[];
  lateByOffice: { office: string | null; officeName: string | null; schools: number }[];
  scoped: boolean;
  zns?: { month: string; sent: number; budget: number; priceVnd: number; estimatedCostVnd: number; zaloDailyQuota: { daily: number; remaining: number } | null };
}

const REFRESH_MS = 60_000;

/** Tổng quan: today's questions, who receives messages, what is being sent, and which tasks need attention. */
export function OverviewScreen(): JSX.Element {
  const session = useSession();
  const { data, error, loading, reload } = useApi<Overview>("/api/admin/overview");
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const lang = i18n.language === "en" ? "en" : "vi";

  return (
    <Page title={t("nav.overview")} intro={data ? t(data.scoped ? "overview.introScoped" : "overview.intro", { day: formatDate(data.day), unit: session.user.unit ?? "" }) : undefined}>
      <ErrorNotice error={error} />
      {loading && !data ? <Loading /> : null}
      {data ? (
        <>
          <div class="cards">
            <Stat label={t("overview.questionsToday")} value={formatNumber(data.questions.today)} />
            <Stat
              label={t("overview.unanswered")}
              value={formatNumber(data.questions.unanswered)}
              note={data.questions.unansweredRate === null ? t("overview.noQuestions") : t("overview.unansweredRate", { rate: formatPercent(data.questions.unansweredRate) })}
              link={{ href: href("review"), label: t("overview.toReview") }}
            />
            <Stat label={t("overview.subscribersTelegram")} value={formatNumber(data.subscribers.telegram)} />
            <Stat label={t("overview.subscribersZalo")} value={formatNumber(data.subscribers.zalo)} />
          </div>
          {data.zns ? <ZnsUsage zns={data.zns} /> : null}
          <div class="overview-grid">
            <BarChart
              title={t("overview.lateByOffice")}
              bars={data.lateByOffice.map((o) => ({
                label: o.officeName ?? t("overview.directlyUnderDepartment"),
                value: o.schools,
                display: t("overview.schoolsCount", { count: o.schools, n: formatNumber(o.schools) }),
              }))}
            />
            {data.lateByOffice.length === 0 ? <p class="empty">{t("overview.nobodyLate")}</p> : null}
            <BarChart
              title={t("overview.subscribersChart")}
              bars={[
                { label: "Telegram", value: data.subscribers.telegram, display: formatNumber(data.subscribers.telegram) },
                { label: "Zalo", value: data.subscribers.zalo, display: formatNumber(data.subscribers.zalo) },
              ]}
            />
          </div>
          <h2>{t("overview.tasksDueSoon")}</h2>
          <DataTable
            caption={t("overview.tasksDueSoon")}
            rows={data.tasksDueSoon}
            rowKey={(r) => r.id}
            empty={t("overview.noTasksDueSoon")}
            columns={[
              { key: "title", label: t("overview.task"), render: (r) => <a href={href("tasks", r.id)}>{lang === "en" ? r.title.en : r.title.vi}</a> },
              { key: "due", label: t("overview.dueOn"), render: (r) => formatDate(r.dueOn) },
              { key: "done", label: t("overview.progress"), numeric: true, render: (r) => t("overview.doneOf", { done: formatNumber(r.done), total: formatNumber(r.applicable) }) },
            ]}
          />
          <h2>{t("overview.broadcastsInFlight")}</h2>
          <DataTable
            caption={t("overview.broadcastsInFlight")}
            rows={data.broadcastsInFlight}
            rowKey={(r) => r.id}
            empty={t("overview.noBroadcasts")}
            columns={[
              { key: "title", label: t("overview.broadcast"), render: (r) => <a href={href("broadcasts", r.id)}>{r.title}</a> },
              { key: "status", label: t("overview.status"), render: (r) => t(`overview.broadcastStatus.${r.status}`) },
              { key: "when", label: t("overview.sendAt"), render: (r) => formatDateTime(r.sendAt) },
              { key: "recipients", label: t("overview.recipients"), numeric: true, render: (r) => formatNumber(r.recipients) },
            ]}
          />
        </>
      ) : null}
    </Page>
  );
}

/** ZNS costs money per message: this month's count against the budget, its estimated cost, Zalo's daily quota. */
function ZnsUsage({ zns }: { zns: NonNullable<Overview["zns"]> }): JSX.Element {
  const [year, month] = zns.month.split("-");
  const money = (amount: number) => t("overview.zns.money", { amount: formatNumber(amount) });
  const quota = zns.zaloDailyQuota;
  return (
    <section aria-labelledby="overview-zns">
      <h2 id="overview-zns">{t("overview.zns.heading")}</h2>
      <div class="cards">
        <Stat
          label={t("overview.zns.sentThisMonth", { month: `${month ?? ""}/${year ?? ""}` })}
          value={t("overview.zns.sentOfBudget", { sent: formatNumber(zns.sent), budget: formatNumber(zns.budget) })}
          note={zns.sent >= zns.budget ? t("overview.zns.budgetSpent") : t("overview.zns.budgetLeft", { left: formatNumber(zns.budget - zns.sent) })}
        />
        <Stat label={t("overview.zns.estimatedCost")} value={money(zns.estimatedCostVnd)} note={t("overview.zns.price", { price: money(zns.priceVnd) })} />
        <Stat
          label={t("overview.zns.dailyQuota")}
          value={quota ? t("overview.zns.dailyQuotaValue", { remaining: formatNumber(quota.remaining), daily: formatNumber(quota.daily) }) : t("overview.zns.dailyQuotaUnknown")}
          note={quota ? t("overview.zns.dailyQuotaNote") : t("overview.zns.dailyQuotaUnknownNote")}
        />
      </div>
    </section>
  );
}

function Stat(props: { label: string; value: string; note?: string; link?: { href: string; label: string } }): JSX.Element {
  return (
    <div class="stat">
      <span class="stat-label">{props.label}</span>
      <span class="stat-value">{props.value}</span>
      {props.note ? <span class="stat-note">{props.note}</span> : null}
      {props.link ? (
        <a class="stat-link" href={props.link.href}>
          {props.link.label}
        </a>
      ) : null}
    </div>
  );
}
