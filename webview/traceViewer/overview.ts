import type { SpanRow } from '../../src/shared/traceViewerProtocol';
import { el } from '../common/dom';
import { chartColours, themeColour } from '../common/theme';

/** CSS height of the strip; the canvas itself has devicePixelRatio times as many pixels. */
const stripHeight = 48;

/** Colour buckets in paint order: a later bucket wins a pixel that several cover, so errors are never hidden. */
const buckets = [chartColours.blue, chartColours.yellow, chartColours.green, chartColours.orange, chartColours.purple, chartColours.red] as const;
const errorBucket = 5;

function bucketOf(span: SpanRow): number {
  if (span.status === 'error') return errorBucket;
  switch (span.type) {
    // The same colours as the waterfall's bars.
    case 'retrieval':
    case 'embedding':
      return 1;
    case 'agent':
      return 2;
    case 'tool':
      return 3;
    case 'llm':
      return 4;
    default:
      return 0;
  }
}

/**
 * A mini-map of the whole trace above the virtualized waterfall (as in Jaeger):
 * every span in view order as a thin bar (x by time, y by row position squeezed
 * into the strip), and a translucent rectangle over the rows in view. Clicking or
 * dragging scrolls the waterfall there.
 *
 * The bars are painted once per trace, collapse, size or theme change into an
 * offscreen canvas, from an ImageData built with one difference array per pixel
 * row, so the cost is O(spans + pixels) however many spans share a pixel. A scroll
 * only copies that image and draws the rectangle. A pointer aid only: it is
 * aria-hidden, and the waterfall keeps the keyboard.
 */
export class Overview {
  readonly element: HTMLCanvasElement;
  private readonly base = document.createElement('canvas');
  private spans: readonly SpanRow[] = [];
  private order: readonly number[] = [];
  private total = 1;
  /** Rows (fractional) from the top of the waterfall to its first row in view, and how many rows are in view. */
  private first = 0;
  private inView = 0;
  private baseDirty = true;
  /** The rectangle's colour, read from the theme with the bars'. */
  private accent = '#007fd4';
  private frame = 0;

  /** `seek` gets a row position (fractional, in view order) to bring to the middle of the waterfall. */
  constructor(private readonly seek: (row: number) => void) {
    this.element = el('canvas', { class: 'wf-overview', 'aria-hidden': 'true' });
    this.element.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      this.element.setPointerCapture(e.pointerId);
      this.seekTo(e);
    });
    this.element.addEventListener('pointermove', (e) => {
      if (this.element.hasPointerCapture(e.pointerId)) this.seekTo(e);
    });
    const release = (e: PointerEvent) => {
      if (this.element.hasPointerCapture(e.pointerId)) this.element.releasePointerCapture(e.pointerId);
    };
    this.element.addEventListener('pointerup', release);
    this.element.addEventListener('pointercancel', release);

    // The exact device-pixel size where the browser reports it (it also changes with the zoom), else CSS size × DPR.
    const observer = new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (!entry) return;
      const device = entry.devicePixelContentBoxSize?.[0];
      const css = entry.contentBoxSize[0];
      const dpr = window.devicePixelRatio || 1;
      const width = device ? device.inlineSize : Math.round((css?.inlineSize ?? 0) * dpr);
      const height = device ? device.blockSize : Math.round((css?.blockSize ?? stripHeight) * dpr);
      if (width === this.element.width && height === this.element.height) return;
      this.element.width = width; // clears the canvas: paint again at once rather than show a blank frame
      this.element.height = height;
      this.baseDirty = true;
      this.paint();
    });
    try {
      observer.observe(this.element, { box: 'device-pixel-content-box' });
    } catch {
      observer.observe(this.element);
    }
    // VS Code restyles the document when the colour theme changes: the body's class and the root's variables.
    const themeObserver = new MutationObserver(() => this.invalidate());
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  /** The rows changed (another trace, a collapse or an expand): the bars are painted again. */
  setRows(spans: readonly SpanRow[], order: readonly number[], total: number): void {
    this.spans = spans;
    this.order = order;
    this.total = total > 0 ? total : 1;
    this.invalidate();
  }

  /** The waterfall scrolled or resized: only the rectangle moves. */
  setViewport(first: number, inView: number): void {
    if (first === this.first && inView === this.inView) return;
    this.first = first;
    this.inView = inView;
    this.schedule();
  }

  private invalidate(): void {
    this.baseDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  private seekTo(e: PointerEvent): void {
    const height = this.element.clientHeight; // the strip without its border
    if (height <= 0 || this.order.length === 0) return;
    const fraction = Math.max(0, Math.min(1, (e.clientY - this.element.getBoundingClientRect().top) / height));
    this.seek(fraction * this.order.length);
  }

  private paint(): void {
    const canvas = this.element;
    const { width, height } = canvas;
    if (width === 0 || height === 0) return; // not laid out (another view is shown): painted when it is
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    if (this.baseDirty) {
      this.paintBase(width, height);
      this.baseDirty = false;
    }
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(this.base, 0, 0);
    const n = this.order.length;
    if (n === 0 || this.inView <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const line = Math.max(1, Math.round(dpr));
    // At least 4 CSS pixels high, so that 30 rows of 100,000 still show where they are.
    const least = Math.min(height, Math.round(4 * dpr));
    const top = Math.max(0, Math.min(height - least, Math.floor((this.first / n) * height)));
    const bottom = Math.max(top + least, Math.min(height, Math.ceil(((this.first + this.inView) / n) * height)));
    const accent = this.accent;
    ctx.save();
    ctx.fillStyle = accent;
    ctx.globalAlpha = 0.2;
    ctx.fillRect(0, top, width, bottom - top);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = accent;
    ctx.lineWidth = line;
    ctx.strokeRect(line / 2, top + line / 2, width - line, bottom - top - line);
    ctx.restore();
  }

  /**
   * Paints the bars into the offscreen canvas. Per bucket, each bar adds +1 where it starts and −1 where it
   * ends on the pixel rows it covers; a running sum along each row then says which pixels it covers.
   */
  private paintBase(width: number, height: number): void {
    this.base.width = width;
    this.base.height = height;
    this.accent = themeColour('--vscode-focusBorder', '#007fd4');
    const ctx = this.base.getContext('2d');
    const n = this.order.length;
    if (!ctx || n === 0) return;
    const image = ctx.createImageData(width, height);
    const pixels = new Uint32Array(image.data.buffer);
    const colours = buckets.map((b) => packedColour(themeColour(b.variable, b.fallback)));
    const dpr = window.devicePixelRatio || 1;
    const rowPx = height / n;
    // Rows taller than 3 device pixels get a bar with a gap around it (at most 6 CSS pixels high); else 1 pixel.
    const barPx = rowPx >= 3 ? Math.max(1, Math.min(rowPx * 0.7, 6 * dpr)) : 1;
    const stride = width + 1;
    const diff = new Int32Array(height * stride);
    const bucket = new Uint8Array(n);
    const used = new Set<number>();
    for (let p = 0; p < n; p++) {
      const span = this.spans[this.order[p] as number];
      const b = span ? bucketOf(span) : 0;
      bucket[p] = b;
      used.add(b);
    }
    for (let b = 0; b < buckets.length; b++) {
      if (!used.has(b)) continue;
      diff.fill(0);
      for (let p = 0; p < n; p++) {
        if (bucket[p] !== b) continue;
        const span = this.spans[this.order[p] as number];
        if (!span) continue;
        const x0 = Math.max(0, Math.min(width - 1, Math.floor((span.startMs / this.total) * width)));
        const x1 = Math.max(x0 + 1, Math.min(width, Math.ceil(((span.startMs + span.durationMs) / this.total) * width)));
        const y0 = Math.min(height - 1, rowPx >= 3 ? Math.round(p * rowPx + (rowPx - barPx) / 2) : Math.floor(p * rowPx));
        const y1 = Math.min(height, Math.max(y0 + 1, Math.round(y0 + barPx)));
        for (let y = y0; y < y1; y++) {
          diff[y * stride + x0] = (diff[y * stride + x0] as number) + 1;
          diff[y * stride + x1] = (diff[y * stride + x1] as number) - 1;
        }
      }
      const colour = colours[b] as number;
      for (let y = 0; y < height; y++) {
        let run = 0;
        const row = y * stride;
        const out = y * width;
        for (let x = 0; x < width; x++) {
          run += diff[row + x] as number;
          if (run > 0) pixels[out + x] = colour;
        }
      }
    }
    ctx.putImageData(image, 0, 0);
  }
}

/** A CSS colour as the 32-bit RGBA word of an ImageData pixel, in this machine's byte order. */
function packedColour(css: string): number {
  const probe = document.createElement('canvas');
  probe.width = probe.height = 1;
  const ctx = probe.getContext('2d', { willReadFrequently: true });
  if (!ctx) return 0;
  ctx.fillStyle = '#808080';
  ctx.fillStyle = css; // an unparsable value is ignored, leaving the grey
  ctx.fillRect(0, 0, 1, 1);
  return new Uint32Array(ctx.getImageData(0, 0, 1, 1).data.buffer)[0] ?? 0;
}
