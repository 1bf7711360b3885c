/**
 * One zoom and pan shared by several image panes (synchronised comparison). Coordinates are
 * fractions of a pane, so panes of the same aspect ratio show exactly the same region:
 * a pane shows content point u at pane point x + u·scale.
 */
export const MIN_SCALE = 1;
export const MAX_SCALE = 16;

export class Viewport {
  scale = $state(1);
  x = $state(0);
  y = $state(0);

  /** CSS transform for the content layer (transform-origin 0 0, translate in % of the pane). */
  get transform(): string {
    return `translate(${(this.x * 100).toFixed(4)}%, ${(this.y * 100).toFixed(4)}%) scale(${this.scale.toFixed(4)})`;
  }

  /** Zoom by `factor` keeping the pane point (px, py) (fractions, default the centre) still. */
  zoomAt(factor: number, px = 0.5, py = 0.5): void {
    const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    const ux = (px - this.x) / this.scale;
    const uy = (py - this.y) / this.scale;
    this.scale = s;
    this.x = px - ux * s;
    this.y = py - uy * s;
    this.clamp();
  }

  /** Move the content by a fraction of the pane. */
  pan(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
    this.clamp();
  }

  reset(): void {
    this.scale = 1;
    this.x = 0;
    this.y = 0;
  }

  /** The content always covers the pane: no panning into emptiness. */
  private clamp(): void {
    this.x = Math.min(0, Math.max(1 - this.scale, this.x));
    this.y = Math.min(0, Math.max(1 - this.scale, this.y));
  }
}
