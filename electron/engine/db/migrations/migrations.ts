import type { Migration } from "../Migration.js";
import { m0001_models } from "./m0001_models.js";
import { m0002_settings } from "./m0002_settings.js";
import { m0003_runs } from "./m0003_runs.js";
import { m0004_run_config_version } from "./m0004_run_config_version.js";
import { m0005_datasets } from "./m0005_datasets.js";
import { m0006_mixes } from "./m0006_mixes.js";
import { m0007_translations } from "./m0007_translations.js";
import { m0008_evaluations } from "./m0008_evaluations.js";
import { m0009_full_runs } from "./m0009_full_runs.js";
import { m0010_experiments } from "./m0010_experiments.js";
import { m0011_compare } from "./m0011_compare.js";
import { m0012_eval_replicates } from "./m0012_eval_replicates.js";

/** Every migration, in order; versions are 1..N without gaps (checked at start). */
export const migrations: readonly Migration[] = [m0001_models, m0002_settings, m0003_runs, m0004_run_config_version, m0005_datasets, m0006_mixes, m0007_translations, m0008_evaluations, m0009_full_runs, m0010_experiments, m0011_compare, m0012_eval_replicates];
