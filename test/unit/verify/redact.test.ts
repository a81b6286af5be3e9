/** Redaction: the secret (and its encodings), tokens, SASL strings and bearer headers never survive. */
import * as assert from 'node:assert/strict';
import { MASK, redactTokens, Redactor } from '../../../src/core/verify/redact';
import { xoauth2 } from '../../../src/core/verify/mail';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlMzY1LmNvbSIsInRpZCI6IngifQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';

describe('verify redaction', () => {
  it('masks a registered secret, its URL and base64 encodings, wherever it appears', () => {
    const r = new Redactor();
    const secret = 'abc8Q~s3cr3t+value/with=chars';
    r.add(secret);
    const text = `secret=${secret} url=${encodeURIComponent(secret)} b64=${Buffer.from(secret).toString('base64')} b64url=${Buffer.from(secret).toString('base64url')}`;
    const out = r.mask(text);
    assert.ok(!out.includes(secret));
    assert.ok(!out.includes(encodeURIComponent(secret)));
    assert.ok(!out.includes(Buffer.from(secret).toString('base64')));
    assert.ok(out.includes(MASK));
  });

  it('masks JWT-looking strings without being told about them', () => {
    const out = redactTokens(`token ${JWT} end; header only eyJhbGciOiJIUzI1NiJ9 too`);
    assert.doesNotMatch(out, /eyJ[A-Za-z0-9_-]{4,}/);
    assert.match(out, /token \[token redacted\] end/);
  });

  it('masks the base64 SASL XOAUTH2 string and Bearer values', () => {
    const sasl = xoauth2('shared@lab.test', 'opaque-token-value-123456');
    assert.match(sasl, /^dXNlcj/);
    const out = redactTokens(`C: AUTH XOAUTH2 ${sasl}\nAuthorization: Bearer opaque-token-value-123456`);
    assert.ok(!out.includes(sasl));
    assert.ok(!out.includes('opaque-token-value-123456'));
  });

  it('masks a registered opaque (non-JWT) token', () => {
    const r = new Redactor();
    r.add('EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA');
    assert.equal(r.mask('got EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA back'), `got ${MASK} back`);
  });

  it('leaves ordinary report text alone and ignores empty or tiny values', () => {
    const r = new Redactor();
    r.add(undefined);
    r.add('');
    r.add('ab');
    const text =
      '535 5.7.3 Authentication unsuccessful; tenant 7e3a1c52-0000-4000-8000-00000000a001; https://outlook.office365.com/.default';
    assert.equal(r.mask(text), text);
  });
});
