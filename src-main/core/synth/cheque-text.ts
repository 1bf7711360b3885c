/**
 * What gets printed and written on a cheque: banks, payees, dates, amounts in figures
 * and in words, MICR code lines.
 */
import type { Rng } from '../util/random.ts';
import type { Rgb } from './raster.ts';

export type LogoKind = 'building' | 'ring' | 'shield' | 'waves';

export interface BankDesign {
  name: string;
  address: string;
  logo: LogoKind;
  /** light background tint and its guilloche line colour */
  tint: Rgb;
  pattern: Rgb;
  /** bank name and logo; labels and lines */
  accent: Rgb;
  print: Rgb;
  routing: string;
  account: string;
  currency: string;
  /** guilloche wave parameters */
  waves: { period: number; amp: number; lambda: number; wobble: number };
  border: boolean;
}

const BANKS = [
  'NORTHFIELD SAVINGS BANK',
  'HARBOUR TRUST COMPANY',
  'FIRST MERIDIAN BANK',
  'CASTLEGATE BANK',
  'ALDER & STONE BANK',
  'UNION PROVIDENT',
  'RIVERBEND CREDIT UNION',
  'SILVERLAKE NATIONAL BANK',
  'OAKHAVEN MUTUAL',
  'CROWN VALLEY BANK',
];
const STREETS = ['Main Street', 'King Street', 'Market Square', 'Harbour Road', 'Station Avenue', 'Church Lane', 'High Street'];
const TOWNS = ['Springfield', 'Westbury', 'Lakeview', 'Fairhaven', 'Millbrook', 'Ashford', 'Eastwick'];
const TINTS: { tint: Rgb; pattern: Rgb; accent: Rgb }[] = [
  { tint: [226, 236, 246], pattern: [176, 198, 226], accent: [24, 52, 110] },
  { tint: [228, 242, 230], pattern: [170, 208, 178], accent: [22, 86, 52] },
  { tint: [246, 238, 222], pattern: [222, 198, 160], accent: [110, 58, 24] },
  { tint: [242, 230, 238], pattern: [214, 178, 200], accent: [102, 26, 60] },
  { tint: [236, 236, 240], pattern: [192, 194, 208], accent: [40, 40, 60] },
];

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

export function bankDesign(rng: Rng): BankDesign {
  const c = rng.pick(TINTS);
  return {
    name: rng.pick(BANKS),
    address: `${rng.int(1, 480)} ${rng.pick(STREETS)}, ${rng.pick(TOWNS)}`,
    logo: rng.pick(['building', 'ring', 'shield', 'waves'] as const),
    tint: c.tint,
    pattern: c.pattern,
    accent: c.accent,
    print: rng.chance(0.5) ? [28, 30, 40] : c.accent,
    routing: digits(rng, 9),
    account: `${digits(rng, rng.int(8, 10))}`,
    currency: '$',
    waves: { period: rng.uniform(0.9, 1.6), amp: rng.uniform(1.5, 4), lambda: rng.uniform(8, 20), wobble: rng.uniform(0.5, 2) },
    border: rng.chance(0.6),
  };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function chequeDate(rng: Rng): string {
  const y = rng.int(2019, 2025);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  const p2 = (n: number) => String(n).padStart(2, '0');
  switch (rng.int(0, 2)) {
    case 0:
      return `${MONTHS[m - 1]} ${d}, ${y}`;
    case 1:
      return `${p2(d)}/${p2(m)}/${y}`;
    default:
      return `${d}.${m}.${y}`;
  }
}

const PAYEE_FIRST = ['Anna', 'Tom', 'Grace', 'Henry', 'Lucy', 'Oliver', 'Ruth', 'Victor', 'Mia', 'Sam', 'Eva', 'Jack'];
const PAYEE_LAST = ['Baker', 'Morgan', 'Fischer', 'Kowalski', 'Reyes', 'Lund', 'Novak', 'Hughes', 'Ward', 'Bell', 'Stone'];
const COMPANIES = [
  'City Water',
  'Northwind Supplies',
  'Greenway Garden',
  'Lakeside Dental',
  'Metro Power',
  'Baker Roofing',
  'Harbor Plumbing',
  'Town Council',
  'Bright Tutors',
  'Vale Motors',
];

export function payee(rng: Rng): string {
  return rng.chance(0.45) ? rng.pick(COMPANIES) : `${rng.pick(PAYEE_FIRST)} ${rng.pick(PAYEE_LAST)}`;
}

const ONES = [
  '',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

function below1000(n: number): string {
  const parts: string[] = [];
  if (n >= 100) {
    parts.push(`${ONES[Math.floor(n / 100)]} hundred`);
    n %= 100;
  }
  if (n >= 20) {
    parts.push(TENS[Math.floor(n / 10)] + (n % 10 ? `-${ONES[n % 10]}` : ''));
  } else if (n > 0) parts.push(ONES[n] as string);
  return parts.join(' ');
}

/** 1250 -> "One thousand two hundred fifty" (whole units; cents are written as xx/100). */
export function amountInWords(units: number): string {
  if (units === 0) return 'Zero';
  const thousands = Math.floor(units / 1000);
  const rest = units % 1000;
  const s = [thousands ? `${below1000(thousands)} thousand` : '', rest ? below1000(rest) : ''].filter(Boolean).join(' ');
  return s[0]!.toUpperCase() + s.slice(1);
}

export interface Amount {
  cents: number;
  figures: string;
  words: string;
}

export function chequeAmount(rng: Rng): Amount {
  const units = rng.chance(0.3) ? rng.int(1, 99) * 10 : rng.chance(0.7) ? rng.int(5, 2500) : rng.int(2500, 9999);
  const c = rng.chance(0.55) ? 0 : rng.int(1, 99);
  const figures = `${units >= 1000 ? `${Math.floor(units / 1000)},${String(units % 1000).padStart(3, '0')}` : units}.${String(c).padStart(2, '0')}`;
  const words = `${amountInWords(units)} and ${String(c).padStart(2, '0')}/100`;
  return { cents: units * 100 + c, figures, words };
}
