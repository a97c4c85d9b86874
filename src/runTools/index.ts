// Run comparison and exports, bundled as dist/runTools.js and `require`d on first use: the diff library and the
// HTML page's template stay out of the extension's main bundle.
export { compareRuns, describeOtherChoice, TVD_LABEL } from '../core/runs/compare';
export type { RunComparison } from '../core/runs/compare';
export { runToCsv } from '../core/runs/export/csv';
export { runToHtml } from '../core/runs/export/html';
export { runToJson } from '../core/runs/export/json';
