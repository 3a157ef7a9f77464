import type { StateCreator } from "zustand";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import type { AppSlice, AppState, Route, ThemePreference } from "./AppState.js";

const themeKey = "polytune.theme";
const routes: Route[] = ["home", "models", "data", "runs", "evaluate", "experiments", "compare", "settings"];

/** The route lives in the URL hash so reloads and the back button keep the place (the query holds the token). */
export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, "").split("/")[0] ?? "";
  return (routes as string[]).includes(name) ? (name as Route) : "home";
}

function storedTheme(): ThemePreference {
  try {
    const value = localStorage.getItem(themeKey);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

export const createAppSlice =
  (api: ApiClient): StateCreator<AppState, [], [], AppSlice> =>
  (set, get) => ({
    api,
    connection: api.connection(),
    route: routeFromHash(location.hash),
    theme: storedTheme(),
    info: null,
    infoError: null,
    doctor: null,
    doctorError: null,
    progress: {},
    revealKey: 0,
    revealTarget: "details",
    reveal(target = "details") {
      set({ revealKey: get().revealKey + 1, revealTarget: target });
    },
    navigate(route) {
      if (get().route === route) return;
      set({ route });
      const hash = `#/${route}`;
      if (location.hash !== hash) history.pushState(null, "", hash);
    },
    setTheme(theme) {
      set({ theme });
      try {
        if (theme === "system") localStorage.removeItem(themeKey);
        else localStorage.setItem(themeKey, theme);
      } catch {
        // Storage can be unavailable (private windows); the choice then lasts for this session.
      }
    },
    async loadInfo() {
      try {
        set({ info: await api.call("app.info", {}), infoError: null });
      } catch (error) {
        set({ infoError: toErrorShape(error) });
      }
    },
    async loadDoctor() {
      try {
        set({ doctor: await api.call("system.doctor", {}), doctorError: null });
      } catch (error) {
        set({ doctorError: toErrorShape(error) });
      }
    },
  });
