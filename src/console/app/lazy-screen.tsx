import type { FunctionComponent, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { errorText } from "./errors";
import { Loading, Notice } from "./ui";

/** A screen whose module is fetched the first time it is shown (and kept afterwards). */
export function lazyScreen(load: () => Promise<FunctionComponent>): FunctionComponent {
  let loaded: FunctionComponent | undefined;
  let pending: Promise<FunctionComponent> | undefined;
  return function LazyScreen(): JSX.Element {
    const [component, setComponent] = useState<FunctionComponent | undefined>(() => loaded);
    const [failed, setFailed] = useState<unknown>();
    useEffect(() => {
      if (loaded) return;
      let live = true;
      pending ??= load();
      pending.then(
        (c) => {
          loaded = c;
          if (live) setComponent(() => c);
        },
        (error: unknown) => {
          pending = undefined; // try again on the next visit
          if (live) setFailed(error);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (failed) return <Notice kind="error">{errorText(failed)}</Notice>;
    const Screen = component;
    return Screen ? <Screen /> : <Loading />;
  };
}
