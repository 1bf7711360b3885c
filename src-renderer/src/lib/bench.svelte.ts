/**
 * State of one true-scale bench (lib/true-scale.ts): the crops it shows with their sizes and
 * resolutions, and the one view every pane of it is drawn at (zoom and pan locked).
 */
import { loadImage } from './images.ts';
import { errorText } from './errors.ts';
import { fallbackDpi, fitView, resolutionState, zoomOf, zoomView, type BenchView, type ScaledImage } from './true-scale.ts';

export interface BenchItem {
  /** The crop (original pixels); null when the signature has none. */
  sha: string | null;
  dpi: number | null;
  dpiSource: 'file' | 'entered' | null;
}

export interface LoadedCrop extends ScaledImage {
  src: string;
}

export class Bench {
  crops = $state<Record<string, LoadedCrop>>({});
  errors = $state<Record<string, string>>({});
  view = $state<BenchView>({ k: 1, fitK: 1, origin: { x: 0, y: 0 } });
  /** The pane size the view was last fitted to (every pane of a bench has the same size). */
  pane = $state({ width: 0, height: 0 });
  private fitted = false;

  constructor(private readonly items: () => readonly BenchItem[]) {}

  /** Starts loading the crops not loaded yet. */
  load(): void {
    for (const it of this.items()) {
      const sha = it.sha;
      if (!sha || this.crops[sha] || this.errors[sha]) continue;
      loadImage(sha).then(
        (d) => {
          this.crops[sha] = { src: d.url, widthPx: d.width, heightPx: d.height, dpi: it.dpi };
          this.fitted = false;
          this.fit();
        },
        (err: unknown) => {
          this.errors[sha] = errorText(err);
        },
      );
    }
  }

  get dpis(): (number | null)[] {
    return this.items().map((i) => i.dpi);
  }
  get fallback(): number {
    return fallbackDpi(this.dpis);
  }
  get state() {
    return resolutionState(this.dpis);
  }
  get entered(): boolean {
    return this.items().some((i) => i.dpiSource === 'entered');
  }
  get zoom(): number {
    return zoomOf(this.view);
  }

  /** The images with their size, at their own dpi (null where unknown). */
  private images(): ScaledImage[] {
    return this.items()
      .map((i) => (i.sha ? this.crops[i.sha] : undefined))
      .filter((c): c is LoadedCrop => !!c)
      .map((c) => ({ widthPx: c.widthPx, heightPx: c.heightPx, dpi: c.dpi }));
  }

  /** Pane size changed: fit again unless the examiner has zoomed or panned. */
  resize(width: number, height: number): void {
    if (width <= 0 || height <= 0) return;
    if (width === this.pane.width && height === this.pane.height) return;
    this.pane = { width, height };
    if (!this.fitted || this.zoom === 1) this.fit();
  }

  /** The view that shows every image whole. */
  fit(): void {
    const imgs = this.images();
    if (!imgs.length || this.pane.width <= 0) return;
    this.view = fitView(imgs, this.pane, this.fallback);
    this.fitted = true;
  }

  set(v: BenchView): void {
    this.view = v;
  }

  zoomBy(factor: number): void {
    this.view = zoomView(this.view, factor, { x: this.pane.width / 2, y: this.pane.height / 2 });
  }
}
