import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { loadLexicon } from "../content/load-intents.js";
import { Normalizer } from "../nlu/normalize.js";
import { loadDirective, type DirectiveDocument } from "./directive-document.js";
import { DirectiveSearch } from "./directive-search.js";

const stopwordFile = z.object({ stopwords: z.array(z.string()) }).strict();

/** The directive search over the content in `root` (templates/directive.yaml and the lexicon). */
export function buildDirectiveSearch(root: string): { search: DirectiveSearch; document: DirectiveDocument } {
  const document = loadDirective(join(root, "templates", "directive.yaml"));
  const lexicon = loadLexicon(join(root, "intents", "lexicon", "normalization.yaml"));
  const stopwordsPath = join(root, "intents", "lexicon", "stopwords.yaml");
  const stopwords = stopwordFile.parse(parse(readFileSync(stopwordsPath, "utf8"))).stopwords;
  return { search: new DirectiveSearch(document.sections, new Normalizer(lexicon), { stopwords }), document };
}
