import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t, type Language } from "./i18n";
import { href, type Route } from "./router";
import { SCREENS } from "./screens";
import { useSession } from "./session";
import { Button } from "./ui";

export function LanguageToggle(props: { language: Language; onLanguage: (language: Language) => void }): JSX.Element {
  const other: Language = props.language === "vi" ? "en" : "vi";
  return (
    <button type="button" class="btn btn-link lang-toggle" lang={other} onClick={() => props.onLanguage(other)}>
      {other === "en" ? "English" : "Tiếng Việt"}
    </button>
  );
}

/** The signed-in frame: navigation by role, who is signed in, the language toggle and the current screen. */
export function Shell(props: { route: Route; language: Language; onLanguage: (language: Language) => void }): JSX.Element {
  const session = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const screens = SCREENS.filter((s) => s.visible(session));
  const current = screens.find((s) => s.path === props.route.parts[0]) ?? screens[0]!;
  const Screen = current.component;

  useEffect(() => {
    setMenuOpen(false);
    document.title = `${t(current.navKey)} — ${t("app.title")}`;
    document.getElementById("page-title")?.focus();
  }, [current.path]);

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <header class="topbar">
        <span class="brand">{t("app.title")}</span>
        <button type="button" class="btn btn-link menu-toggle" aria-expanded={menuOpen ? "true" : "false"} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          {t("app.menu")}
        </button>
        <nav id="nav" class={menuOpen ? "nav nav-open" : "nav"} aria-label={t("app.navigation")}>
          <ul>
            {screens.map((s) => (
              <li key={s.path}>
                <a href={href(s.path)} aria-current={s === current ? "page" : undefined}>
                  {t(s.navKey)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="who-name">
            {session.user.name} · {t(`roles.${session.user.role}`)}
            {session.user.unit ? ` (${session.user.unit})` : ""}
          </span>
          <LanguageToggle language={props.language} onLanguage={props.onLanguage} />
          <Button kind="link" onClick={() => void session.signOut()}>
            {t("app.signOut")}
          </Button>
        </div>
      </header>
      <main id="main">
        <Screen key={current.path} />
      </main>
    </div>
  );
}
