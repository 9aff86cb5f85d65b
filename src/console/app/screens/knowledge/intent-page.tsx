import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api";
import { formatNumber } from "../../format";
import { t } from "../../i18n";
import { href } from "../../router";
import { useSession } from "../../session";
import { Button, ErrorNotice, Loading, Notice, SelectField, useApi } from "../../ui";
import { titleOf } from "./intent-list";
import type { Bilingual, IntentDetail, IntentSummary, Preview } from "./types";
import { ErrorWithProblems, Problems, TextArea, useGuardedApply } from "./widgets";

const CHANNELS = ["telegram", "zalo", "web"] as const;

/** One topic: its example questions, its answer with a live per-channel preview, and the forms to change them. */
export function IntentPage(props: { id: string; onChanged: () => void }): JSX.Element {
  const { data, error, reload } = useApi<IntentDetail>(`/api/admin/knowledge/intents/${encodeURIComponent(props.id)}`);
  const session = useSession();
  const canEdit = session.isDepartmentAdmin;
  if (!data) return error ? <ErrorNotice error={error} /> : <Loading />;
  const changed = (): void => {
    reload();
    props.onChanged();
  };
  return (
    <div class="knowledge-intent">
      <p>
        <a href={href("knowledge")}>{t("knowledge:intent.back")}</a>
      </p>
      <h2 class="knowledge-intent-title">
        {titleOf(data)} <code class="knowledge-id">{data.id}</code>
      </h2>
      {canEdit ? null : <Notice kind="info">{t("knowledge:intent.readOnly")}</Notice>}
      <AnswerEditor intent={data} canEdit={canEdit} onChanged={changed} />
      <Examples intent={data} />
      {canEdit ? <AddExamples intent={data} onChanged={changed} /> : null}
    </div>
  );
}

function Examples(props: { intent: IntentDetail }): JSX.Element {
  const { examples } = props.intent;
  return (
    <section aria-labelledby="knowledge-examples-title">
      <h3 id="knowledge-examples-title">{t("knowledge:intent.examplesTitle", { count: formatNumber(examples.vi.length + examples.en.length) })}</h3>
      <div class="knowledge-columns">
        {(["vi", "en"] as const).map((locale) => (
          <details key={locale} class="knowledge-examples" open={locale === "vi"}>
            <summary>
              {t(`knowledge:intent.${locale}`)} ({formatNumber(examples[locale].length)})
            </summary>
            <ul lang={locale}>
              {examples[locale].map((text, i) => (
                <li key={i}>{text}</li>
              ))}
            </ul>
          </details>
        ))}
      </div>
    </section>
  );
}

function AnswerEditor(props: { intent: IntentDetail; canEdit: boolean; onChanged: () => void }): JSX.Element {
  const { intent } = props;
  const [answer, setAnswer] = useState<Bilingual>({ vi: intent.answer.vi.trimEnd(), en: intent.answer.en.trimEnd() });
  const initialButtons = intent.buttons.map((b) => b.payload.replace(/^#/, ""));
  const [buttons, setButtons] = useState<string[]>(initialButtons);
  const [preview, setPreview] = useState<Preview | undefined>(undefined);
  const [previewError, setPreviewError] = useState<unknown>(undefined);
  const [updating, setUpdating] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const sequence = useRef(0);
  useEffect(() => {
    setAnswer({ vi: intent.answer.vi.trimEnd(), en: intent.answer.en.trimEnd() });
    setButtons(intent.buttons.map((b) => b.payload.replace(/^#/, "")));
  }, [intent.answer.vi, intent.answer.en, intent.buttons.map((b) => b.payload).join(" ")]);
  // The preview follows the text as it is typed (a short pause first, and only the latest answer counts).
  useEffect(() => {
    const mine = ++sequence.current;
    setUpdating(true);
    const timer = setTimeout(() => {
      api<Preview>("POST", "/api/admin/knowledge/preview", { intent: intent.id, answer, buttons }).then(
        (p) => {
          if (mine !== sequence.current) return;
          setPreview(p);
          setPreviewError(undefined);
          setUpdating(false);
        },
        (e: unknown) => {
          if (mine !== sequence.current) return;
          setPreviewError(e);
          setUpdating(false);
        },
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [answer.vi, answer.en, buttons.join(" "), intent.id]);
  const guarded = useGuardedApply((message) => {
    setDone(message);
    props.onChanged();
  });
  const unchanged = answer.vi.trim() === intent.answer.vi.trim() && answer.en.trim() === intent.answer.en.trim() && buttons.join(" ") === initialButtons.join(" ");
  const fieldProblem = (locale: "vi" | "en"): string | undefined => {
    const p = preview?.problems.find((x) => x.field === `answer.${locale}`);
    return p ? t(`knowledge:problems.${p.code}`, { field: t(`knowledge:intent.answer${locale === "vi" ? "Vi" : "En"}`) }) : undefined;
  };
  return (
    <section aria-labelledby="knowledge-answer-title">
      <h3 id="knowledge-answer-title">{t("knowledge:intent.answerTitle")}</h3>
      {done ? <Notice kind="success">{done}</Notice> : null}
      <ErrorWithProblems error={guarded.error} />
      <div class="knowledge-columns">
        {props.canEdit ? (
          <div class="knowledge-answer-form">
            <TextArea
              label={t("knowledge:intent.answerVi")}
              hint={t("knowledge:intent.answerHint", { example: "{{department_name_vi}}" })}
              lang="vi"
              rows={9}
              value={answer.vi}
              error={fieldProblem("vi")}
              onInput={(vi) => { setDone(undefined); setAnswer((a) => ({ ...a, vi })); }}
            />
            <TextArea
              label={t("knowledge:intent.answerEn")}
              lang="en"
              rows={7}
              value={answer.en}
              error={fieldProblem("en")}
              onInput={(en) => { setDone(undefined); setAnswer((a) => ({ ...a, en })); }}
            />
            <ButtonsEditor
              intent={intent}
              buttons={buttons}
              onChange={(next) => {
                setDone(undefined);
                setButtons(next);
              }}
            />
            <div class="knowledge-actions">
              <Button
                kind="primary"
                busy={guarded.busy}
                disabled={unchanged || (preview !== undefined && !preview.valid)}
                onClick={() => void guarded.send("/api/admin/knowledge/changes", { change: { kind: "edit_answer", intent: intent.id, answer, buttons } })}
              >
                {t("knowledge:intent.apply")}
              </Button>
              <span class="hint">{unchanged ? t("knowledge:intent.unchanged") : preview && !preview.valid ? t("knowledge:intent.fixProblems") : ""}</span>
            </div>
          </div>
        ) : (
          <Buttons intent={intent} />
        )}
        <div class="knowledge-preview" aria-labelledby="knowledge-preview-title">
          <h4 id="knowledge-preview-title">
            {t("knowledge:preview.title")} {updating ? <span class="hint">{t("knowledge:preview.updating")}</span> : null}
          </h4>
          <ErrorNotice error={previewError} />
          {preview ? (
            <>
              {preview.valid ? <p class="knowledge-valid">{t("knowledge:preview.valid")}</p> : <Problems problems={preview.problems} />}
              {CHANNELS.map((channel) => (
                <section key={channel} class="knowledge-channel" aria-label={t(`knowledge:preview.${channel}`)}>
                  <h5>{t(`knowledge:preview.${channel}`)}</h5>
                  {(["vi", "en"] as const).map((locale) => (
                    <div key={locale} class="knowledge-bubble" lang={locale} data-channel={channel} data-locale={locale}>
                      {channel === "telegram" ? (
                        // Server-rendered Telegram HTML: every text escaped, only <b>, <i> and http(s) <a> tags (src/core/render.ts).
                        <div dangerouslySetInnerHTML={{ __html: preview.channels.telegram[locale] }} />
                      ) : (
                        preview.channels[channel][locale]
                      )}
                    </div>
                  ))}
                </section>
              ))}
            </>
          ) : null}
        </div>
      </div>
      {guarded.dialog}
    </section>
  );
}

function Buttons(props: { intent: IntentDetail }): JSX.Element {
  return (
    <div class="knowledge-buttons">
      <p class="field-label">{t("knowledge:intent.buttons")}</p>
      {props.intent.buttons.length === 0 ? (
        <p class="hint">{t("knowledge:intent.noButtons")}</p>
      ) : (
        <ul>
          {props.intent.buttons.map((b) => (
            <li key={b.payload}>
              <span class="badge">{titleOf({ id: b.payload, title: b.label })}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The buttons under the answer: remove one, or add a topic (or the topic menu) as a button. */
function ButtonsEditor(props: { intent: IntentDetail; buttons: string[]; onChange: (buttons: string[]) => void }): JSX.Element {
  const { data } = useApi<{ intents: IntentSummary[] }>("/api/admin/knowledge/intents");
  const [adding, setAdding] = useState("");
  const nameOf = (target: string): string => {
    const known = props.intent.buttons.find((b) => b.payload === `#${target}`);
    if (known) return titleOf({ id: target, title: known.label });
    if (target === "menu") return t("knowledge:intent.menuTarget");
    const intent = data?.intents.find((i) => i.id === target);
    return intent ? titleOf(intent) : target;
  };
  const options = [
    { value: "", label: t("knowledge:intent.chooseButton") },
    ...["menu", ...(data?.intents.map((i) => i.id) ?? [])].filter((id) => !props.buttons.includes(id) && id !== props.intent.id).map((id) => ({ value: id, label: nameOf(id) })),
  ];
  return (
    <fieldset class="knowledge-buttons">
      <legend>{t("knowledge:intent.buttons")}</legend>
      {props.buttons.length === 0 ? (
        <p class="hint">{t("knowledge:intent.noButtons")}</p>
      ) : (
        <ul>
          {props.buttons.map((target) => (
            <li key={target}>
              <span class="badge">{nameOf(target)}</span>{" "}
              <Button kind="link" label={t("knowledge:intent.removeButton", { name: nameOf(target) })} onClick={() => props.onChange(props.buttons.filter((b) => b !== target))}>
                ×
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div class="knowledge-add-button">
        <SelectField label={t("knowledge:intent.addButton")} value={adding} options={options} onChange={setAdding} />
        <Button
          disabled={adding === ""}
          onClick={() => {
            props.onChange([...props.buttons, adding]);
            setAdding("");
          }}
        >
          {t("knowledge:intent.addButtonAction")}
        </Button>
      </div>
    </fieldset>
  );
}

function AddExamples(props: { intent: IntentDetail; onChanged: () => void }): JSX.Element {
  const [text, setText] = useState("");
  const [locale, setLocale] = useState<"vi" | "en">("vi");
  const [done, setDone] = useState<string | undefined>(undefined);
  const [empty, setEmpty] = useState(false);
  const guarded = useGuardedApply((message) => {
    setDone(message);
    setText("");
    props.onChanged();
  });
  const phrases = text.split("\n").map((s) => s.trim()).filter(Boolean);
  return (
    <section aria-labelledby="knowledge-add-title">
      <h3 id="knowledge-add-title">{t("knowledge:addExamples.title")}</h3>
      {done ? <Notice kind="success">{done}</Notice> : null}
      <ErrorWithProblems error={guarded.error} />
      <TextArea
        label={t("knowledge:addExamples.phrases")}
        hint={t("knowledge:addExamples.phrasesHint")}
        rows={4}
        value={text}
        error={empty ? t("knowledge:addExamples.empty") : undefined}
        onInput={(v) => { setEmpty(false); setDone(undefined); setText(v); }}
      />
      <SelectField
        label={t("knowledge:addExamples.locale")}
        value={locale}
        options={[
          { value: "vi", label: t("knowledge:intent.vi") },
          { value: "en", label: t("knowledge:intent.en") },
        ]}
        onChange={(v) => setLocale(v === "en" ? "en" : "vi")}
      />
      <Button
        kind="primary"
        busy={guarded.busy}
        onClick={() => {
          if (phrases.length === 0) {
            setEmpty(true);
            return;
          }
          void guarded.send("/api/admin/knowledge/changes", {
            change: { kind: "add_examples", intent: props.intent.id, examples: phrases.map((p) => ({ text: p, locale })) },
          });
        }}
      >
        {t("knowledge:addExamples.submit")}
      </Button>
      {guarded.dialog}
    </section>
  );
}
