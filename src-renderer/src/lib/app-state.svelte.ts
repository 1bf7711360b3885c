import type { AppInfo } from '../../../src-main/ipc/contract.ts';
import { call } from './api.ts';

/** Shared application state: the core's info, theme, and the app-wide error banner. */
export const app = $state<{ info: AppInfo | null; error: string | null; theme: 'light' | 'dark' }>({
  info: null,
  error: null,
  theme: (localStorage.getItem('countersign.theme') as 'light' | 'dark' | null) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
});

export async function loadAppInfo(): Promise<void> {
  try {
    app.info = await call('app.info');
  } catch (err) {
    app.error = `Could not reach the Countersign core: ${(err as Error).message}`;
  }
}

export function toggleTheme(): void {
  app.theme = app.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem('countersign.theme', app.theme);
}

export function setTheme(theme: 'light' | 'dark'): void {
  app.theme = theme;
  localStorage.setItem('countersign.theme', theme);
}
