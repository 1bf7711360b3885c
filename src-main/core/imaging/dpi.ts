/**
 * The range a resolution given by the examiner may take (dots per inch): import's `--dpi`, the
 * import dialog, `import.start`'s `dpi`. No imports, so the IPC contract can use it.
 */
export const DPI_MIN = 72;
export const DPI_MAX = 2400;
