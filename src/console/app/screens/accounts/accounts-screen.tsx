import type { JSX } from "preact";
import { t } from "../../i18n";
import { Page } from "../../ui";

export function AccountsScreen(): JSX.Element {
  return <Page title={t("nav.accounts")}>{null}</Page>;
}
