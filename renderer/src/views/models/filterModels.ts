import type { Model } from "../../../../electron/shared/contract.js";
import { strings } from "../../i18n/strings.js";

/** Every word of the filter must appear in one of the fields a person would search by. */
export function filterModels(models: Model[], filter: string): Model[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return models;
  return models.filter((m) => {
    const haystack = [m.name, m.architecture, m.fileType, m.path, m.tokenizer, m.source, m.status, strings.models.status[m.status]]
      .filter(Boolean)
      .join(" ")
      .toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}
