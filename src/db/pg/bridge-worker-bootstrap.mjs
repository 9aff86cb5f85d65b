// Starts the TypeScript PostgreSQL worker when the product runs from source (tsx, vitest): a worker thread does
// not inherit the parent's TypeScript loader, so it registers tsx before importing the worker's module.
import { register } from "tsx/esm/api";

register();
await import(new URL("./bridge-worker.ts", import.meta.url).href);
