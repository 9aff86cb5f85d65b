// Hash routes (#/tasks, #/broadcasts/12): the server serves one page at /admin.
import { useEffect, useState } from "preact/hooks";

export interface Route {
  /** path segments after "#/" */
  parts: string[];
  /** the query after "?" in the hash */
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = hash.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = (): void => setRoute(currentRoute());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

export function href(...parts: (string | number)[]): string {
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join("/")}`;
}

export function navigate(...parts: (string | number)[]): void {
  location.hash = href(...parts);
}
