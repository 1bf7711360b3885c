/**
 * PDF reports of a case's verification: cover and summary, one section per questioned
 * item, method and validation appendix, integrity and sign-off. See docs/report.md.
 */
export { renderReport, type RenderOptions } from './render.ts';
export { canonicalReportJson, reportContentHash, CONTENT_HASH_SCHEME } from './content-hash.ts';
export { validateReportInput } from './validate.ts';
export { enfsiVerbalLabel, formatLr } from './format.ts';
export * from './types.ts';
