import { useState } from "react";

/**
 * A form's field errors, shown only once the user has tried to submit (not while they are still typing).
 * `attempt(action)` makes a handler (a form's onSubmit, a button's onClick) that stops the page's own
 * submit, shows the errors and runs the action, which checks the draft again and refuses on errors.
 */
export function useSubmitErrors<F extends string>(errors: Partial<Record<F, string>> | null) {
  const [submitted, setSubmitted] = useState(false);
  const errorOf = (field: F): string | undefined => (submitted ? errors?.[field] : undefined);
  const attempt = (action: () => unknown) => (event?: { preventDefault(): void }) => {
    event?.preventDefault();
    setSubmitted(true);
    void action();
  };
  return { errorOf, setSubmitted, attempt };
}
