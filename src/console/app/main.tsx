// The staff console's entry: words first, then who is signed in, then the screen the address names.
import { render } from "preact";
import { App } from "./app";
import { initI18n } from "./i18n";

await initI18n();
const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
}
