import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { errorText } from "../errors";
import { formatDateTime } from "../format";
import { t, type Language } from "../i18n";
import type { StaffUser } from "../session";
import { LanguageToggle } from "../shell";
import { Button, Notice, TextField } from "../ui";

interface SessionAnswer {
  user: StaffUser;
  csrfToken: string;
}

/** Sign in with a password, or with a one-time code sent to the staff member's own linked Telegram or Zalo chat. */
export function SignInScreen(props: { ended: boolean; language: Language; onLanguage: (l: Language) => void; onSignedIn: (answer: SessionAnswer) => void }): JSX.Element {
  const [mode, setMode] = useState<"password" | "code">("password");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [codeSent, setCodeSent] = useState<{ channel: string; expiresAt: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (e: Event): void => {
    e.preventDefault();
    void run(async () => props.onSignedIn(await api<SessionAnswer>("POST", "/api/admin/session", { login: login.trim(), password })));
  };
  const sendCode = (e: Event): void => {
    e.preventDefault();
    void run(async () => setCodeSent(await api<{ channel: string; expiresAt: string }>("POST", "/api/admin/session/code", { login: login.trim() })));
  };
  const verifyCode = (e: Event): void => {
    e.preventDefault();
    void run(async () => props.onSignedIn(await api<SessionAnswer>("POST", "/api/admin/session/code/verify", { login: login.trim(), code: code.trim() })));
  };
  const switchTo = (next: "password" | "code"): void => {
    setMode(next);
    setError(undefined);
    setCodeSent(undefined);
  };
  const fieldError = (name: string): string | undefined => (error instanceof ApiError && error.field === name ? errorText(error) : undefined);

  return (
    <main id="main" class="sign-in">
      <div class="sign-in-card">
        <div class="sign-in-head">
          <h1>{t("signIn.title")}</h1>
          <LanguageToggle language={props.language} onLanguage={props.onLanguage} />
        </div>
        <p class="intro">{t("signIn.intro")}</p>
        {props.ended ? <Notice kind="info">{t("signIn.sessionEnded")}</Notice> : null}
        <div class="tabs" role="tablist" aria-label={t("signIn.how")}>
          <button type="button" role="tab" aria-selected={mode === "password" ? "true" : "false"} class="tab" onClick={() => switchTo("password")}>
            {t("signIn.withPassword")}
          </button>
          <button type="button" role="tab" aria-selected={mode === "code" ? "true" : "false"} class="tab" onClick={() => switchTo("code")}>
            {t("signIn.withCode")}
          </button>
        </div>
        {error && !(error instanceof ApiError && error.field && ["login", "code", "password"].includes(error.field)) ? <Notice kind="error">{errorText(error)}</Notice> : null}
        {mode === "password" ? (
          <form onSubmit={submitPassword} noValidate>
            <TextField label={t("signIn.login")} value={login} onInput={setLogin} autoComplete="username" required error={fieldError("login")} />
            <TextField label={t("signIn.password")} type="password" value={password} onInput={setPassword} autoComplete="current-password" required error={fieldError("password")} />
            <Button kind="primary" type="submit" busy={busy} disabled={!login.trim() || !password}>
              {t("signIn.submit")}
            </Button>
          </form>
        ) : codeSent ? (
          <form onSubmit={verifyCode} noValidate>
            <Notice kind="success">{t("signIn.codeSent", { channel: t(`channels.${codeSent.channel}`), time: formatDateTime(codeSent.expiresAt) })}</Notice>
            <TextField label={t("signIn.code")} value={code} onInput={setCode} autoComplete="one-time-code" inputMode="numeric" required error={fieldError("code")} />
            <Button kind="primary" type="submit" busy={busy} disabled={!code.trim()}>
              {t("signIn.submit")}
            </Button>
            <Button kind="link" onClick={() => setCodeSent(undefined)}>
              {t("signIn.newCode")}
            </Button>
          </form>
        ) : (
          <form onSubmit={sendCode} noValidate>
            <p class="hint">{t("signIn.codeIntro")}</p>
            <TextField label={t("signIn.login")} value={login} onInput={setLogin} autoComplete="username" required error={fieldError("login")} />
            <Button kind="primary" type="submit" busy={busy} disabled={!login.trim()}>
              {t("signIn.sendCode")}
            </Button>
          </form>
        )}
        <p class="hint">{t("signIn.help")}</p>
      </div>
    </main>
  );
}
