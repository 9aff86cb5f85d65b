// Câu hỏi chưa trả lời: the questions the bot could not answer (or answered unsure), grouped by similarity,
// with the bot's guesses. A Department admin teaches the bot from a group (add its questions to a topic, or
// write a new answer) through the knowledge API, or ignores the group.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { formatDateTime, formatNumber, formatPercent } from "../../format";
import { i18n, t } from "../../i18n";
import { useSession } from "../../session";
import { Button, CheckGroup, ConfirmDialog, ErrorNotice, Loading, Notice, Page, SelectField, TextField, useApi } from "../../ui";
import { channelName, languageName, TextArea } from "./widgets";

interface Example {
  text: string;
  at: string;
  channel: string;
  locale: string;
  kind: "unanswered" | "unsure";
}

interface Group {
  key: string;
  count: number;
  examples: Example[];
  firstAt: string;
  lastAt: string;
  guesses: { intent: string; confidence: number }[];
}

interface Groups {
  days: number;
  truncated: boolean;
  groups: Group[];
}

interface KnownIntent {
  id: string;
  title?: { vi?: string; en?: string };
  exampleCount: number;
  answer: { vi?: string; en?: string };
}

type Change =
  | { kind: "add_examples"; intent: string; examples: { text: string; locale: string }[] }
  | {
      kind: "new_intent";
      intent: { id: string; questions: { vi: string[]; en: string[] }; answer: { vi: string; en: string }; buttons: { label: { vi: string; en: string }; payload: string }[] };
    };

interface Applied {
  version: string | number;
  applied: boolean;
  accuracy?: { before: number; after: number };
}

const DAYS = [7, 30, 90];

export function ReviewScreen(): JSX.Element {
  const session = useSession();
  const [days, setDays] = useState("30");
  const groups = useApi<Groups>(`/api/admin/review/groups?days=${days}`);
  // The topics and their titles, to name the guesses and to teach; absent until the knowledge API is there.
  const known = useApi<{ intents: KnownIntent[] }>("/api/admin/knowledge/intents");
  const [done, setDone] = useState<string | undefined>(undefined);
  const canAct = session.canWrite && session.isDepartmentAdmin;
  const resolved = (message: string): void => {
    setDone(message);
    groups.reload();
  };
  return (
    <Page title={t("nav.review")} intro={t("support:review.intro")}>
      <SelectField label={t("support:review.days")} value={days} onChange={setDays} options={DAYS.map((d) => ({ value: String(d), label: t("support:review.lastDays", { count: d }) }))} />
      {done ? <Notice kind="success">{done}</Notice> : null}
      <ErrorNotice error={groups.error} />
      {!groups.data ? (
        groups.loading ? <Loading /> : null
      ) : groups.data.groups.length === 0 ? (
        <p class="empty">{t("support:review.empty", { count: groups.data.days })}</p>
      ) : (
        <>
          <p class="review-summary">{t("support:review.summary", { groups: groups.data.groups.length, questions: groups.data.groups.reduce((n, g) => n + g.count, 0) })}</p>
          {groups.data.truncated ? <Notice kind="info">{t("support:review.truncated")}</Notice> : null}
          <ul class="review-groups">
            {groups.data.groups.map((g) => (
              <GroupCard key={g.key} group={g} days={groups.data!.days} canAct={canAct} onResolved={resolved} known={known} />
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}

type Known = { data: { intents: KnownIntent[] } | undefined; error: unknown; loading: boolean };

function guessName(intent: string, known: Known): string {
  const found = known.data?.intents.find((i) => i.id === intent);
  return found ? intentLabel(found) : intent;
}

function GroupCard(props: { group: Group; days: number; canAct: boolean; onResolved: (message: string) => void; known: Known }): JSX.Element {
  const g = props.group;
  const [panel, setPanel] = useState<"" | "teach" | "new">("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const headingId = `group-${g.key}`;

  const ignore = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{ hidden: number }>("POST", `/api/admin/review/groups/${g.key}/resolve`, { how: "ignored", days: props.days });
      props.onResolved(t("support:review.ignored", { count: r.hidden }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class="card review-group" aria-labelledby={headingId}>
      <h2 id={headingId} class="review-title">
        <span class="review-count">{t("support:review.count", { count: g.count, formatted: formatNumber(g.count) })}</span>
        <span class="review-lead">“{g.examples[0]?.text ?? ""}”</span>
      </h2>
      <p class="review-dates">{t("support:review.dates", { first: formatDateTime(g.firstAt), last: formatDateTime(g.lastAt) })}</p>
      <h3>{t("support:review.examples")}</h3>
      <ul class="review-examples">
        {g.examples.map((e, i) => (
          <li key={i}>
            <q class="review-text">{e.text}</q>
            <span class="review-example-meta">
              {formatDateTime(e.at)} · {channelName(e.channel)} · {languageName(e.locale)} · {t(`support:review.kind.${e.kind}`)}
            </span>
          </li>
        ))}
      </ul>
      <p class="review-guesses">
        <strong>{t("support:review.guesses")}</strong>{" "}
        {g.guesses.length === 0
          ? t("support:review.noGuess")
          : g.guesses.map((x) => t("support:review.guess", { intent: guessName(x.intent, props.known), confidence: formatPercent(x.confidence) })).join("; ")}
      </p>
      <ErrorNotice error={error} />
      {props.canAct ? (
        <div class="review-actions">
          <Button kind={panel === "teach" ? "primary" : "secondary"} onClick={() => setPanel(panel === "teach" ? "" : "teach")}>
            {t("support:review.teach")}
          </Button>
          <Button kind={panel === "new" ? "primary" : "secondary"} onClick={() => setPanel(panel === "new" ? "" : "new")}>
            {t("support:review.newAnswer")}
          </Button>
          <Button kind="secondary" busy={busy} onClick={() => void ignore()}>
            {t("support:review.ignore")}
          </Button>
        </div>
      ) : null}
      {panel === "teach" ? <TeachPanel group={g} days={props.days} onResolved={props.onResolved} known={props.known} /> : null}
      {panel === "new" ? <NewAnswerPanel group={g} days={props.days} onResolved={props.onResolved} /> : null}
    </li>
  );
}

function intentLabel(intent: KnownIntent): string {
  const lang = i18n.language === "en" ? "en" : "vi";
  const title = intent.title?.[lang] ?? intent.title?.vi;
  return title ? `${title} (${intent.id})` : intent.id;
}

/**
 * Sends a change to the knowledge engine. A change that lowers the held-out accuracy by more than a point is
 * refused (409 accuracy_drop) until confirmed: the caller shows the drop and asks again.
 */
function useKnowledgeChange(group: Group, days: number, onResolved: (message: string) => void, describe: (applied: Applied) => string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [drop, setDrop] = useState<{ change: Change; before: number; after: number } | undefined>(undefined);
  const send = async (change: Change, confirm: boolean): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const applied = await api<Applied>("POST", "/api/admin/knowledge/changes", { change, ...(confirm ? { confirm: true } : {}) });
      setDrop(undefined);
      try {
        const resolved = await api<{ alreadyAnswered?: boolean }>("POST", `/api/admin/review/groups/${group.key}/resolve`, {
          how: "taught",
          intent: change.kind === "add_examples" ? change.intent : change.intent.id,
          version: String(applied.version),
          days,
        });
        onResolved(`${describe(applied)} ${t(resolved.alreadyAnswered ? "support:teach.alreadyAnswered" : "support:teach.marked")}`);
      } catch {
        // The bot learnt it all the same: say so, and that the group is still listed.
        onResolved(`${describe(applied)} ${t("support:teach.notMarked")}`);
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === "accuracy_drop" && !confirm) {
        const accuracy = e.extra.accuracy as { before: number; after: number } | undefined;
        setDrop({ change, before: accuracy?.before ?? 0, after: accuracy?.after ?? 0 });
      } else {
        setDrop(undefined);
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };
  const dialog = (
    <ConfirmDialog
      open={drop !== undefined}
      title={t("support:teach.dropTitle")}
      confirmLabel={t("support:teach.dropConfirm")}
      danger
      busy={busy}
      onConfirm={() => drop && void send(drop.change, true)}
      onCancel={() => setDrop(undefined)}
    >
      <p>{drop ? t("support:teach.dropText", { before: formatPercent(drop.before), after: formatPercent(drop.after) }) : null}</p>
    </ConfirmDialog>
  );
  return { busy, error, send, dialog };
}

function accuracyText(applied: Applied): string {
  return applied.accuracy ? t("support:teach.accuracy", { before: formatPercent(applied.accuracy.before), after: formatPercent(applied.accuracy.after) }) : "";
}

function TeachPanel(props: { group: Group; days: number; onResolved: (message: string) => void; known: Known }): JSX.Element {
  const known = props.known;
  const g = props.group;
  const [intent, setIntent] = useState(g.guesses[0]?.intent ?? "");
  const [chosen, setChosen] = useState<string[]>(g.examples.map((_, i) => String(i)));
  const [missing, setMissing] = useState<string | undefined>(undefined);
  const change = useKnowledgeChange(g, props.days, props.onResolved, (applied) =>
    [t("support:teach.added", { count: chosen.length, intent, version: applied.version }), accuracyText(applied)].filter(Boolean).join(" "),
  );
  const intents = known.data?.intents ?? [];
  const selected = intents.find((i) => i.id === intent);
  const submit = (): void => {
    if (!selected) return setMissing(t("support:teach.pickIntent"));
    if (chosen.length === 0) return setMissing(t("support:teach.pickExamples"));
    setMissing(undefined);
    const examples = chosen.map((i) => g.examples[Number(i)]!).map((e) => ({ text: e.text, locale: e.locale }));
    void change.send({ kind: "add_examples", intent: selected.id, examples }, false);
  };
  return (
    <form
      class="review-panel"
      aria-label={t("support:review.teach")}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {known.error instanceof ApiError && known.error.status === 404 ? <Notice kind="warning">{t("support:teach.unavailable")}</Notice> : <ErrorNotice error={known.error} />}
      {known.loading && !known.data ? <Loading /> : null}
      {known.data ? (
        <>
          <SelectField
            label={t("support:teach.intent")}
            value={selected ? intent : ""}
            onChange={setIntent}
            options={[{ value: "", label: t("support:teach.choose") }, ...intents.map((i) => ({ value: i.id, label: intentLabel(i) }))]}
          />
          {selected ? (
            <p class="hint">
              {t("support:teach.current", { count: selected.exampleCount })} {selected.answer[i18n.language === "en" ? "en" : "vi"] ?? ""}
            </p>
          ) : null}
          <CheckGroup legend={t("support:teach.examples")} options={g.examples.map((e, i) => ({ value: String(i), label: e.text }))} selected={chosen} onChange={setChosen} />
          {missing ? <Notice kind="warning">{missing}</Notice> : null}
          <ErrorNotice error={change.error} />
          <Button kind="primary" type="submit" busy={change.busy}>
            {t("support:teach.submit")}
          </Button>
        </>
      ) : null}
      {change.dialog}
    </form>
  );
}

interface ButtonDraft {
  vi: string;
  en: string;
  payload: string;
}

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

function NewAnswerPanel(props: { group: Group; days: number; onResolved: (message: string) => void }): JSX.Element {
  const g = props.group;
  const [id, setId] = useState("");
  const [questionsVi, setQuestionsVi] = useState(g.examples.filter((e) => e.locale !== "en").map((e) => e.text).join("\n"));
  const [questionsEn, setQuestionsEn] = useState(g.examples.filter((e) => e.locale === "en").map((e) => e.text).join("\n"));
  const [answerVi, setAnswerVi] = useState("");
  const [answerEn, setAnswerEn] = useState("");
  const [buttons, setButtons] = useState<ButtonDraft[]>([]);
  const [missing, setMissing] = useState<string | undefined>(undefined);
  const change = useKnowledgeChange(g, props.days, props.onResolved, (applied) =>
    [t("support:newAnswer.created", { intent: id.trim(), version: applied.version }), accuracyText(applied)].filter(Boolean).join(" "),
  );
  const submit = (): void => {
    if (id.trim() === "" || answerVi.trim() === "" || answerEn.trim() === "" || lines(questionsVi).length + lines(questionsEn).length === 0) {
      return setMissing(t("support:newAnswer.missing"));
    }
    setMissing(undefined);
    void change.send(
      {
        kind: "new_intent",
        intent: {
          id: id.trim(),
          questions: { vi: lines(questionsVi), en: lines(questionsEn) },
          answer: { vi: answerVi.trim(), en: answerEn.trim() },
          buttons: buttons.filter((b) => b.payload.trim() !== "").map((b) => ({ label: { vi: b.vi.trim(), en: b.en.trim() }, payload: b.payload.trim() })),
        },
      },
      false,
    );
  };
  const setButton = (i: number, patch: Partial<ButtonDraft>): void => setButtons(buttons.map((b, k) => (k === i ? { ...b, ...patch } : b)));
  return (
    <form
      class="review-panel"
      aria-label={t("support:review.newAnswer")}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <TextField label={t("support:newAnswer.id")} hint={t("support:newAnswer.idHint")} value={id} onInput={setId} />
      <TextArea label={t("support:newAnswer.questionsVi")} hint={t("support:newAnswer.questionsHint")} value={questionsVi} onInput={setQuestionsVi} />
      <TextArea label={t("support:newAnswer.questionsEn")} hint={t("support:newAnswer.questionsHint")} value={questionsEn} onInput={setQuestionsEn} />
      <TextArea label={t("support:newAnswer.answerVi")} value={answerVi} onInput={setAnswerVi} />
      <TextArea label={t("support:newAnswer.answerEn")} value={answerEn} onInput={setAnswerEn} />
      {buttons.map((b, i) => (
        <fieldset key={i} class="review-button">
          <legend>{t("support:newAnswer.button", { n: i + 1 })}</legend>
          <TextField label={t("support:newAnswer.buttonVi")} value={b.vi} onInput={(v) => setButton(i, { vi: v })} />
          <TextField label={t("support:newAnswer.buttonEn")} value={b.en} onInput={(v) => setButton(i, { en: v })} />
          <TextField label={t("support:newAnswer.payload")} hint={t("support:newAnswer.payloadHint")} value={b.payload} onInput={(v) => setButton(i, { payload: v })} />
          <Button kind="link" onClick={() => setButtons(buttons.filter((_, k) => k !== i))}>
            {t("support:newAnswer.removeButton", { n: i + 1 })}
          </Button>
        </fieldset>
      ))}
      <Button kind="secondary" onClick={() => setButtons([...buttons, { vi: "", en: "", payload: "" }])}>
        {t("support:newAnswer.addButton")}
      </Button>
      {missing ? <Notice kind="warning">{missing}</Notice> : null}
      <ErrorNotice error={change.error} />
      <div>
        <Button kind="primary" type="submit" busy={change.busy}>
          {t("support:newAnswer.submit")}
        </Button>
      </div>
      {change.dialog}
    </form>
  );
}
