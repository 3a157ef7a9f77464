import { useEffect, useRef } from "react";
import { useAppStore } from "../store/AppStoreProvider.js";

/**
 * Brings what an action produced to where the user is looking: when the store's reveal counter moves
 * (a click on a row, a started run) and the content is ready, the returned element scrolls into view
 * if it is off-screen and takes focus, so screen readers announce it too.
 */
export function useReveal<T extends HTMLElement>(ready: boolean, target: "details" | "form" | "translate" = "details") {
  const key = useAppStore((st) => (st.revealTarget === target ? st.revealKey : -1));
  const ref = useRef<T>(null);
  const handled = useRef(key);
  useEffect(() => {
    if (!ready || key < 0 || handled.current === key) return;
    handled.current = key;
    const el = ref.current;
    if (!el) return;
    const box = el.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight - 120) el.scrollIntoView({ block: "start" });
    el.focus({ preventScroll: true });
  }, [key, ready]);
  return ref;
}
