import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { t } from "../../i18n";
import { href } from "../../router";
import { Button, Notice, TextField } from "../../ui";
import { ErrorWithProblems, TextArea, useGuardedApply } from "./widgets";

const lines = (text: string): string[] => text.split("\n").map((s) => s.trim()).filter(Boolean);

/** A new question-and-answer topic (a new FAQ entry): its id, name, example questions and answer. */
export function NewTopic(props: { onChanged: () => void }): JSX.Element {
  const [open, setOpen] = useState(false);
  const [id, setId] = useState("");
  const [title, setTitle] = useState({ vi: "", en: "" });
  const [questions, setQuestions] = useState({ vi: "", en: "" });
  const [answer, setAnswer] = useState({ vi: "", en: "" });
  const [done, setDone] = useState<{ message: string; id: string } | undefined>(undefined);
  const guarded = useGuardedApply((message) => {
    setDone({ message, id });
    setOpen(false);
    setId("");
    setTitle({ vi: "", en: "" });
    setQuestions({ vi: "", en: "" });
    setAnswer({ vi: "", en: "" });
    props.onChanged();
  });
  if (!open) {
    return (
      <div class="knowledge-new">
        {done ? (
          <Notice kind="success">
            {done.message} <a href={href("knowledge", done.id)}>{t("knowledge:newTopic.see", { id: done.id })}</a>
          </Notice>
        ) : null}
        <Button
          onClick={() => {
            setDone(undefined);
            setOpen(true);
          }}
        >
          {t("knowledge:newTopic.open")}
        </Button>
      </div>
    );
  }
  return (
    <section class="knowledge-new" aria-labelledby="knowledge-new-title">
      <h2 id="knowledge-new-title">{t("knowledge:newTopic.title")}</h2>
      <ErrorWithProblems error={guarded.error} />
      <TextField label={t("knowledge:newTopic.id")} hint={t("knowledge:newTopic.idHint")} value={id} onInput={(v) => setId(v.trim().toLowerCase())} />
      <div class="knowledge-columns">
        <TextField label={t("knowledge:newTopic.titleVi")} value={title.vi} onInput={(vi) => setTitle((x) => ({ ...x, vi }))} />
        <TextField label={t("knowledge:newTopic.titleEn")} value={title.en} onInput={(en) => setTitle((x) => ({ ...x, en }))} />
        <TextArea label={t("knowledge:newTopic.questionsVi")} hint={t("knowledge:addExamples.phrasesHint")} lang="vi" rows={4} value={questions.vi} onInput={(vi) => setQuestions((x) => ({ ...x, vi }))} />
        <TextArea label={t("knowledge:newTopic.questionsEn")} lang="en" rows={4} value={questions.en} onInput={(en) => setQuestions((x) => ({ ...x, en }))} />
        <TextArea label={t("knowledge:intent.answerVi")} hint={t("knowledge:intent.answerHint", { example: "{{department_name_vi}}" })} lang="vi" value={answer.vi} onInput={(vi) => setAnswer((x) => ({ ...x, vi }))} />
        <TextArea label={t("knowledge:intent.answerEn")} lang="en" value={answer.en} onInput={(en) => setAnswer((x) => ({ ...x, en }))} />
      </div>
      <div class="knowledge-actions">
        <Button
          kind="primary"
          busy={guarded.busy}
          onClick={() =>
            void guarded.send("/api/admin/knowledge/changes", {
              change: {
                kind: "new_intent",
                intent: {
                  id,
                  questions: { vi: lines(questions.vi), en: lines(questions.en) },
                  answer,
                  ...(title.vi.trim() && title.en.trim() ? { title: { vi: title.vi.trim(), en: title.en.trim() } } : {}),
                },
              },
            })
          }
        >
          {t("knowledge:newTopic.submit")}
        </Button>
        <Button onClick={() => setOpen(false)}>{t("common.cancel")}</Button>
      </div>
      {guarded.dialog}
    </section>
  );
}
