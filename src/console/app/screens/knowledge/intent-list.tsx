import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { formatNumber } from "../../format";
import { i18n, t } from "../../i18n";
import { href } from "../../router";
import { DataTable, ErrorNotice, Loading, TextField, useApi } from "../../ui";
import type { IntentSummary } from "./types";

function fold(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
}

export function titleOf(intent: { id: string; title?: { vi: string; en: string } }): string {
  if (!intent.title) return intent.id;
  return i18n.language === "en" ? intent.title.en : intent.title.vi;
}

/** Every topic, searchable by name, id or answer (tone marks optional). */
export function IntentList(): JSX.Element {
  const { data, error, loading } = useApi<{ intents: IntentSummary[] }>("/api/admin/knowledge/intents");
  const [query, setQuery] = useState("");
  if (!data) return error ? <ErrorNotice error={error} /> : loading ? <Loading /> : <></>;
  const words = fold(query).split(/\s+/).filter(Boolean);
  const rows = data.intents.filter((intent) => {
    const haystack = fold(`${intent.id} ${intent.title?.vi ?? ""} ${intent.title?.en ?? ""} ${intent.answer.vi} ${intent.answer.en}`);
    return words.every((w) => haystack.includes(w));
  });
  return (
    <div class="knowledge-list">
      <TextField label={t("knowledge:list.search")} hint={t("knowledge:list.searchHint")} type="search" value={query} onInput={setQuery} />
      <p class="hint" aria-live="polite">
        {t("knowledge:list.count", { shown: formatNumber(rows.length), total: formatNumber(data.intents.length) })}
      </p>
      <DataTable
        caption={t("knowledge:list.caption")}
        rows={rows}
        rowKey={(r) => r.id}
        empty={t("knowledge:list.none")}
        columns={[
          {
            key: "topic",
            label: t("knowledge:list.topic"),
            render: (r) => (
              <span>
                <a href={href("knowledge", r.id)}>{titleOf(r)}</a>
                <br />
                <code class="knowledge-id">{r.id}</code>
              </span>
            ),
          },
          { key: "examples", label: t("knowledge:list.examples"), numeric: true, render: (r) => formatNumber(r.exampleCount) },
          {
            key: "source",
            label: t("knowledge:list.source"),
            render: (r) => <span class={r.source === "overlay" ? "badge badge-warn" : "badge"}>{t(`knowledge:source.${r.source}`)}</span>,
          },
        ]}
      />
    </div>
  );
}
