/**
 * The installation key: an Ed25519 key pair in `<dataDir>/installation-key.pem`, readable by
 * its owner only, made the first time the data directory is opened. It signs the audit
 * chain's head at every write (audit-signatures.ts), so a row appended by anyone who can
 * write the database but cannot read this file is caught. The public key is shown by
 * `doctor` and printed in every report; backups never contain the private key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

export const INSTALLATION_KEY_FILE = 'installation-key.pem';
/** First element of every signed message; a later format gets a new tag. */
export const SIGNATURE_FORMAT = 'countersign-audit-signature-v1';

export interface PublicKeyInfo {
  /** base64 of the raw 32-byte Ed25519 public key (what audit_signatures records). */
  publicKey: string;
  /** SHA-256 of the raw key, first 16 bytes, as 8 groups of 4 hex digits: for reading aloud and comparing. */
  fingerprint: string;
}

export interface InstallationKey extends PublicKeyInfo {
  file: string;
  /** True when this open made the key (a new data directory, or a lost key file). */
  created: boolean;
  sign(seq: number, hash: string): string;
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function keyFile(dataDir: string): string {
  return path.join(dataDir, INSTALLATION_KEY_FILE);
}

export function fingerprintOf(publicKey: string): string {
  const hex = createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)!.join(' ');
}

function rawPublicKey(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32).toString('base64');
}

function publicKeyObject(publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== 32) throw new AppError('INTEGRITY', `public key ${publicKey}: not an Ed25519 key (expected 32 bytes)`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The bytes a chain-head signature covers. */
export function signedMessage(seq: number, hash: string): Buffer {
  return Buffer.from(JSON.stringify([SIGNATURE_FORMAT, seq, hash]), 'utf8');
}

/** Checks a recorded signature of the head (seq, hash) against the key it names. */
export function verifyHeadSignature(publicKey: string, seq: number, hash: string, signature: string): boolean {
  try {
    return verify(null, signedMessage(seq, hash), publicKeyObject(publicKey), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function fromPem(file: string, pem: string, created: boolean): InstallationKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new AppError(
      'INTEGRITY',
      `${file}: not a readable installation key (${(err as Error).message}); move it away to make a new one (the audit log records the change)`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError('INTEGRITY', `${file}: not an Ed25519 key (${key.asymmetricKeyType})`);
  const publicKey = rawPublicKey(key);
  return {
    file,
    created,
    publicKey,
    fingerprint: fingerprintOf(publicKey),
    sign: (seq, hash) => sign(null, signedMessage(seq, hash), key).toString('base64'),
  };
}

/** The public half of the data directory's key, without making one (doctor); null when there is none yet. */
export function readPublicKey(dataDir: string): PublicKeyInfo | null {
  const file = keyFile(dataDir);
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AppError('IO', `${file}: cannot read the installation key (${(err as Error).message})`);
  }
  const k = fromPem(file, pem, false);
  return { publicKey: k.publicKey, fingerprint: k.fingerprint };
}

/**
 * The data directory's key: read (tightening the file to 0600 if it was looser) or, when
 * there is none, made and written owner-only. The file is created exclusively, so two
 * processes opening a new directory at once end up with the same key.
 */
export function loadOrCreateInstallationKey(dataDir: string): InstallationKey {
  const file = keyFile(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const st = fs.statSync(file);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return fromPem(file, fs.readFileSync(file, 'utf8'), false);
    } catch (err) {
      if (err instanceof AppError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new AppError('IO', `${file}: cannot read the installation key (${(err as Error).message})`);
      }
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    // Written whole to a temp file, then linked into place: link never replaces a key another
    // process made meanwhile, and no one ever reads half a key.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, pem);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process made it first
      throw new AppError('IO', `${file}: cannot write the installation key (${(err as Error).message})`);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return fromPem(file, pem, true);
  }
  throw new AppError('IO', `${file}: the installation key could not be read or made`);
}
