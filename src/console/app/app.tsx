import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, SESSION_ENDED, setCsrfToken } from "./api";
import { i18n, switchLanguage, type Language } from "./i18n";
import { useRoute } from "./router";
import { SessionContext, sessionOf, type StaffUser } from "./session";
import { Shell } from "./shell";
import { SignInScreen } from "./screens/sign-in";
import { SetPasswordScreen } from "./screens/set-password";
import { Loading } from "./ui";

interface SessionAnswer {
  user: StaffUser;
  csrfToken: string;
}

type State = { phase: "loading" } | { phase: "signed-out"; ended?: boolean } | { phase: "signed-in"; user: StaffUser };

export function App(): JSX.Element {
  const [state, setState] = useState<State>({ phase: "loading" });
  const [language, setLanguage] = useState<Language>(i18n.language === "en" ? "en" : "vi");
  const route = useRoute();

  useEffect(() => {
    api<SessionAnswer>("GET", "/api/admin/session").then(
      (answer) => {
        setCsrfToken(answer.csrfToken);
        setState({ phase: "signed-in", user: answer.user });
      },
      (error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
        setState({ phase: "signed-out" });
      },
    );
    const ended = (): void => {
      setCsrfToken(undefined);
      setState({ phase: "signed-out", ended: true });
    };
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, []);

  const changeLanguage = (next: Language): void => {
    void switchLanguage(next).then(() => setLanguage(next));
  };

  const signedIn = (answer: SessionAnswer): void => {
    setCsrfToken(answer.csrfToken);
    setState({ phase: "signed-in", user: answer.user });
    if (route.parts[0] === "set-password" || route.parts.length === 0) location.hash = "#/overview";
  };

  if (route.parts[0] === "set-password") {
    return <SetPasswordScreen token={route.parts[1] ?? ""} language={language} onLanguage={changeLanguage} />;
  }
  if (state.phase === "loading") return <Loading />;
  if (state.phase === "signed-out") {
    return <SignInScreen ended={state.ended ?? false} language={language} onLanguage={changeLanguage} onSignedIn={signedIn} />;
  }
  const signOut = async (): Promise<void> => {
    try {
      await api("DELETE", "/api/admin/session");
    } finally {
      setCsrfToken(undefined);
      setState({ phase: "signed-out" });
    }
  };
  return (
    <SessionContext.Provider value={sessionOf(state.user, signOut)}>
      <Shell key={language} route={route} language={language} onLanguage={changeLanguage} />
    </SessionContext.Provider>
  );
}
