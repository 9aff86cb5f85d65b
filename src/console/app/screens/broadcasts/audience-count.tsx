// The live count of an audience: who will receive it, on which channel, and who will not and why.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { formatNumber } from "../../format";
import { t } from "../../i18n";
import { ErrorNotice, Notice } from "../../ui";
import type { Audience, AudienceReport } from "./types";
import { channelWord, reasonWord } from "./words";
import { ZaloTypesPanel } from "./zalo-types";

/** Asks the server again (after a short pause while the staff member is still clicking) whenever the audience changes. */
export function useAudienceCount(audience: Audience): { report: AudienceReport | undefined; error: unknown; loading: boolean } {
  const [state, setState] = useState<{ report: AudienceReport | undefined; error: unknown; loading: boolean }>({ report: undefined, error: undefined, loading: true });
  const key = JSON.stringify(audience);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      api<AudienceReport>("POST", "/api/admin/audiences/count", { audience }).then(
        (report) => live && setState({ report, error: undefined, loading: false }),
        (error: unknown) => live && setState({ report: undefined, error, loading: false }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  return state;
}

export function AudienceCountPanel(props: { report: AudienceReport | undefined; error: unknown; loading: boolean }): JSX.Element {
  const { report } = props;
  const reasons = report ? Object.entries(report.notDeliverable).filter(([, n]) => n > 0) : [];
  const notReached = reasons.reduce((sum, [, n]) => sum + n, 0);
  return (
    <section class="count-panel" aria-labelledby="count-title">
      <h2 id="count-title">{t("broadcasts:count.title")}</h2>
      <div aria-live="polite" aria-busy={props.loading ? "true" : "false"}>
        <ErrorNotice error={props.error} />
        {report ? (
          <>
            <p class="count-main">
              <strong class="count-number">{formatNumber(report.deliverable)}</strong> {t("broadcasts:count.willReceive", { count: report.deliverable })}
            </p>
            {Object.keys(report.byChannel).length > 0 ? (
              <p class="hint">
                {Object.entries(report.byChannel)
                  .map(([channel, n]) => `${channelWord(channel)}: ${formatNumber(n ?? 0)}`)
                  .join(" · ")}
              </p>
            ) : null}
            {notReached > 0 ? (
              <>
                <p class="count-skipped">{t("broadcasts:count.notReached", { count: notReached })}</p>
                <ul class="reasons">
                  {reasons.map(([reason, n]) => (
                    <li key={reason}>
                      {reasonWord(reason)}: <strong>{formatNumber(n)}</strong>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {report.zalo ? <ZaloTypesPanel zalo={report.zalo} /> : null}
            {report.byEmail.reach > 0 ? <p class="count-email">{t("broadcasts:count.byEmail", { count: report.byEmail.reach })}</p> : null}
            {report.withoutChat > report.byEmail.reach ? (
              <p class="count-skipped">{t("broadcasts:count.withoutChat", { count: report.withoutChat - report.byEmail.reach })}</p>
            ) : null}
            {report.deliverable + report.byEmail.reach === 0 ? <Notice kind="warning">{t("broadcasts:count.nobody")}</Notice> : null}
            <p class="hint">{t("broadcasts:count.perChat")}</p>
          </>
        ) : props.loading ? (
          <p class="loading">{t("broadcasts:count.counting")}</p>
        ) : null}
      </div>
    </section>
  );
}
