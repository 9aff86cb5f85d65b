import type { JSX } from "preact";
import { t } from "../i18n";
import { Page } from "../ui";

export function OverviewScreen(): JSX.Element {
  return <Page title={t("nav.overview")}>{null}</Page>;
}
