import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { CheckGroup, ConfirmDialog, ErrorNotice } from "../../ui";
import type { Person } from "./types";

/** The delivery ladder's channels, in its order (the chat's /settings lists the same). */
export const REACH_CHANNELS = ["zalo", "telegram", "zns", "email"] as const;

/** "All on", or the channels a person's reminders may not use. */
export function reachText(p: Person): string {
  const off = REACH_CHANNELS.filter((c) => p.reachOff.includes(c));
  return off.length === 0 ? t("registry:reach.allOn") : t("registry:reach.offList", { channels: off.map((c) => t(`registry:reach.channel.${c}`)).join(", ") });
}

/**
 * Which channels a person's reminders may use: ticked = on. Saved through PUT /api/admin/people/:ref/reach
 * (the same setting the person changes with /settings in the chat); `onSaved` gets the setting as stored.
 */
export function ReachDialog(props: { person: Person; onSaved: (reachOff: string[]) => void; onCancel: () => void }): JSX.Element {
  const [on, setOn] = useState<string[]>(REACH_CHANNELS.filter((c) => !props.person.reachOff.includes(c)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const save = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const off = REACH_CHANNELS.filter((c) => !on.includes(c));
      const answer = await api<{ reachOff: string[] }>("PUT", `/api/admin/people/${encodeURIComponent(props.person.ref)}/reach`, { off });
      props.onSaved(answer.reachOff);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog
      open
      title={t("registry:reach.title", { name: props.person.name })}
      confirmLabel={t("registry:reach.save")}
      busy={busy}
      onConfirm={() => void save()}
      onCancel={props.onCancel}
    >
      <CheckGroup
        legend={t("registry:reach.legend")}
        hint={t("registry:reach.hint")}
        options={REACH_CHANNELS.map((c) => ({ value: c, label: t(`registry:reach.channel.${c}`) }))}
        selected={on}
        onChange={setOn}
      />
      <ErrorNotice error={error} />
    </ConfirmDialog>
  );
}
