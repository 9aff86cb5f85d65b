import type { JSX } from "preact";
import { t } from "../../i18n";
import { Page } from "../../ui";

export function TasksScreen(): JSX.Element {
  return <Page title={t("nav.tasks")}>{null}</Page>;
}
