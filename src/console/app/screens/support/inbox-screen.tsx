// Hỗ trợ: requests for a person (hand-offs), answered from here or from the Telegram staff chat, one thread
// either way. Open requests come first; the list and an open thread refresh themselves every few seconds.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../../api";
import { formatDateTime, formatDuration, formatNumber } from "../../format";
import { t } from "../../i18n";
import { href, useRoute } from "../../router";
import { useSession } from "../../session";
import { Button, ErrorNotice, Loading, Notice, Page, SelectField, useApi } from "../../ui";
import { channelName, languageName, TextArea, usePoll } from "./widgets";

const POLL_MS = 5000;

type Status = "open" | "answered" | "closed";
type Delivery = "queued" | "sent" | "failed" | "on_page";

interface Shown {
  id?: number;
  direction: "in" | "out";
  author: string;
  text: string | null;
  at: string;
  delivery?: Delivery | null;
  /** where a sent answer went when the person's chat could not take it ("email:a@b.vn", "telegram") */
  deliveredVia?: string | null;
}

interface Summary {
  id: number;
  status: Status;
  channel: string;
  locale: string;
  question: string | null;
  createdAt: string;
  answeredAt: string | null;
  waitingSince: string | null;
  waitingSeconds: number | null;
}

interface Listed extends Summary {
  lastMessages: Shown[];
}

interface Thread extends Summary {
  context: Shown[];
  messages: Shown[];
}

interface Stats {
  waiting: number;
  medianFirstAnswerSeconds: number | null;
  answered: number;
  days: number;
}

export function InboxScreen(): JSX.Element {
  const route = useRoute();
  const id = Number(route.parts[1]);
  return Number.isInteger(id) && id > 0 ? <ThreadView id={id} /> : <InboxList />;
}

function statusBadge(status: Status): JSX.Element {
  const kind = status === "open" ? "badge badge-warn" : status === "answered" ? "badge badge-ok" : "badge";
  return <span class={kind}>{t(`support:status.${status}`)}</span>;
}

/** Who wrote a message, in words: the person, the bot, a staff member in the console or the staff chat. */
export function authorText(author: string): string {
  if (author === "person") return t("support:author.person");
  if (author === "bot") return t("support:author.bot");
  if (author.startsWith("telegram:")) return t("support:author.staffChat", { name: author.slice("telegram:".length) });
  return t("support:author.console", { name: author.replace(/^staff:/, "").replace(/^token:\d+\s*/, "") || author });
}

function waited(h: Summary): string {
  return h.waitingSeconds === null ? "" : t("support:waited", { duration: formatDuration(h.waitingSeconds * 1000) });
}

function InboxList(): JSX.Element {
  const [status, setStatus] = useState<"" | Status>("");
  const list = useApi<{ handoffs: Listed[]; stats: Stats }>(`/api/admin/handoffs${status ? `?status=${status}` : ""}`);
  usePoll(list.reload, POLL_MS);
  const stats = list.data?.stats;
  return (
    <Page title={t("nav.inbox")} intro={t("support:inbox.intro")}>
      {stats ? (
        <div class="cards" aria-label={t("support:inbox.statsLabel")} role="group">
          <div class="stat">
            <span class="stat-label">{t("support:inbox.waiting")}</span>
            <span class="stat-value">{formatNumber(stats.waiting)}</span>
          </div>
          <div class="stat">
            <span class="stat-label">{t("support:inbox.medianFirstAnswer")}</span>
            <span class="stat-value">{stats.medianFirstAnswerSeconds === null ? "—" : formatDuration(stats.medianFirstAnswerSeconds * 1000)}</span>
            <span class="stat-note">{t("support:inbox.medianNote", { count: stats.answered, days: stats.days })}</span>
          </div>
        </div>
      ) : null}
      <SelectField
        label={t("support:inbox.filter")}
        value={status}
        onChange={(v) => setStatus(v as "" | Status)}
        options={[
          { value: "", label: t("common.all") },
          { value: "open", label: t("support:status.open") },
          { value: "answered", label: t("support:status.answered") },
          { value: "closed", label: t("support:status.closed") },
        ]}
      />
      <ErrorNotice error={list.error} />
      {!list.data ? (
        list.loading ? <Loading /> : null
      ) : list.data.handoffs.length === 0 ? (
        <p class="empty">{t("support:inbox.empty")}</p>
      ) : (
        <ul class="handoff-list">
          {list.data.handoffs.map((h) => (
            <li key={h.id} class="card handoff-item">
              <h2 class="handoff-title">
                <a href={href("inbox", h.id)}>{t("support:inbox.request", { id: h.id })}</a> {statusBadge(h.status)}
              </h2>
              <p class="handoff-meta">
                {channelName(h.channel)} · {languageName(h.locale)} · {formatDateTime(h.createdAt)}
                {h.waitingSeconds !== null ? <strong class="handoff-waited"> · {waited(h)}</strong> : null}
              </p>
              <ul class="handoff-last" aria-label={t("support:inbox.lastMessages")}>
                {h.lastMessages.map((m, i) => (
                  <li key={i}>
                    <span class="handoff-author">{authorText(m.author)}:</span> {m.text ?? t("support:thread.withheld")}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

function deliveryText(m: Shown): string | null {
  if (m.direction !== "out" || !m.delivery) return null;
  if (m.delivery === "sent" && m.deliveredVia) {
    const [channel = "", address = ""] = m.deliveredVia.split(/:(.*)/s);
    return channel === "email" ? t("support:delivery.sent_by_email", { address }) : t("support:delivery.sent_via", { channel: channelName(channel) });
  }
  return t(`support:delivery.${m.delivery}`);
}

function ThreadView(props: { id: number }): JSX.Element {
  const session = useSession();
  const thread = useApi<Thread>(`/api/admin/handoffs/${props.id}`);
  usePoll(thread.reload, POLL_MS);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState<"" | "reply" | "close" | "reopen">("");
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<{ kind: "success" | "warning"; text: string } | undefined>(undefined);
  const h = thread.data;

  const reply = async (): Promise<void> => {
    if (!h || text.trim() === "") {
      setError(undefined);
      setDone({ kind: "warning", text: t("support:thread.replyEmpty") });
      return;
    }
    setBusy("reply");
    setError(undefined);
    setDone(undefined);
    try {
      const sent = await api<{ delivery: Delivery }>("POST", `/api/admin/handoffs/${props.id}/replies`, { text });
      setText("");
      setDone({ kind: sent.delivery === "failed" ? "warning" : "success", text: t(`support:thread.sent.${sent.delivery}`, { channel: channelName(h.channel) }) });
      thread.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy("");
    }
  };
  const setStatus = async (action: "close" | "reopen"): Promise<void> => {
    setBusy(action);
    setError(undefined);
    setDone(undefined);
    try {
      await api("POST", `/api/admin/handoffs/${props.id}/${action}`);
      setDone({ kind: "success", text: t(action === "close" ? "support:thread.closed" : "support:thread.reopened") });
      thread.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy("");
    }
  };

  return (
    <Page
      title={t("support:inbox.request", { id: props.id })}
      actions={
        <a class="btn btn-secondary" href={href("inbox")}>
          {t("support:thread.back")}
        </a>
      }
    >
      {!h ? (
        thread.error ? <ErrorNotice error={thread.error} /> : <Loading />
      ) : (
        <>
          <p class="handoff-meta">
            {statusBadge(h.status)} {channelName(h.channel)} · {languageName(h.locale)} · {t("support:thread.requestedAt", { at: formatDateTime(h.createdAt) })}
            {h.waitingSeconds !== null ? <strong class="handoff-waited"> · {waited(h)}</strong> : null}
          </p>
          {h.context.length > 0 ? (
            <details class="handoff-context">
              <summary>{t("support:thread.context", { count: h.context.length })}</summary>
              <Messages messages={h.context} label={t("support:thread.contextLabel")} />
            </details>
          ) : null}
          <h2>{t("support:thread.messages")}</h2>
          {h.messages.length === 0 ? <p class="empty">{t("support:thread.noMessages")}</p> : <Messages messages={h.messages} label={t("support:thread.messages")} />}
          {done ? <Notice kind={done.kind}>{done.text}</Notice> : null}
          <ErrorNotice error={error} />
          {session.canWrite ? (
            <div class="handoff-actions">
              {h.status !== "closed" ? (
                <form
                  class="handoff-reply"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void reply();
                  }}
                >
                  <TextArea
                    label={t("support:thread.replyLabel")}
                    hint={t("support:thread.replyHint", { channel: channelName(h.channel) })}
                    value={text}
                    onInput={setText}
                    maxLength={2000}
                  />
                  <Button kind="primary" type="submit" busy={busy === "reply"}>
                    {t("support:thread.send")}
                  </Button>
                  <Button kind="secondary" onClick={() => void setStatus("close")} busy={busy === "close"}>
                    {t("support:thread.close")}
                  </Button>
                </form>
              ) : (
                <Button kind="primary" onClick={() => void setStatus("reopen")} busy={busy === "reopen"}>
                  {t("support:thread.reopen")}
                </Button>
              )}
            </div>
          ) : null}
        </>
      )}
    </Page>
  );
}

function Messages(props: { messages: Shown[]; label: string }): JSX.Element {
  return (
    <ol class="thread" aria-label={props.label}>
      {props.messages.map((m, i) => {
        const delivery = deliveryText(m);
        return (
          <li key={m.id ?? `c${i}`} class={m.direction === "in" ? "thread-msg thread-in" : "thread-msg thread-out"}>
            <div class="thread-head">
              <strong>{authorText(m.author)}</strong> · <time dateTime={m.at}>{formatDateTime(m.at)}</time>
              {delivery ? <span class="thread-delivery"> · {delivery}</span> : null}
            </div>
            <div class="thread-text">{m.text ?? t("support:thread.withheld")}</div>
          </li>
        );
      })}
    </ol>
  );
}
