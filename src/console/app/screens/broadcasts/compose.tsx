// Composing a broadcast in steps: recipients, content, a test to oneself, then when — and a confirmation in words.
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { errorText } from "../../errors";
import { formatDateTime, formatNumber, todayIso, vietnamInstant } from "../../format";
import { t } from "../../i18n";
import { href, navigate } from "../../router";
import { useSession } from "../../session";
import { Button, CheckGroup, ConfirmDialog, DateField, ErrorNotice, Loading, Notice, Page, TextField, useApi } from "../../ui";
import { AudienceCountPanel, useAudienceCount } from "./audience-count";
import { zaloMoney } from "./zalo-types";
import { ChannelPreview } from "./channel-preview";
import { setFlash } from "./flash";
import { MarkdownEditor } from "./markdown-editor";
import { LEVELS, PUSH_CHANNELS, ROLES, type Audience, type Draft, type Preview, type Unit } from "./types";
import { UnitPicker } from "./unit-picker";
import { audienceInWords, channelWord, levelWord, roleWord } from "./words";

const STEPS = ["recipients", "content", "test", "send"] as const;
type Step = (typeof STEPS)[number];

const EMPTY: Draft = { title: "", textVi: "", textEn: "", audience: {}, when: "now", date: undefined, time: "", urgent: false };

/** Empty choices mean "no filter": they are left out, so the server never sees an empty list. */
function cleanAudience(a: Audience): Audience {
  const out: Audience = {};
  if (a.roles?.length) out.roles = a.roles;
  if (a.units?.length) out.units = a.units;
  if (a.levels?.length) out.levels = a.levels;
  if (a.channels?.length) out.channels = a.channels;
  return out;
}

/** The instant the staff member chose, in Vietnam time, as the API reads it; undefined for "now" or an incomplete entry. */
function sendAtOf(d: Draft): string | undefined {
  if (d.when !== "later" || !d.date || !/^\d{1,2}:\d{2}$/.test(d.time.trim())) return undefined;
  const [hh, mm] = d.time.trim().split(":");
  return `${d.date}T${hh!.padStart(2, "0")}:${mm}:00+07:00`;
}

function bodyOf(d: Draft): Record<string, unknown> {
  const sendAt = sendAtOf(d);
  return {
    title: d.title.trim(),
    text: { vi: d.textVi, ...(d.textEn.trim() ? { en: d.textEn } : {}) },
    audience: cleanAudience(d.audience),
    urgent: d.urgent,
    ...(sendAt ? { sendAt } : {}),
  };
}

function stepOfField(field: string | undefined): Step {
  if (!field) return "content";
  if (field.startsWith("audience")) return "recipients";
  if (field === "sendAt") return "send";
  return "content";
}

export function ComposeScreen(): JSX.Element {
  const session = useSession();
  const units = useApi<{ units: Unit[] }>("/api/admin/units");
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [step, setStep] = useState<Step>("recipients");
  const [preview, setPreview] = useState<Preview | undefined>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [testResult, setTestResult] = useState<{ kind: "success" | "error"; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [sendError, setSendError] = useState<unknown>();
  const [previewLocale, setPreviewLocale] = useState<"vi" | "en">("vi");
  const audience = cleanAudience(draft.audience);
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  // Each step's heading takes the focus, so a screen reader says where the staff member now is.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    stepHeading.current?.focus();
  }, [step]);
  const count = useAudienceCount(audience);
  const update = (change: Partial<Draft>): void => setDraft((d) => ({ ...d, ...change }));
  const updateAudience = (change: Partial<Audience>): void => setDraft((d) => ({ ...d, audience: { ...d.audience, ...change } }));

  // The server renders the message per channel (and checks it) as the staff member types.
  const body = bodyOf(draft);
  const bodyKey = JSON.stringify(body);
  const hasContent = draft.title.trim() !== "" && draft.textVi.trim() !== "";
  useEffect(() => {
    if (!hasContent || step === "recipients") return;
    let live = true;
    const timer = setTimeout(() => {
      api<Preview>("POST", "/api/admin/broadcasts/preview", body).then(
        (p) => {
          if (!live) return;
          setPreview(p);
          setPreviewError(undefined);
        },
        (e: unknown) => live && setPreviewError(e),
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [bodyKey, step, hasContent]);

  if (!session.canWrite) {
    return (
      <Page title={t("broadcasts:compose.title")}>
        <Notice kind="info">{t("broadcasts:compose.viewerCannot")}</Notice>
        <a href={href("broadcasts")}>{t("broadcasts:backToList")}</a>
      </Page>
    );
  }
  if (units.loading && !units.data) return <Loading />;

  const unitList = units.data?.units ?? [];
  const stepIndex = STEPS.indexOf(step);
  const fieldError = (name: string): string | undefined =>
    previewError instanceof ApiError && previewError.field === name ? errorText(previewError) : undefined;
  const instant = draft.when === "later" && draft.date ? vietnamInstant(draft.date, draft.time) : undefined;
  const timeBad = draft.when === "later" && draft.time.trim() !== "" && draft.date !== undefined && instant === undefined;
  const inPast = instant !== undefined && instant.getTime() < Date.now() - 60_000;
  const scheduleIncomplete = draft.when === "later" && (instant === undefined || inPast);
  const deliverable = count.report?.deliverable ?? 0;
  // Registry staff with no chat get it by e-mail: they count as reached, on their own line.
  const byEmail = count.report?.byEmail.reach ?? 0;
  // What the Zalo followers will cost (consultation after 48 hours, promotion messages), when any is charged.
  const zaloCost = count.report?.zalo && count.report.zalo.costVnd > 0 ? count.report.zalo.costVnd : undefined;
  // An office admin's audience without units is its office (the server narrows it the same way).
  const officeDefault = !session.isDepartmentAdmin && session.user.unit && !audience.units ? { ...audience, units: [session.user.unit] } : audience;
  const sentence = audienceInWords(officeDefault, unitList);
  const previewChannels = audience.channels?.length ? [...audience.channels, "web"] : ["telegram", "zalo", "web"];
  const effectiveSendAt = preview?.sendAt;
  const heldByQuietHours = effectiveSendAt !== undefined && draft.when === "now" && Date.parse(effectiveSendAt) > Date.now() + 120_000;

  const next = (): void => setStep(STEPS[Math.min(STEPS.length - 1, stepIndex + 1)]!);
  const back = (): void => setStep(STEPS[Math.max(0, stepIndex - 1)]!);
  const contentReady = hasContent && !previewError;

  const testSend = async (): Promise<void> => {
    setBusy(true);
    setTestResult(undefined);
    try {
      const result = await api<{ channel: string }>("POST", "/api/admin/broadcasts/test", body);
      setTestResult({ kind: "success", text: t("broadcasts:test.sent", { channel: channelWord(result.channel) }) });
    } catch (e) {
      setTestResult({ kind: "error", text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const send = async (): Promise<void> => {
    setBusy(true);
    setSendError(undefined);
    try {
      const created = await api<{ id: number; recipients: number; deliverable: number; byEmail: number; status: string }>("POST", "/api/admin/broadcasts", body);
      const fresh = await api<{ sendAt: string; status: string }>("GET", `/api/admin/broadcasts/${created.id}`);
      const when = formatDateTime(fresh.sendAt);
      setFlash(
        created.deliverable + created.byEmail === 0
          ? t("broadcasts:sent.nobody")
          : fresh.status === "scheduled"
            ? t("broadcasts:sent.scheduled", { count: created.deliverable, n: formatNumber(created.deliverable), when })
            : t("broadcasts:sent.sending", { count: created.deliverable, n: formatNumber(created.deliverable) }),
      );
      setConfirming(false);
      navigate("broadcasts", created.id);
    } catch (e) {
      setConfirming(false);
      setSendError(e);
      if (e instanceof ApiError && e.field) setStep(stepOfField(e.field));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t("broadcasts:compose.title")} actions={<a href={href("broadcasts")}>{t("broadcasts:backToList")}</a>}>
      <ol class="steps" aria-label={t("broadcasts:compose.steps")}>
        {STEPS.map((s, i) => (
          <li key={s} class={s === step ? "step step-current" : i < stepIndex ? "step step-done" : "step"} aria-current={s === step ? "step" : undefined}>
            <span class="step-number">{i + 1}</span> {t(`broadcasts:compose.step.${s}`)}
          </li>
        ))}
      </ol>
      <h2 class="step-title" tabIndex={-1} ref={stepHeading}>{t("broadcasts:compose.stepOf", { n: stepIndex + 1, total: STEPS.length, name: t(`broadcasts:compose.step.${step}`) })}</h2>
      <ErrorNotice error={units.error} />
      {sendError ? <ErrorNotice error={sendError} /> : null}

      {step === "recipients" ? (
        <div class="compose-grid">
          <div>
            <CheckGroup
              legend={t("broadcasts:audience.roles")}
              hint={t("broadcasts:audience.rolesHint")}
              options={ROLES.map((r) => ({ value: r, label: roleWord(r) }))}
              selected={draft.audience.roles ?? []}
              onChange={(roles) => updateAudience({ roles })}
            />
            <UnitPicker units={unitList} selected={draft.audience.units ?? []} onChange={(codes) => updateAudience({ units: codes })} />
            <CheckGroup
              legend={t("broadcasts:audience.levels")}
              hint={t("broadcasts:audience.levelsHint")}
              options={LEVELS.map((l) => ({ value: l, label: levelWord(l) }))}
              selected={draft.audience.levels ?? []}
              onChange={(levels) => updateAudience({ levels })}
            />
            <CheckGroup
              legend={t("broadcasts:audience.channels")}
              hint={t("broadcasts:audience.channelsHint")}
              options={PUSH_CHANNELS.map((c) => ({ value: c, label: channelWord(c) }))}
              selected={draft.audience.channels ?? []}
              onChange={(channels) => updateAudience({ channels })}
            />
          </div>
          <div>
            <p class="audience-sentence">{sentence}</p>
            <AudienceCountPanel report={count.report} error={count.error} loading={count.loading} />
          </div>
        </div>
      ) : null}

      {step === "content" ? (
        <div class="compose-grid">
          <div>
            <TextField label={t("broadcasts:content.title")} value={draft.title} onInput={(title) => update({ title })} required error={fieldError("title")} hint={t("broadcasts:content.titleHint")} />
            <MarkdownEditor label={t("broadcasts:content.textVi")} value={draft.textVi} onInput={(textVi) => update({ textVi })} required error={fieldError("text.vi")} hint={t("broadcasts:content.textHint")} />
            <details class="english">
              <summary>{t("broadcasts:content.englishToggle")}</summary>
              <MarkdownEditor label={t("broadcasts:content.textEn")} value={draft.textEn} onInput={(textEn) => update({ textEn })} error={fieldError("text.en")} hint={t("broadcasts:content.textEnHint")} />
            </details>
            {previewError && !(previewError instanceof ApiError && ["title", "text.vi", "text.en"].includes(previewError.field ?? "")) ? <ErrorNotice error={previewError} /> : null}
          </div>
          <div>
            <h2>{t("broadcasts:preview.title")}</h2>
            {draft.textEn.trim() ? <PreviewLocale value={previewLocale} onChange={setPreviewLocale} /> : null}
            {hasContent && preview ? <ChannelPreview rendered={preview.rendered} locale={draft.textEn.trim() ? previewLocale : "vi"} channels={previewChannels} /> : <p class="hint">{t("broadcasts:preview.empty")}</p>}
          </div>
        </div>
      ) : null}

      {step === "test" ? (
        <div>
          <p>{t("broadcasts:test.intro")}</p>
          <Button kind="primary" onClick={() => void testSend()} busy={busy}>
            {t("broadcasts:test.button")}
          </Button>
          {testResult ? <Notice kind={testResult.kind}>{testResult.text}</Notice> : null}
          <h2>{t("broadcasts:preview.title")}</h2>
          {draft.textEn.trim() ? <PreviewLocale value={previewLocale} onChange={setPreviewLocale} /> : null}
          {preview ? <ChannelPreview rendered={preview.rendered} locale={draft.textEn.trim() ? previewLocale : "vi"} channels={previewChannels} /> : <Loading />}
        </div>
      ) : null}

      {step === "send" ? (
        <div class="compose-grid">
          <div>
            <fieldset>
              <legend>{t("broadcasts:schedule.when")}</legend>
              <label class="check">
                <input type="radio" name="when" checked={draft.when === "now"} onChange={() => update({ when: "now" })} />
                <span>{t("broadcasts:schedule.now")}</span>
              </label>
              <label class="check">
                <input type="radio" name="when" checked={draft.when === "later"} onChange={() => update({ when: "later", date: draft.date ?? todayIso() })} />
                <span>{t("broadcasts:schedule.later")}</span>
              </label>
            </fieldset>
            {draft.when === "later" ? (
              <div class="schedule-fields">
                <DateField label={t("broadcasts:schedule.date")} value={draft.date} onChange={(date) => update({ date })} />
                <TextField
                  label={t("broadcasts:schedule.time")}
                  value={draft.time}
                  onInput={(time) => update({ time })}
                  placeholder="08:00"
                  inputMode="numeric"
                  hint={t("broadcasts:schedule.timeHint")}
                  error={timeBad ? t("broadcasts:schedule.timeInvalid") : inPast ? t("broadcasts:schedule.past") : fieldError("sendAt")}
                />
              </div>
            ) : null}
            <label class="check">
              <input type="checkbox" checked={draft.urgent} onChange={(e) => update({ urgent: (e.currentTarget as HTMLInputElement).checked })} />
              <span>{t("broadcasts:schedule.urgent")}</span>
            </label>
            <p class="hint">{t("broadcasts:schedule.urgentHint")}</p>
            {heldByQuietHours && effectiveSendAt ? <Notice kind="info">{t("broadcasts:schedule.quietHours", { when: formatDateTime(effectiveSendAt) })}</Notice> : null}
          </div>
          <div>
            <h2>{t("broadcasts:summary.title")}</h2>
            <dl class="summary">
              <dt>{t("broadcasts:summary.subject")}</dt>
              <dd>{draft.title || "—"}</dd>
              <dt>{t("broadcasts:summary.audience")}</dt>
              <dd>{sentence}</dd>
              <dt>{t("broadcasts:summary.count")}</dt>
              <dd>
                {count.report ? t("broadcasts:count.recipients", { count: deliverable, n: formatNumber(deliverable) }) : "…"}
                {byEmail > 0 ? ` · ${t("broadcasts:count.byEmail", { count: byEmail })}` : null}
              </dd>
              {zaloCost !== undefined ? (
                <>
                  <dt>{t("broadcasts:summary.zaloCost")}</dt>
                  <dd>{zaloMoney(zaloCost)}</dd>
                </>
              ) : null}
              <dt>{t("broadcasts:summary.when")}</dt>
              <dd>{draft.when === "now" ? t("broadcasts:schedule.now") : instant ? formatDateTime(instant) : "—"}</dd>
            </dl>
            {count.report && deliverable + byEmail === 0 ? <Notice kind="warning">{t("broadcasts:count.nobody")}</Notice> : null}
            {!hasContent ? <Notice kind="warning">{t("broadcasts:summary.noContent")}</Notice> : null}
            <Button kind="primary" disabled={!count.report || deliverable + byEmail === 0 || !hasContent || scheduleIncomplete || Boolean(previewError)} onClick={() => setConfirming(true)}>
              {draft.when === "now" ? t("broadcasts:schedule.sendNow") : t("broadcasts:schedule.schedule")}
            </Button>
          </div>
        </div>
      ) : null}

      <div class="step-nav">
        {count.report ? (
          <span class={deliverable === 0 ? "step-count step-count-none" : "step-count"}>{t("broadcasts:count.short", { count: deliverable, n: formatNumber(deliverable) })}</span>
        ) : null}
        {stepIndex > 0 ? <Button onClick={back}>{t("broadcasts:compose.back")}</Button> : null}
        {stepIndex < STEPS.length - 1 ? (
          <Button kind={step === "recipients" ? "primary" : "secondary"} onClick={next} disabled={step === "content" && !contentReady}>
            {t("broadcasts:compose.next")}
          </Button>
        ) : null}
      </div>

      <ConfirmDialog
        open={confirming}
        title={draft.when === "now" ? t("broadcasts:confirm.titleNow") : t("broadcasts:confirm.titleLater")}
        confirmLabel={draft.when === "now" ? t("broadcasts:schedule.sendNow") : t("broadcasts:schedule.schedule")}
        busy={busy}
        onConfirm={() => void send()}
        onCancel={() => setConfirming(false)}
      >
        <p class="confirm-sentence">{t("broadcasts:confirm.sentence", { count: deliverable, n: formatNumber(deliverable), audience: sentence })}</p>
        {byEmail > 0 ? <p>{t("broadcasts:count.byEmail", { count: byEmail })}</p> : null}
        <p>{draft.when === "now" ? t("broadcasts:confirm.now") : t("broadcasts:confirm.later", { when: instant ? formatDateTime(instant) : "" })}</p>
        {zaloCost !== undefined ? <p>{t("broadcasts:zalo.total", { amount: zaloMoney(zaloCost) })}</p> : null}
        <p class="hint">“{draft.title}”</p>
      </ConfirmDialog>
    </Page>
  );
}

/** Which version the preview shows, when there is an English one. */
function PreviewLocale(props: { value: "vi" | "en"; onChange: (locale: "vi" | "en") => void }): JSX.Element {
  return (
    <div class="preview-locale" role="group" aria-label={t("broadcasts:preview.version")}>
      {(["vi", "en"] as const).map((locale) => (
        <button key={locale} type="button" class="md-btn" aria-pressed={props.value === locale ? "true" : "false"} onClick={() => props.onChange(locale)}>
          {t(`broadcasts:preview.locale.${locale}`)}
        </button>
      ))}
    </div>
  );
}
