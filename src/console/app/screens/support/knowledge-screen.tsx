import type { JSX } from "preact";
import { t } from "../../i18n";
import { Page } from "../../ui";

export function KnowledgeScreen(): JSX.Element {
  return <Page title={t("nav.knowledge")}>{null}</Page>;
}
