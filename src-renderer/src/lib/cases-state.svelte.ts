/** The case list's filters, kept while the examiner opens a case and comes back. */
export const caseFilters = $state<{ search: string; includeArchived: boolean }>({ search: '', includeArchived: false });
