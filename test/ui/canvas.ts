import type { Frame } from 'playwright-core';

/** How many pixels of a webview's canvas are painted (alpha above 0): a chart that drew something has many. */
export function paintedPixels(frame: Frame, canvasId: string): Promise<number> {
  return frame.evaluate<number>(`(() => {
    const c = document.getElementById(${JSON.stringify(canvasId)});
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  })()`);
}
