import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, query } from "../../api";
import { formatDateTime, formatNumber } from "../../format";
import { t } from "../../i18n";
import { useSession } from "../../session";
import { Button, ConfirmDialog, DataTable, ErrorNotice, Loading, Notice, SelectField, TextField, useApi } from "../../ui";
import { PERSON_ROLES, type IssuedCode, type PeoplePage, type Person, type Unit } from "./types";
import { ReachDialog, reachText } from "./reach-dialog";
import { roleText } from "./words";

const PAGE_SIZE = 50;

/** The people of the caller's units: search, filters, pages of 50; link codes and unlinking for writers. */
export function PeoplePanel(props: { units: Unit[]; reloadKey: number }): JSX.Element {
  const session = useSession();
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [unit, setUnit] = useState("");
  const [role, setRole] = useState("");
  const [offset, setOffset] = useState(0);
  const [issued, setIssued] = useState<{ name: string; answer: IssuedCode } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [unlinking, setUnlinking] = useState<Person | undefined>();
  const [reaching, setReaching] = useState<Person | undefined>();
  const [busy, setBusy] = useState<string | undefined>();

  // Search as one types, once the typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(search.trim());
      setOffset(0);
    }, 300);
    return () => clearTimeout(timer);
  }, [search]);

  const path = `/api/admin/people${query({ q, unit, role, limit: PAGE_SIZE, offset })}`;
  const { data, error, loading, reload } = useApi<PeoplePage>(path);
  // After an import, the list is read again.
  useEffect(() => {
    if (props.reloadKey > 0) reload();
  }, [props.reloadKey]);

  const issue = async (person: Person): Promise<void> => {
    setBusy(person.ref);
    setActionError(undefined);
    setMessage(undefined);
    try {
      const answer = await api<IssuedCode>("POST", `/api/admin/people/${encodeURIComponent(person.ref)}/link-code`);
      setIssued({ name: person.name, answer });
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const unlink = async (person: Person): Promise<void> => {
    setBusy(person.ref);
    setActionError(undefined);
    setIssued(undefined);
    try {
      const answer = await api<{ released: boolean }>("DELETE", `/api/admin/people/${encodeURIComponent(person.ref)}/link`);
      setMessage(t(answer.released ? "registry:people.unlinked" : "registry:people.wasNotLinked", { name: person.name }));
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(undefined);
      setUnlinking(undefined);
    }
  };

  const linkedText = (p: Person): string => {
    if (!p.linked) return t("registry:people.notLinked");
    const chats = p.channels.filter((c) => c !== "web").map((c) => t(`channels.${c}`));
    return chats.length > 0 ? chats.join(", ") : t("registry:people.linkedNoChat");
  };
  const contactText = (p: Person): string => {
    const parts = [p.hasPhone ? t("registry:people.hasPhone") : undefined, p.hasEmail ? t("registry:people.hasEmail") : undefined].filter(Boolean);
    return parts.length > 0 ? parts.join(" · ") : t("registry:people.noContact");
  };

  const columns = [
    {
      key: "name",
      label: t("registry:people.name"),
      render: (p: Person) => (
        <span>
          {p.name}
          <span class="registry-muted"> · {p.ref}</span>
        </span>
      ),
    },
    { key: "unit", label: t("registry:people.unit"), render: (p: Person) => p.unit.name },
    { key: "role", label: t("registry:people.role"), render: (p: Person) => roleText(p.role) },
    { key: "contact", label: t("registry:people.contact"), render: contactText },
    { key: "linked", label: t("registry:people.linked"), render: linkedText },
    { key: "reach", label: t("registry:reach.column"), render: reachText },
  ];
  if (session.canWrite) {
    columns.push({
      key: "actions",
      label: t("registry:people.actions"),
      render: (p: Person) => (
        <div class="registry-actions">
          <Button onClick={() => void issue(p)} busy={busy === p.ref} label={t("registry:people.issueFor", { name: p.name })}>
            {t("registry:people.issue")}
          </Button>
          <Button onClick={() => setReaching(p)} label={t("registry:reach.editFor", { name: p.name })}>
            {t("registry:reach.edit")}
          </Button>
          {p.linked ? (
            <Button kind="danger" onClick={() => setUnlinking(p)} label={t("registry:people.unlinkFor", { name: p.name })}>
              {t("registry:people.unlink")}
            </Button>
          ) : null}
        </div>
      ),
    });
  }

  const total = data?.total ?? 0;
  return (
    <section class="registry-section" aria-labelledby="people-heading">
      <h2 id="people-heading">{t("registry:people.heading")}</h2>
      <div class="registry-filters">
        <TextField label={t("registry:people.search")} type="search" value={search} onInput={setSearch} />
        <SelectField
          label={t("registry:people.unit")}
          value={unit}
          options={[{ value: "", label: t("registry:people.allUnits") }, ...props.units.map((u) => ({ value: u.code, label: u.name }))]}
          onChange={(value) => {
            setUnit(value);
            setOffset(0);
          }}
        />
        <SelectField
          label={t("registry:people.role")}
          value={role}
          options={[{ value: "", label: t("registry:people.allRoles") }, ...PERSON_ROLES.map((r) => ({ value: r, label: roleText(r) }))]}
          onChange={(value) => {
            setRole(value);
            setOffset(0);
          }}
        />
      </div>
      {issued || message || actionError ? (
        <FocusOnShow key={`${issued?.answer.code ?? ""}${message ?? ""}`}>
          {issued ? <IssuedNotice name={issued.name} answer={issued.answer} /> : null}
          {message ? <Notice kind="success">{message}</Notice> : null}
          <ErrorNotice error={actionError} />
        </FocusOnShow>
      ) : null}
      <ErrorNotice error={error} />
      {loading && !data ? <Loading /> : null}
      {data ? (
        <>
          <p class="registry-muted" role="status">
            {total === 0 ? "" : t("registry:people.range", { from: formatNumber(offset + 1), to: formatNumber(offset + data.people.length), total: formatNumber(total) })}
          </p>
          <DataTable<Person> caption={t("registry:people.caption")} columns={columns} rows={data.people} rowKey={(p) => p.ref} empty={t("registry:people.empty")} />
          {total > PAGE_SIZE ? (
            <nav class="registry-actions" aria-label={t("registry:people.paging")}>
              <Button onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))} disabled={offset === 0}>
                {t("registry:people.previous")}
              </Button>
              <Button onClick={() => setOffset(offset + PAGE_SIZE)} disabled={offset + PAGE_SIZE >= total}>
                {t("registry:people.next")}
              </Button>
            </nav>
          ) : null}
        </>
      ) : null}
      {reaching ? (
        <ReachDialog
          person={reaching}
          onCancel={() => setReaching(undefined)}
          onSaved={(reach) => {
            setIssued(undefined);
            setActionError(undefined);
            setMessage(t("registry:reach.saved", { name: reaching.name, state: reachText(reach) }));
            setReaching(undefined);
            reload();
          }}
        />
      ) : null}
      {unlinking ? (
      <ConfirmDialog
        open
        title={t("registry:people.unlinkTitle", { name: unlinking.name })}
        confirmLabel={t("registry:people.unlink")}
        danger
        busy={busy !== undefined}
        onConfirm={() => void unlink(unlinking)}
        onCancel={() => setUnlinking(undefined)}
      >
        <p>{t("registry:people.unlinkBody")}</p>
      </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Brings an answer into view (and to screen readers' attention) when it appears above a long list. */
function FocusOnShow(props: { children: ComponentChildren }): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div ref={ref} tabIndex={-1} class="registry-answer">
      {props.children}
    </div>
  );
}

function IssuedNotice(props: { name: string; answer: IssuedCode }): JSX.Element {
  const { code, expiresAt, telegramLink, zaloLink, alreadyLinked } = props.answer;
  return (
    <Notice kind={alreadyLinked ? "warning" : "success"} title={t("registry:code.title", { name: props.name })}>
      <p class="link-code">{t("registry:code.code", { code })}</p>
      <p>{t("registry:code.expires", { time: formatDateTime(expiresAt) })}</p>
      <p>{t("registry:code.howTo", { code })}</p>
      <p class="registry-actions">
        {telegramLink ? (
          <a href={telegramLink} target="_blank" rel="noopener noreferrer">
            {t("registry:code.telegram")}
          </a>
        ) : null}
        {zaloLink ? (
          <a href={zaloLink} target="_blank" rel="noopener noreferrer">
            {t("registry:code.zalo")}
          </a>
        ) : null}
      </p>
      {alreadyLinked ? <p>{t("registry:code.alreadyLinked")}</p> : null}
    </Notice>
  );
}
