import type { Migration } from "../Migration.js";
import { m0001_models } from "./m0001_models.js";
import { m0002_settings } from "./m0002_settings.js";
import { m0003_runs } from "./m0003_runs.js";
import { m0004_run_config_version } from "./m0004_run_config_version.js";

/** Every migration, in order; versions are 1..N without gaps (checked at start). */
export const migrations: readonly Migration[] = [m0001_models, m0002_settings, m0003_runs, m0004_run_config_version];
