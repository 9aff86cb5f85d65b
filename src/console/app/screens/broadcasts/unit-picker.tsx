// Units picked from the caller's own unit tree, by name, with search: nobody types a unit code.
import type { JSX } from "preact";
import { useId, useMemo, useState } from "preact/hooks";
import { t } from "../../i18n";
import type { Unit } from "./types";

/** Lower case without tone marks, so "vung tau" finds "Vũng Tàu". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
}

interface Placed {
  unit: Unit;
  depth: number;
  parentName: string | undefined;
}

/** The tree in reading order (each unit after its parent), with depths; roots are units whose parent is out of reach. */
function placeTree(units: Unit[]): Placed[] {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const children = new Map<string | null, Unit[]>();
  for (const u of units) {
    const parent = u.parentCode && byCode.has(u.parentCode) ? u.parentCode : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const order = (list: Unit[]): Unit[] =>
    [...list].sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name, "vi") : a.type === "office" ? -1 : b.type === "office" ? 1 : 0));
  const out: Placed[] = [];
  const walk = (parent: string | null, depth: number, parentName: string | undefined): void => {
    for (const u of order(children.get(parent) ?? [])) {
      out.push({ unit: u, depth, parentName });
      walk(u.code, depth + 1, u.name);
    }
  };
  walk(null, 0, undefined);
  return out;
}

const SHOWN = 40;

export function UnitPicker(props: { units: Unit[]; selected: string[]; onChange: (codes: string[]) => void }): JSX.Element {
  const [search, setSearch] = useState("");
  const searchId = useId();
  const placed = useMemo(() => placeTree(props.units), [props.units]);
  const byCode = useMemo(() => new Map(props.units.map((u) => [u.code, u])), [props.units]);
  const query = fold(search.trim());
  const matches = query
    ? placed.filter((p) => fold(p.unit.name).includes(query) || fold(p.unit.code).includes(query))
    : placed.filter((p) => p.depth <= 1 && p.unit.type !== "school");
  const shown = matches.slice(0, SHOWN);
  const toggle = (code: string, on: boolean): void => props.onChange(on ? [...props.selected, code] : props.selected.filter((c) => c !== code));

  return (
    <fieldset class="unit-picker">
      <legend>{t("broadcasts:audience.units")}</legend>
      <p class="hint">{t("broadcasts:audience.unitsHint")}</p>
      {props.selected.length > 0 ? (
        <ul class="chips" aria-label={t("broadcasts:audience.unitsChosen")}>
          {props.selected.map((code) => (
            <li key={code} class="chip">
              <span>{byCode.get(code)?.name ?? code}</span>
              <button type="button" class="chip-remove" aria-label={t("broadcasts:audience.removeUnit", { name: byCode.get(code)?.name ?? code })} onClick={() => toggle(code, false)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="unit-all">{t("broadcasts:audience.unitsNone")}</p>
      )}
      <label for={searchId}>{t("broadcasts:audience.unitSearch")}</label>
      <input id={searchId} type="search" value={search} placeholder={t("broadcasts:audience.unitSearchPlaceholder")} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
      <ul class="unit-list" aria-label={t("broadcasts:audience.unitResults")}>
        {shown.map((p) => (
          <li key={p.unit.code} style={{ paddingLeft: query ? 0 : `${p.depth * 1.25}rem` }}>
            <label class="check">
              <input type="checkbox" checked={props.selected.includes(p.unit.code)} onChange={(e) => toggle(p.unit.code, (e.currentTarget as HTMLInputElement).checked)} />
              <span>
                {p.unit.name}
                <span class="unit-kind">
                  {" · "}
                  {t(`broadcasts:unitTypes.${p.unit.type}`)}
                  {query && p.parentName ? ` · ${p.parentName}` : ""}
                </span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      {matches.length === 0 ? <p class="hint">{t("broadcasts:audience.unitNoMatch")}</p> : null}
      {matches.length > SHOWN ? <p class="hint">{t("broadcasts:audience.unitMore", { count: matches.length - SHOWN })}</p> : null}
      {!query ? <p class="hint">{t("broadcasts:audience.unitTypeToFindSchools")}</p> : null}
    </fieldset>
  );
}
