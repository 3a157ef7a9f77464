import { en, type Strings } from "./en.js";

/** The strings of the interface's language; only English exists so far, a translation plugs in here. */
export const strings: Strings = en;
