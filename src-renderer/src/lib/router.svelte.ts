/** Hash routing: #/cases, #/cases/12, #/cases/12/documents/40, #/compare ... (works over file:// and the bridge). */
import { hashSegments } from './route-parse.ts';

export const VIEWS = [
  { id: 'cases', label: 'Cases', key: '1' },
  { id: 'compare', label: 'Compare', key: '2' },
  { id: 'batch', label: 'Batch', key: '3' },
  { id: 'training', label: 'Training', key: '4' },
  { id: 'models', label: 'Models', key: '5' },
  { id: 'settings', label: 'Settings', key: '6' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

function parse(hash: string): { view: ViewId; params: string[] } {
  // A malformed hash (`#/cases/%E0%A4%A`) is a route to nothing, not an exception.
  const parts = hashSegments(hash);
  const view = (VIEWS.find((v) => v.id === parts[0])?.id ?? 'cases') as ViewId;
  return { view, params: parts.slice(1) };
}

/** The current route; `navigations` counts hash changes since the app loaded (0 on first load). */
export const route = $state({ ...parse(location.hash), navigations: 0 });

window.addEventListener('hashchange', () => Object.assign(route, parse(location.hash), { navigations: route.navigations + 1 }));

export function href(view: ViewId, ...params: (string | number)[]): string {
  return '#/' + [view, ...params.map((p) => encodeURIComponent(String(p)))].join('/');
}

export function navigate(view: ViewId, ...params: (string | number)[]): void {
  location.hash = href(view, ...params);
}
