import type { JSX } from "preact";
import { t } from "../../i18n";
import { Page } from "../../ui";

export function BroadcastsScreen(): JSX.Element {
  return <Page title={t("nav.broadcasts")}>{null}</Page>;
}
