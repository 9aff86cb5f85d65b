import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, upload } from "../../api";
import { formatNumber } from "../../format";
import { t } from "../../i18n";
import { useSession } from "../../session";
import { Button, DataTable, ErrorNotice, Field, Notice, SelectField } from "../../ui";
import type { ImportProblem, ImportReport } from "./types";
import { columnLabel, problemText, type ImportKind } from "./words";

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function contentType(file: File): string {
  if (file.type) return file.type;
  return /\.xlsx$/i.test(file.name) ? XLSX_TYPE : "text/csv";
}

/** An import report from a 200 (valid) or a 400 that carries one (problems by row and column). */
function reportOf(error: unknown): ImportReport | undefined {
  if (error instanceof ApiError && Array.isArray(error.extra.problems)) return error.extra as unknown as ImportReport;
  return undefined;
}

/**
 * Upload of a units or people file: a dry run first (the report, or what the import would change), then the
 * import for real. Units are the Department's; an office admin imports people of its own units.
 */
export function ImportPanel(props: { onImported: () => void }): JSX.Element {
  const session = useSession();
  const kinds: ImportKind[] = session.isDepartmentAdmin ? ["people", "units"] : ["people"];
  const [kind, setKind] = useState<ImportKind>("people");
  const [file, setFile] = useState<File | undefined>();
  const [checked, setChecked] = useState<ImportReport | undefined>();
  const [done, setDone] = useState<{ kind: ImportKind; report: ImportReport } | undefined>();
  const [error, setError] = useState<unknown>();
  const [missingFile, setMissingFile] = useState(false);
  const [busy, setBusy] = useState<"check" | "run" | undefined>();

  const reset = (): void => {
    setChecked(undefined);
    setDone(undefined);
    setError(undefined);
  };

  const send = async (dryRun: boolean): Promise<void> => {
    if (!file) {
      setMissingFile(true);
      return;
    }
    setBusy(dryRun ? "check" : "run");
    setError(undefined);
    setDone(undefined);
    try {
      const report = await upload<ImportReport>(`/api/admin/imports/${kind}${dryRun ? "?dryRun=true" : ""}`, file, contentType(file));
      if (dryRun) {
        setChecked(report);
      } else {
        setChecked(undefined);
        setDone({ kind, report });
        props.onImported();
      }
    } catch (e) {
      const report = reportOf(e);
      if (report) setChecked(report);
      else setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const problems = checked && !checked.ok ? checked.problems : [];
  return (
    <section class="registry-section" aria-labelledby="import-heading">
      <h2 id="import-heading">{t("registry:import.heading")}</h2>
      <p class="intro">{t("registry:import.intro")}</p>
      {session.isDepartmentAdmin ? null : <p class="hint">{t("registry:import.officeIntro")}</p>}
      <form
        class="registry-import-form"
        onSubmit={(e) => {
          e.preventDefault();
          void send(true);
        }}
      >
        {kinds.length > 1 ? (
          <SelectField
            label={t("registry:import.kind")}
            value={kind}
            options={kinds.map((k) => ({ value: k, label: t(`registry:import.kinds.${k}`) }))}
            onChange={(value) => {
              setKind(value as ImportKind);
              reset();
            }}
          />
        ) : null}
        <Field label={t("registry:import.file")} hint={t("registry:import.fileHint")} error={missingFile ? t("registry:import.chooseFile") : undefined}>
          {(id, describedBy) => (
            <input
              id={id}
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              aria-describedby={describedBy}
              onChange={(e) => {
                setFile((e.currentTarget as HTMLInputElement).files?.[0]);
                setMissingFile(false);
                reset();
              }}
            />
          )}
        </Field>
        <div class="registry-actions">
          <Button kind={checked?.ok ? "secondary" : "primary"} type="submit" busy={busy === "check"} disabled={busy !== undefined}>
            {t("registry:import.check")}
          </Button>
          {checked?.ok ? (
            <Button kind="primary" onClick={() => void send(false)} busy={busy === "run"} disabled={busy !== undefined}>
              {t("registry:import.run")}
            </Button>
          ) : null}
        </div>
      </form>
      <ErrorNotice error={error} />
      {checked?.ok ? (
        <Notice kind="info">
          {checked.created + checked.updated === 0
            ? t("registry:import.dryRunNothing", { unchanged: formatNumber(checked.unchanged) })
            : t("registry:import.dryRunOk", { created: formatNumber(checked.created), updated: formatNumber(checked.updated), unchanged: formatNumber(checked.unchanged) })}
        </Notice>
      ) : null}
      {done ? (
        <Notice kind="success">
          {t("registry:import.done", {
            kind: t(`registry:import.kinds.${done.kind}`).toLowerCase(),
            created: formatNumber(done.report.created),
            updated: formatNumber(done.report.updated),
            unchanged: formatNumber(done.report.unchanged),
          })}
        </Notice>
      ) : null}
      {problems.length > 0 ? (
        <>
          <Notice kind="error" title={t("registry:import.problemsTitle", { count: problems.length })}>
            {t("registry:import.problemsIntro")}
          </Notice>
          <DataTable<ImportProblem>
            caption={t("registry:import.problemsCaption")}
            rows={problems}
            rowKey={(p) => `${p.row}:${p.column}:${p.code}:${problems.indexOf(p)}`}
            columns={[
              { key: "row", label: t("registry:import.row"), render: (p) => formatNumber(p.row), numeric: true },
              { key: "column", label: t("registry:import.column"), render: (p) => columnLabel(kind, p.column) },
              { key: "problem", label: t("registry:import.problem"), render: (p) => problemText(p) },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}
