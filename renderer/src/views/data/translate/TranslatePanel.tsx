import { TranslateForm } from "./TranslateForm.js";
import { TranslationJobs } from "./TranslationJobs.js";

/** Data → Translations: the form that starts a job, and the jobs with their results. */
export function TranslatePanel() {
  return (
    <>
      <TranslateForm />
      <TranslationJobs />
    </>
  );
}
