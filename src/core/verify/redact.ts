/**
 * Keeps secrets out of everything verify reports: the client secret, access tokens, the SASL
 * XOAUTH2 string, and (defensively) anything that looks like a JWT or a base64 `user=...` blob.
 */

/** Three base64url segments, the first starting with `eyJ` (`{"` encoded): a JWT. Also catches a lone header/payload. */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}/g;
/** A base64 SASL XOAUTH2 string: it always starts with base64(`user=`), `dXNlcj`. */
const SASL_LIKE = /dXNlcj[A-Za-z0-9+/]{12,}={0,2}/g;
/** `Bearer <token>` in any text (a header echoed in an error, say). */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]{16,}=*/gi;

export const MASK = '***';

/** Collects the sensitive values of one run and masks them (and their common encodings) in text. */
export class Redactor {
  private readonly values = new Set<string>();

  /** Registers a value that must never be shown. Short values (< 4 chars) are ignored: masking them would garble text. */
  add(value: string | undefined): void {
    if (!value || value.length < 4) {
      return;
    }
    for (const v of [
      value,
      value.trim(),
      encodeURIComponent(value),
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
    ]) {
      if (v.length >= 4) {
        this.values.add(v);
      }
    }
  }

  /** The text with every registered value and every token-looking string masked. */
  mask(text: string): string {
    let out = text;
    // longest first, so a value that contains another is masked whole
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(v).join(MASK);
    }
    return redactTokens(out);
  }
}

/** Masks JWT-looking strings, bearer tokens and base64 SASL XOAUTH2 strings (no registered values needed). */
export function redactTokens(text: string): string {
  return text
    .replace(BEARER, `$1${MASK}`)
    .replace(JWT_LIKE, '[token redacted]')
    .replace(SASL_LIKE, '[redacted]');
}
