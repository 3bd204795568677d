// What the browser bundle has instead of html-report.ts (scripts/bundle.mjs maps it): the
// report writes a file, which a page cannot, so the browser bundle does not carry its ~4 kB
// (gzipped) of SVG drawing. Same exports, same types.

import type { Callback } from '../callbacks.js';
import type { HtmlReportArgs } from './html-report.js';

export type { HtmlReportArgs };

export function htmlReport(_args: HtmlReportArgs): Callback & { readonly path: string } {
  throw new Error('callbacks.htmlReport writes a file: it needs Node, Bun or Deno (in a browser, use createTrainer\'s onEpochEnd and draw the charts on the page, as web/app.js does)');
}
