import { useId } from "react";
import { strings } from "../i18n/strings.js";
import { useAppStore } from "../store/AppStoreProvider.js";
import type { ThemePreference } from "../store/AppState.js";

const options: ThemePreference[] = ["system", "light", "dark"];

/** System follows prefers-color-scheme; Light and Dark override it and are remembered. */
export function ThemeSwitch() {
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  const name = useId();
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">{strings.theme.label}</legend>
      {options.map((option) => (
        <label key={option} className={theme === option ? "segment active" : "segment"}>
          <input type="radio" name={name} value={option} checked={theme === option} onChange={() => setTheme(option)} />
          {strings.theme[option]}
        </label>
      ))}
    </fieldset>
  );
}
