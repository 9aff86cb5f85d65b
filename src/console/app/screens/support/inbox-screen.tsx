import type { JSX } from "preact";
import { t } from "../../i18n";
import { Page } from "../../ui";

export function InboxScreen(): JSX.Element {
  return <Page title={t("nav.inbox")}>{null}</Page>;
}
