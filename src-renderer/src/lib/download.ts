/** Saving a file the core produced, in the browser: fetched from its object URL, then a download. */
import { transport } from './api.ts';

/** The bytes at an object URL (report.get's) as a Blob; the server's message when it refuses. */
export async function fetchObject(url: string): Promise<Blob> {
  const res = await fetch(transport.objectUrl(url), { credentials: 'omit' });
  if (!res.ok) throw new Error((await res.text()).trim() || `the download failed (HTTP ${res.status})`);
  return res.blob();
}

/** Starts the browser's download of `url` as `fileName` (the user's download settings apply). */
export function startDownload(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
