import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { errorText } from "../../errors";
import { formatDateTime } from "../../format";
import { t } from "../../i18n";
import type { StaffRole } from "../../session";
import { Button, ConfirmDialog, DataTable, ErrorNotice, Field, Loading, Notice, Page, SelectField, TextField, useApi } from "../../ui";
import type { Unit } from "../registry/types";

interface Account {
  login: string;
  name: string;
  role: StaffRole;
  unit: string | null;
  personRef: string | null;
  disabled: boolean;
  locked: boolean;
  hasPassword: boolean;
  lastSignInAt: string | null;
}

interface PasswordLink {
  login: string;
  link: string;
  expiresAt: string;
  created: boolean;
}

const ROLES: StaffRole[] = ["department_admin", "office_admin", "viewer"];

interface Draft {
  login: string;
  name: string;
  role: StaffRole;
  unit: string;
  personRef: string;
}

const EMPTY: Draft = { login: "", name: "", role: "office_admin", unit: "", personRef: "" };

/** Staff accounts of the console (#/accounts, Department admins only): create, edit, disable, set-password links. */
export function AccountsScreen(): JSX.Element {
  const accounts = useApi<{ users: Account[] }>("/api/admin/users");
  const units = useApi<{ units: Unit[] }>("/api/admin/units");
  const offices = (units.data?.units ?? []).filter((u) => u.type === "office");
  const unitName = (code: string | null): string => (code ? (units.data?.units.find((u) => u.code === code)?.name ?? code) : "—");

  const [editing, setEditing] = useState<{ mode: "create" } | { mode: "edit"; login: string } | undefined>();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [formError, setFormError] = useState<unknown>();
  const [disabling, setDisabling] = useState<Account | undefined>();
  const [link, setLink] = useState<PasswordLink | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const start = (account?: Account): void => {
    setFormError(undefined);
    setMessage(undefined);
    setLink(undefined);
    if (account) {
      setDraft({ login: account.login, name: account.name, role: account.role, unit: account.unit ?? "", personRef: account.personRef ?? "" });
      setEditing({ mode: "edit", login: account.login });
    } else {
      setDraft(EMPTY);
      setEditing({ mode: "create" });
    }
  };

  const run = async (action: () => Promise<void>, onError: (e: unknown) => void = setError): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  const save = (): Promise<void> =>
    run(async () => {
      if (!editing) return;
      const unit = draft.role === "office_admin" ? draft.unit || undefined : undefined;
      if (editing.mode === "create") {
        const answer = await api<{ user: Account; setPasswordLink: string; expiresAt: string }>("POST", "/api/admin/users", {
          login: draft.login.trim(),
          name: draft.name.trim(),
          role: draft.role,
          ...(unit ? { unit } : {}),
          ...(draft.personRef.trim() ? { personRef: draft.personRef.trim() } : {}),
        });
        setLink({ login: answer.user.login, link: answer.setPasswordLink, expiresAt: answer.expiresAt, created: true });
      } else {
        const answer = await api<{ user: Account }>("PATCH", `/api/admin/users/${encodeURIComponent(editing.login)}`, {
          name: draft.name.trim(),
          role: draft.role,
          unit: unit ?? null,
          personRef: draft.personRef.trim() || null,
        });
        setMessage(t("registry:accounts.saved", { login: answer.user.login }));
      }
      setEditing(undefined);
      accounts.reload();
    }, setFormError);

  const setDisabled = (account: Account, disabled: boolean): Promise<void> =>
    run(async () => {
      setMessage(undefined);
      setLink(undefined);
      await api("PATCH", `/api/admin/users/${encodeURIComponent(account.login)}`, { disabled });
      setMessage(t(disabled ? "registry:accounts.disabledDone" : "registry:accounts.enabledDone", { login: account.login }));
      setDisabling(undefined);
      accounts.reload();
    }, (e) => {
      setDisabling(undefined);
      setError(e);
    });

  const newLink = (account: Account): Promise<void> =>
    run(async () => {
      setMessage(undefined);
      const answer = await api<{ setPasswordLink: string; expiresAt: string }>("POST", `/api/admin/users/${encodeURIComponent(account.login)}/password-link`);
      setLink({ login: account.login, link: answer.setPasswordLink, expiresAt: answer.expiresAt, created: false });
    });

  const status = (a: Account): string => {
    if (a.disabled) return t("registry:accounts.disabledState");
    if (a.locked) return t("registry:accounts.locked");
    if (!a.hasPassword) return t("registry:accounts.noPassword");
    return t("registry:accounts.active");
  };

  const fieldError = (field: string): string | undefined => (formError instanceof ApiError && formError.field === field ? errorText(formError) : undefined);
  const generalError = formError && !(formError instanceof ApiError && formError.field && ["login", "name", "role", "unit", "personRef"].includes(formError.field)) ? formError : undefined;

  return (
    <Page
      title={t("nav.accounts")}
      intro={t("registry:accounts.intro")}
      actions={
        <Button kind="primary" onClick={() => start()}>
          {t("registry:accounts.create")}
        </Button>
      }
    >
      {link ? <LinkNotice link={link} /> : null}
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorNotice error={error} />
      <ErrorNotice error={accounts.error} />
      {accounts.loading && !accounts.data ? <Loading /> : null}
      {accounts.data ? (
        <DataTable<Account>
          caption={t("registry:accounts.caption")}
          rows={accounts.data.users}
          rowKey={(a) => a.login}
          columns={[
            { key: "login", label: t("registry:accounts.login"), render: (a) => a.login },
            { key: "name", label: t("registry:accounts.name"), render: (a) => a.name },
            { key: "role", label: t("registry:accounts.role"), render: (a) => t(`roles.${a.role}`) },
            { key: "unit", label: t("registry:accounts.unit"), render: (a) => unitName(a.unit) },
            { key: "status", label: t("registry:accounts.status"), render: status },
            { key: "lastSignIn", label: t("registry:accounts.lastSignIn"), render: (a) => (a.lastSignInAt ? formatDateTime(a.lastSignInAt) : t("registry:accounts.never")) },
            {
              key: "actions",
              label: t("registry:accounts.actions"),
              render: (a) => (
                <div class="registry-actions">
                  <Button onClick={() => start(a)} label={t("registry:accounts.editFor", { login: a.login })}>
                    {t("registry:accounts.edit")}
                  </Button>
                  <Button onClick={() => void newLink(a)} label={t("registry:accounts.passwordLinkFor", { login: a.login })} disabled={busy}>
                    {t("registry:accounts.passwordLink")}
                  </Button>
                  {a.disabled ? (
                    <Button onClick={() => void setDisabled(a, false)} label={t("registry:accounts.enableFor", { login: a.login })} disabled={busy}>
                      {t("registry:accounts.enable")}
                    </Button>
                  ) : (
                    <Button kind="danger" onClick={() => setDisabling(a)} label={t("registry:accounts.disableFor", { login: a.login })}>
                      {t("registry:accounts.disable")}
                    </Button>
                  )}
                </div>
              ),
            },
          ]}
        />
      ) : null}
      {/* One dialog at a time: ConfirmDialog titles itself with a fixed id (#dialog-title). */}
      {editing ? (
      <ConfirmDialog
        open
        title={editing.mode === "edit" ? t("registry:accounts.editTitle", { login: editing.login }) : t("registry:accounts.createTitle")}
        confirmLabel={editing.mode === "edit" ? t("common.save") : t("registry:accounts.create")}
        busy={busy}
        onConfirm={() => void save()}
        onCancel={() => setEditing(undefined)}
      >
        <ErrorNotice error={generalError} />
        {editing.mode === "create" ? (
          <TextField label={t("registry:accounts.login")} value={draft.login} onInput={(login) => setDraft({ ...draft, login })} hint={t("registry:accounts.loginHint")} error={fieldError("login")} autoComplete="off" />
        ) : null}
        <TextField label={t("registry:accounts.name")} value={draft.name} onInput={(name) => setDraft({ ...draft, name })} error={fieldError("name")} autoComplete="off" />
        <SelectField label={t("registry:accounts.role")} value={draft.role} options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} onChange={(role) => setDraft({ ...draft, role: role as StaffRole })} />
        {draft.role === "office_admin" ? (
          <>
            <SelectField
              label={t("registry:accounts.unit")}
              value={draft.unit}
              hint={t("registry:accounts.unitHint")}
              options={[{ value: "", label: t("registry:accounts.chooseUnit") }, ...offices.map((u) => ({ value: u.code, label: u.name }))]}
              onChange={(unit) => setDraft({ ...draft, unit })}
            />
            {fieldError("unit") ? <p class="field-error">{fieldError("unit")}</p> : null}
          </>
        ) : null}
        <TextField label={t("registry:accounts.personRef")} value={draft.personRef} onInput={(personRef) => setDraft({ ...draft, personRef })} hint={t("registry:accounts.personRefHint")} error={fieldError("personRef")} autoComplete="off" />
      </ConfirmDialog>
      ) : null}
      {disabling ? (
      <ConfirmDialog
        open
        title={t("registry:accounts.disableTitle", { login: disabling.login })}
        confirmLabel={t("registry:accounts.disable")}
        danger
        busy={busy}
        onConfirm={() => void setDisabled(disabling, true)}
        onCancel={() => setDisabling(undefined)}
      >
        <p>{t("registry:accounts.disableBody")}</p>
      </ConfirmDialog>
      ) : null}
    </Page>
  );
}

function LinkNotice(props: { link: PasswordLink }): JSX.Element {
  const [copied, setCopied] = useState(false);
  const { login, link, expiresAt, created } = props.link;
  return (
    <Notice kind="success">
      <p>{t(created ? "registry:accounts.created" : "registry:accounts.linkIssued", { login })}</p>
      <Field label={t("registry:accounts.linkLabel")} hint={t("registry:accounts.linkExpires", { time: formatDateTime(expiresAt) })}>
        {(id, describedBy) => <input id={id} type="text" readOnly value={link} aria-describedby={describedBy} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />}
      </Field>
      <Button
        onClick={() => {
          void navigator.clipboard?.writeText(link).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {t("registry:accounts.copy")}
      </Button>
      {copied ? <span class="registry-muted"> {t("registry:accounts.copied")}</span> : null}
    </Notice>
  );
}
