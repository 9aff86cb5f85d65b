import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { formatDateTime } from "../../format";
import { t } from "../../i18n";
import { useSession } from "../../session";
import { Button, ConfirmDialog, DataTable, ErrorNotice, Notice, useApi } from "../../ui";
import type { VersionEntry } from "./types";
import { ErrorWithProblems, useGuardedApply } from "./widgets";

/** Who changed what and when; a Department admin may revert a change (itself a new version). */
export function VersionHistory(props: { refresh: number; onChanged: () => void }): JSX.Element {
  const session = useSession();
  const { data, error, reload } = useApi<{ versions: VersionEntry[] }>(`/api/admin/knowledge/versions?r=${props.refresh}`);
  const [asked, setAsked] = useState<VersionEntry | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const guarded = useGuardedApply((_message, result) => {
    setAsked(undefined);
    setDone(t("knowledge:versions.reverted", { version: result.version }));
    reload();
    props.onChanged();
  });
  const canRevert = session.isDepartmentAdmin;
  return (
    <section class="knowledge-versions" aria-labelledby="knowledge-versions-title">
      <h2 id="knowledge-versions-title">{t("knowledge:versions.title")}</h2>
      {done ? <Notice kind="success">{done}</Notice> : null}
      <ErrorNotice error={error} />
      <ErrorWithProblems error={guarded.error} />
      {data ? (
        <DataTable
          caption={t("knowledge:versions.caption")}
          rows={data.versions}
          rowKey={(v) => v.version}
          empty={t("knowledge:versions.none")}
          columns={[
            { key: "version", label: t("knowledge:versions.version"), numeric: true, render: (v) => String(v.version) },
            { key: "at", label: t("knowledge:versions.at"), render: (v) => formatDateTime(v.at) },
            { key: "by", label: t("knowledge:versions.by"), render: (v) => v.by },
            {
              key: "what",
              label: t("knowledge:versions.what"),
              render: (v) => (
                <span>
                  <strong>{t(`knowledge:kinds.${v.kind}`)}</strong>
                  <br />
                  <span class="knowledge-summary">{v.summary}</span>
                  {v.note ? <span class="hint"> — {v.note}</span> : null}
                </span>
              ),
            },
            {
              key: "state",
              label: t("knowledge:versions.state"),
              render: (v) =>
                v.revertedAt ? (
                  t("knowledge:versions.revertedAt", { at: formatDateTime(v.revertedAt) })
                ) : v.kind === "revert" ? (
                  "—"
                ) : canRevert ? (
                  <Button kind="secondary" label={t("knowledge:versions.revertLabel", { version: v.version })} onClick={() => { setDone(undefined); setAsked(v); }}>
                    {t("knowledge:versions.revert")}
                  </Button>
                ) : (
                  t("knowledge:versions.active")
                ),
            },
          ]}
        />
      ) : null}
      <ConfirmDialog
        open={asked !== undefined}
        title={asked ? t("knowledge:versions.confirmTitle", { version: asked.version }) : ""}
        confirmLabel={t("knowledge:versions.revert")}
        danger
        busy={guarded.busy}
        onCancel={() => setAsked(undefined)}
        onConfirm={() => {
          const version = asked?.version;
          // The question closes; a drop in accuracy asks once more in its own dialog.
          setAsked(undefined);
          if (version !== undefined) void guarded.send(`/api/admin/knowledge/versions/${version}/revert`, {});
        }}
      >
        <p>{asked ? t("knowledge:versions.confirmBody", { summary: asked.summary }) : null}</p>
      </ConfirmDialog>
      {guarded.dialog}
    </section>
  );
}
