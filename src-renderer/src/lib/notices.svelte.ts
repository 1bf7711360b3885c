/** Short confirmations ('Case archived') announced politely to screen readers and shown briefly. */
export interface Notice {
  id: number;
  text: string;
  tone: 'ok' | 'info' | 'error';
}

export const notices = $state<{ list: Notice[] }>({ list: [] });
let next = 1;

export function notify(text: string, tone: Notice['tone'] = 'ok', ms = 4000): void {
  const id = next++;
  notices.list.push({ id, text, tone });
  setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  notices.list = notices.list.filter((n) => n.id !== id);
}

/** Copies a hash to the clipboard and says whether it worked (browsers may refuse). */
export async function copySha256(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    notify('SHA-256 copied', 'info');
  } catch {
    notify('Copying is not allowed here: select the hash and copy it by hand', 'error');
  }
}
