/**
 * Focus after navigation: a page's heading takes the focus when the examiner arrives by a
 * link or a view key, so a screen reader announces the new page and Tab continues inside
 * it. On the first load the focus stays at the top of the document (the skip link first).
 */
import { route } from './router.svelte.ts';

export function focusOnArrival(node: HTMLElement): void {
  if (!node.hasAttribute('tabindex')) node.tabIndex = -1;
  if (route.navigations > 0) node.focus({ preventScroll: true });
}
