import { createHash } from 'node:crypto';
import type { ReportInput } from './types.ts';

/**
 * The report's content hash (scheme "countersign-report-v1"): SHA-256, lowercase hex,
 * over the UTF-8 bytes of the canonical JSON of the ReportInput without `generatedAt`.
 *
 * Canonical JSON: object keys sorted by code unit (Array.prototype.sort), no whitespace,
 * keys whose value is undefined left out, strings and numbers as JSON.stringify writes
 * them, every binary value (Buffer / Uint8Array, i.e. the PNG images) replaced by
 * {"sha256":"<hex of its bytes>"}. Two reports with the same content hash show the same
 * figures, images and provenance; the PDF bytes are then identical apart from the
 * generation timestamp (docs/report.md).
 */
export const CONTENT_HASH_SCHEME = 'countersign-report-v1';

export function canonicalReportJson(input: ReportInput): string {
  const { generatedAt: _omitted, ...rest } = input;
  return canonicalJson(rest);
}

export function reportContentHash(input: ReportInput): string {
  return createHash('sha256').update(canonicalReportJson(input), 'utf8').digest('hex');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `{"sha256":"${sha256Hex(value)}"}`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: unsupported ${typeof value}`);
  }
}
