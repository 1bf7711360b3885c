/**
 * One thing a view loads from the core: its value, whether it is loading, and the error in
 * the core's words. A newer load supersedes an older one still in flight, so a quick change
 * of route or search never shows a stale answer.
 */
import { errorText } from './errors.ts';

export class Resource<T> {
  /** The last value loaded (kept while a reload runs, so the view does not flicker). */
  value = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  private seq = 0;

  async load(fetch: () => Promise<T>): Promise<void> {
    const mine = ++this.seq;
    this.loading = true;
    this.error = null;
    try {
      const v = await fetch();
      if (mine === this.seq) this.value = v;
    } catch (err) {
      if (mine === this.seq) this.error = errorText(err);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }

  /** Replace the value after a change whose result the core returned (no reload needed). */
  set(v: T): void {
    this.seq++;
    this.value = v;
    this.error = null;
    this.loading = false;
  }
}
