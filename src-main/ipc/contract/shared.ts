/**
 * The few run-time values and pure functions the renderer shares with the core, so the UI, the
 * CLI and the PDF report say the same thing (one story per item) and check the same limits.
 * This is the only module under src-main/ the renderer imports at run time (eslint.config.js
 * enforces it), so everything it re-exports must stay browser-safe: pure modules that import
 * nothing but types. test/unit/ipc/contract-shared.test.ts walks its run-time imports: it fails on
 * a package or a node: module anywhere in the graph, and lists the modules the graph may hold.
 */
export { DECISION_WORDS, METHOD_LABEL, referenceMedianScore, scoreText, scoreView, variationStory } from '../../core/verify/story.ts';
export { FIGURE_KEYS } from '../../core/model/figures.ts';
export { DPI_MAX, DPI_MIN } from '../../core/imaging/dpi.ts';
