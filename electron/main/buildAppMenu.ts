import type { MenuItemConstructorOptions } from "electron";
import type { AddModelsKind } from "./addModelsFromDialog.js";

export interface AppMenuActions {
  platform: NodeJS.Platform;
  /** Reload and developer tools appear only when running unpackaged. */
  dev: boolean;
  addModels(kind: AddModelsKind): void;
  showAbout(): void;
}

/** The native menu template: File, Edit, View, (Window on macOS), Help. */
export function buildAppMenu(actions: AppMenuActions): MenuItemConstructorOptions[] {
  const mac = actions.platform === "darwin";
  const devItems: MenuItemConstructorOptions[] = actions.dev ? [{ role: "reload" }, { role: "forceReload" }, { role: "toggleDevTools" }, { type: "separator" }] : [];
  const template: MenuItemConstructorOptions[] = [
    {
      label: "&File",
      submenu: [
        { label: "Add Model &File…", accelerator: "CmdOrCtrl+O", click: () => actions.addModels("file") },
        { label: "Add Model F&older…", accelerator: "CmdOrCtrl+Shift+O", click: () => actions.addModels("folder") },
        { type: "separator" },
        mac ? { role: "close" } : { role: "quit" },
      ],
    },
    { role: "editMenu" },
    {
      label: "&View",
      submenu: [...devItems, { role: "resetZoom" }, { role: "zoomIn" }, { role: "zoomOut" }, { type: "separator" }, { role: "togglefullscreen" }],
    },
    ...(mac ? [{ role: "windowMenu" } satisfies MenuItemConstructorOptions] : []),
    { role: "help", submenu: [{ label: "&About Polytune", click: () => actions.showAbout() }] },
  ];
  // macOS wants the app menu first, with About, Hide and Quit.
  if (mac) template.unshift({ role: "appMenu" });
  return template;
}
