import type { JSX } from "preact";
import { t } from "../../i18n";
import { Page } from "../../ui";

export function RegistryScreen(): JSX.Element {
  return <Page title={t("nav.registry")}>{null}</Page>;
}
