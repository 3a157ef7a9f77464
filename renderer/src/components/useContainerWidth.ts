import { useEffect, useRef, useState } from "react";

/**
 * The width in whole pixels of the element the returned ref is put on, kept current as it resizes, so
 * charts draw at their real width (never a guessed width scaled down, which shrinks the labels); 0 until
 * it is measured.
 */
export function useContainerWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry?.contentRect.width ?? 0)));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}
