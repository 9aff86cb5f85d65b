import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { errorText } from "../errors";
import { t, type Language } from "../i18n";
import { LanguageToggle } from "../shell";
import { Button, Notice, TextField } from "../ui";

/** The page a one-time set-password link opens (#/set-password/<token>). */
export function SetPasswordScreen(props: { token: string; language: Language; onLanguage: (l: Language) => void }): JSX.Element {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const mismatch = repeat !== "" && repeat !== password;

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<{ login: string }>("POST", "/api/admin/password", { token: props.token, password });
      setDone(answer.login);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const passwordError = error instanceof ApiError && error.field === "password" ? errorText(error) : undefined;

  return (
    <main id="main" class="sign-in">
      <div class="sign-in-card">
        <div class="sign-in-head">
          <h1>{t("setPassword.title")}</h1>
          <LanguageToggle language={props.language} onLanguage={props.onLanguage} />
        </div>
        {done ? (
          <>
            <Notice kind="success">{t("setPassword.done", { login: done })}</Notice>
            <a class="btn btn-primary" href="#/overview">
              {t("setPassword.toSignIn")}
            </a>
          </>
        ) : (
          <form onSubmit={(e) => void submit(e)} noValidate>
            <p class="intro">{t("setPassword.intro")}</p>
            {error && !passwordError ? <Notice kind="error">{errorText(error)}</Notice> : null}
            <TextField label={t("setPassword.password")} type="password" value={password} onInput={setPassword} autoComplete="new-password" hint={t("setPassword.rules")} error={passwordError} />
            <TextField label={t("setPassword.repeat")} type="password" value={repeat} onInput={setRepeat} autoComplete="new-password" error={mismatch ? t("setPassword.mismatch") : undefined} />
            <Button kind="primary" type="submit" busy={busy} disabled={!password || mismatch || repeat === ""}>
              {t("setPassword.submit")}
            </Button>
          </form>
        )}
      </div>
    </main>
  );
}
