import type { Page } from "playwright-core";

/** Every form control on the page without an accessible name (label, aria-label(ledby), or button text). */
export function unlabeledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent?.trim())))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
