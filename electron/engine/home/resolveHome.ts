import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * The app's data folder: `--home`, else POLYTUNE_HOME, else each OS's convention
 * (XDG data dir on Linux, Application Support on macOS, %APPDATA% on Windows).
 */
export function resolveHome(override?: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (override) return resolve(override);
  if (env.POLYTUNE_HOME) return resolve(env.POLYTUNE_HOME);
  const home = homedir();
  if (platform === "darwin") return join(home, "Library", "Application Support", "Polytune");
  if (platform === "win32") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "Polytune");
  return join(env.XDG_DATA_HOME ?? join(home, ".local", "share"), "polytune");
}

export interface HomeLayout {
  root: string;
  database: string;
  adapters: string;
  checkpoints: string;
  logs: string;
  models: string;
}

/** Creates the folder tree under a home and names its parts. */
export function prepareHome(root: string): HomeLayout {
  const layout: HomeLayout = {
    root,
    database: join(root, "polytune.db"),
    adapters: join(root, "adapters"),
    checkpoints: join(root, "checkpoints"),
    logs: join(root, "logs"),
    models: join(root, "models"),
  };
  for (const dir of [layout.root, layout.adapters, layout.checkpoints, layout.logs, layout.models]) mkdirSync(dir, { recursive: true });
  return layout;
}
