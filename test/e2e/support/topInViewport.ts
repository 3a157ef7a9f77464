import type { Locator, Page } from "playwright-core";

/** Whether an element's top edge is on screen: what an action produced is where the user looks. */
export async function topInViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const height = page.viewportSize()!.height;
  return box !== null && box.y >= -1 && box.y < height - 40;
}
