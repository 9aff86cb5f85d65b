import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../../api";
import { formatDateTime, formatNumber } from "../../format";
import { t } from "../../i18n";
import { href } from "../../router";
import { useSession } from "../../session";
import { Button, ErrorNotice, Notice, Page } from "../../ui";
import type { LetterPerson, LinkLetter, Unit } from "./types";
import { base64, roleText } from "./words";

/** "@sogd_bot" from a Telegram deep link https://t.me/sogd_bot?start=CODE. */
function botName(link: string): string {
  try {
    return `@${new URL(link).pathname.replace(/^\//, "")}`;
  } catch {
    return link;
  }
}

/**
 * The printable link letters of one school (#/registry/letter/<code>, ?it=1 for its IT leads only). Codes are
 * issued only when the staff member asks (each issue replaces the person's older unused code), then printed.
 */
export function LetterPage(props: { unitCode: string; itLeadsOnly: boolean; units: Unit[] }): JSX.Element {
  const session = useSession();
  const [letter, setLetter] = useState<LinkLetter | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const unitName = letter?.unit.name ?? props.units.find((u) => u.code === props.unitCode)?.name ?? props.unitCode;

  const create = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setLetter(await api<LinkLetter>("POST", `/api/admin/units/${encodeURIComponent(props.unitCode)}/link-letter`, { itLeadsOnly: props.itLeadsOnly }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="letter-page">
      <Page
        title={t("registry:letter.title", { unit: unitName })}
        actions={
          <>
            <a class="btn btn-secondary" href={href("registry")}>
              {t("registry:letter.back")}
            </a>
            {letter && letter.people.length > 0 ? (
              <Button kind="primary" onClick={() => window.print()}>
                {t("registry:letter.print")}
              </Button>
            ) : null}
          </>
        }
      >
        <div class="no-print">
          {!session.canWrite ? <Notice kind="info">{t("registry:letter.notAllowed")}</Notice> : null}
          {session.canWrite && !letter ? (
            <>
              <p class="intro">{t("registry:letter.confirmIntro", { unit: unitName })}</p>
              <Button kind="primary" onClick={() => void create()} busy={busy}>
                {t("registry:letter.create")}
              </Button>
            </>
          ) : null}
          <ErrorNotice error={error} />
          {letter ? (
            <Notice kind="success">
              {letter.people.length > 0
                ? t("registry:letter.created", { count: formatNumber(letter.people.length), unit: letter.unit.name })
                : t("registry:letter.nobody", { unit: letter.unit.name })}
              {letter.alreadyLinked.length > 0 ? <p>{t("registry:letter.alreadyLinked", { names: letter.alreadyLinked.map((p) => p.name).join(", ") })}</p> : null}
              {letter.people.some((p) => !p.qrSvg) ? <p>{t("registry:letter.noLinks")}</p> : null}
            </Notice>
          ) : null}
        </div>
        {letter?.people.map((p) => <Letter key={p.ref} person={p} unitName={letter.unit.name} />)}
      </Page>
    </div>
  );
}

function Letter(props: { person: LetterPerson; unitName: string }): JSX.Element {
  const p = props.person;
  const headingId = `letter-${p.ref}`;
  return (
    <article class="letter" aria-labelledby={headingId}>
      <p class="letter-from">{t("registry:letter.subject")}</p>
      <h2 id={headingId}>{t("registry:letter.to", { name: p.name })}</h2>
      <p>{t("registry:letter.roleAt", { role: roleText(p.role), unit: props.unitName })}</p>
      <p>{t("registry:letter.why")}</p>
      <div class="letter-body">
        <div class="letter-code-box">
          <p class="letter-code-label">{t("registry:letter.yourCode")}</p>
          <p class="letter-code">{p.code}</p>
          <p>{t("registry:letter.expires", { time: formatDateTime(p.expiresAt) })}</p>
        </div>
        {p.qrSvg ? (
          <img class="letter-qr" src={`data:image/svg+xml;base64,${base64(p.qrSvg)}`} alt={p.telegramLink ? t("registry:letter.qrAlt", { code: p.code }) : t("registry:letter.qrAltZalo")} width={180} height={180} />
        ) : null}
      </div>
      <h3>{t("registry:letter.stepsTitle")}</h3>
      <ol class="letter-steps">
        {p.telegramLink ? (
          <>
            <li>{t("registry:letter.stepScan")}</li>
            <li>{t("registry:letter.stepStart")}</li>
            <li>{t("registry:letter.stepDone")}</li>
            <li>{t("registry:letter.stepManualTelegram", { bot: botName(p.telegramLink), code: p.code })}</li>
          </>
        ) : (
          <li>{t("registry:letter.stepManual", { code: p.code })}</li>
        )}
        {p.zaloLink ? <li>{t("registry:letter.stepZalo", { link: p.zaloLink, code: p.code })}</li> : null}
      </ol>
      {p.telegramLink ? <p class="letter-link">{p.telegramLink}</p> : null}
      <p class="letter-secret">{t("registry:letter.keepSecret")}</p>
    </article>
  );
}
