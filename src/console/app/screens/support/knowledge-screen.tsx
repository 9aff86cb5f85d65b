import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { t } from "../../i18n";
import { useRoute } from "../../router";
import { Page } from "../../ui";
import { IntentList } from "../knowledge/intent-list";
import { IntentPage } from "../knowledge/intent-page";
import { NewTopic } from "../knowledge/new-topic";
import { useSession } from "../../session";
import { VersionHistory } from "../knowledge/version-history";
import { StatusLine } from "../knowledge/widgets";

/** Kiến thức (#/knowledge, #/knowledge/<intent id>): teach the running bot; see src/knowledge-edit/. */
export function KnowledgeScreen(): JSX.Element {
  const route = useRoute();
  const [refresh, setRefresh] = useState(0);
  const changed = (): void => setRefresh((n) => n + 1);
  const intent = route.parts[1];
  const session = useSession();
  return (
    <Page title={t("nav.knowledge")} intro={t("knowledge:intro")}>
      <StatusLine refresh={refresh} />
      {intent ? (
        <IntentPage key={intent} id={intent} onChanged={changed} />
      ) : (
        <>
          {session.isDepartmentAdmin ? <NewTopic onChanged={changed} /> : null}
          <IntentList key={refresh} />
        </>
      )}
      <VersionHistory refresh={refresh} onChanged={changed} />
    </Page>
  );
}
