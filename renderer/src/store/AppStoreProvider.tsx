import { createContext, useContext, type ReactNode } from "react";
import { useStore, type StoreApi } from "zustand";
import type { AppState } from "./AppState.js";

const StoreContext = createContext<StoreApi<AppState> | null>(null);

/** Hands the store to the tree; the store is made once in main.tsx so tests can build their own. */
export function AppStoreProvider({ store, children }: { store: StoreApi<AppState>; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useAppStore outside AppStoreProvider");
  return useStore(store, selector);
}
