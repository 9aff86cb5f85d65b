import type { JSX } from "preact";
import { t } from "../../i18n";
import { Page } from "../../ui";

export function ReviewScreen(): JSX.Element {
  return <Page title={t("nav.review")}>{null}</Page>;
}
