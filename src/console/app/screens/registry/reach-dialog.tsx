import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { Button, CheckGroup, ConfirmDialog, ErrorNotice } from "../../ui";
import type { Person } from "./types";

/** The delivery ladder's channels, in its order (the chat's /settings lists the same). */
export const REACH_CHANNELS = ["zalo", "telegram", "zns", "email"] as const;

/** "All on", or the channels a person's reminders may not use; and their own order when they chose one. */
export function reachText(p: Pick<Person, "reachOff" | "reachOrder">): string {
  const off = REACH_CHANNELS.filter((c) => p.reachOff.includes(c));
  const state = off.length === 0 ? t("registry:reach.allOn") : t("registry:reach.offList", { channels: off.map((c) => t(`registry:reach.channel.${c}`)).join(", ") });
  if (p.reachOrder.length === 0) return state;
  return `${state} · ${t("registry:reach.orderList", { order: p.reachOrder.map((c) => t(`registry:reach.channel.${c}`)).join(" → ") })}`;
}

/** The person's channels in the order they are tried, with one moved a place up. */
function movedUp(order: readonly string[], index: number): string[] {
  const next = [...order];
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(index - 1, 0, item);
  return next;
}

/**
 * Which channels a person's reminders may use: ticked = on. Saved through PUT /api/admin/people/:ref/reach
 * (the same setting the person changes with /settings in the chat); `onSaved` gets the setting as stored.
 */
export function ReachDialog(props: { person: Person; onSaved: (reach: { reachOff: string[]; reachOrder: string[] }) => void; onCancel: () => void }): JSX.Element {
  const [on, setOn] = useState<string[]>(REACH_CHANNELS.filter((c) => !props.person.reachOff.includes(c)));
  // [] is the default order (the chat used last first); a list is the person's own, complete.
  const [order, setOrder] = useState<string[]>(props.person.reachOrder);
  const shown = order.length > 0 ? order : [...REACH_CHANNELS];
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const save = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const off = REACH_CHANNELS.filter((c) => !on.includes(c));
      const answer = await api<{ reachOff: string[]; reachOrder: string[] }>("PUT", `/api/admin/people/${encodeURIComponent(props.person.ref)}/reach`, { off, order });
      props.onSaved(answer);
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
      <fieldset class="reach-order">
        <legend>{t("registry:reach.orderLegend")}</legend>
        <p class="hint">{t(order.length > 0 ? "registry:reach.orderOwn" : "registry:reach.orderDefault")}</p>
        <ol>
          {shown.map((c, i) => (
            <li key={c}>
              {t(`registry:reach.channel.${c}`)}{" "}
              {i > 0 ? (
                <Button kind="link" onClick={() => setOrder(movedUp(shown, i))} label={t("registry:reach.moveUp", { channel: t(`registry:reach.channel.${c}`) })}>
                  {t("registry:reach.up")}
                </Button>
              ) : null}
            </li>
          ))}
        </ol>
        {order.length > 0 ? (
          <Button kind="link" onClick={() => setOrder([])}>
            {t("registry:reach.orderReset")}
          </Button>
        ) : null}
      </fieldset>
      <ErrorNotice error={error} />
    </ConfirmDialog>
  );
}
