// Zalo followers by OA message type before sending: consultation in the window, promotion outside it, the cost
// in đồng, and who is skipped because this month's promotion messages are used up.
import type { JSX } from "preact";
import { formatNumber } from "../../format";
import { t } from "../../i18n";
import type { ZaloPreview } from "./types";

/** "300 đ" / "300 VND". */
export const zaloMoney = (amount: number): string => t("broadcasts:zalo.money", { amount: formatNumber(amount) });

export function ZaloTypesPanel(props: { zalo: ZaloPreview }): JSX.Element | null {
  const { byType, skipped, costVnd } = props.zalo;
  const types = Object.entries(byType).filter(([, entry]) => entry.followers > 0);
  if (types.length === 0 && skipped.zalo_quota === 0) return null;
  return (
    <div class="zalo-types" aria-labelledby="zalo-types-title">
      <h3 id="zalo-types-title">{t("broadcasts:zalo.title")}</h3>
      <ul>
        {types.map(([type, entry]) => (
          <li key={type} data-type={type}>
            {t("broadcasts:zalo.line", {
              count: entry.followers,
              n: formatNumber(entry.followers),
              type: t(`broadcasts:zalo.types.${type}`, { defaultValue: type }),
              cost:
                entry.charged > 0
                  ? t("broadcasts:zalo.charged", { count: entry.charged, charged: formatNumber(entry.charged), amount: zaloMoney(entry.costVnd) })
                  : t("broadcasts:zalo.free"),
            })}
          </li>
        ))}
      </ul>
      {skipped.zalo_quota > 0 ? <p class="count-skipped">{t("broadcasts:zalo.quota", { count: skipped.zalo_quota, n: formatNumber(skipped.zalo_quota) })}</p> : null}
      <p>
        <strong>{t("broadcasts:zalo.total", { amount: zaloMoney(costVnd) })}</strong>
      </p>
      <p class="hint">{t("broadcasts:zalo.hint")}</p>
    </div>
  );
}
