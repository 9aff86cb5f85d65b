import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { t } from "../../i18n";
import { href, useRoute } from "../../router";
import { useSession } from "../../session";
import { ErrorNotice, Field, Page, SelectField, useApi } from "../../ui";
import { ImportPanel } from "./import-panel";
import { LetterPage } from "./letter-page";
import { PeoplePanel } from "./people-panel";
import type { Unit } from "./types";

/** Units and staff (#/registry): imports, the people list with link codes, and the schools' link letters. */
export function RegistryScreen(): JSX.Element {
  const route = useRoute();
  const units = useApi<{ units: Unit[] }>("/api/admin/units");
  const list = units.data?.units ?? [];
  if (route.parts[1] === "letter" && route.parts[2]) {
    return <LetterPage unitCode={route.parts[2]} itLeadsOnly={route.params.get("it") === "1"} units={list} />;
  }
  return <RegistryHome units={list} unitsError={units.error} reloadUnits={units.reload} />;
}

function RegistryHome(props: { units: Unit[]; unitsError: unknown; reloadUnits: () => void }): JSX.Element {
  const session = useSession();
  const [imported, setImported] = useState(0);
  return (
    <Page title={t("nav.registry")} intro={t("registry:intro")}>
      <ErrorNotice error={props.unitsError} />
      {session.canWrite ? (
        <ImportPanel
          onImported={() => {
            // New units show in the filters and the letter's school picker; new people in the list.
            props.reloadUnits();
            setImported((n) => n + 1);
          }}
        />
      ) : null}
      {session.canWrite ? <LetterPicker units={props.units} /> : null}
      <PeoplePanel units={props.units} reloadKey={imported} />
    </Page>
  );
}

function LetterPicker(props: { units: Unit[] }): JSX.Element {
  const schools = props.units.filter((u) => u.type === "school").sort((a, b) => a.name.localeCompare(b.name, "vi"));
  const [school, setSchool] = useState("");
  const [itLeadsOnly, setItLeadsOnly] = useState(true);
  const target = school ? `${href("registry", "letter", school)}${itLeadsOnly ? "?it=1" : ""}` : undefined;
  return (
    <section class="registry-section" aria-labelledby="letter-heading">
      <h2 id="letter-heading">{t("registry:letter.heading")}</h2>
      <p class="intro">{t("registry:letter.intro")}</p>
      <div class="registry-filters">
        <SelectField
          label={t("registry:letter.school")}
          value={school}
          options={[{ value: "", label: t("registry:letter.chooseSchool") }, ...schools.map((u) => ({ value: u.code, label: u.name }))]}
          onChange={setSchool}
        />
        <Field label={t("registry:letter.itLeadsOnly")}>
          {(id) => <input id={id} type="checkbox" class="checkbox" checked={itLeadsOnly} onChange={(e) => setItLeadsOnly((e.currentTarget as HTMLInputElement).checked)} />}
        </Field>
      </div>
      {target ? (
        <a class="btn btn-secondary" href={target}>
          {t("registry:letter.open")}
        </a>
      ) : null}
    </section>
  );
}
