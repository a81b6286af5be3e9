import * as assert from 'node:assert/strict';
import { detectors } from '../../../src/core/detectors';
import { caseCounts, caseCountsById } from '../harness/detector-tester';
import './nodemailer.test';
import './smtp-emailjs.test';
import './imap.test';
import './pop3.test';
import './false-positives.test';
import './shapes.test';
import './frameworks/next-auth.test';
import './frameworks/nestjs-mailer.test';
import './frameworks/email-templates.test';
import './frameworks/payload.test';
import './frameworks/strapi.test';
import './frameworks/meteor.test';
import './frameworks/nodemailer-outlook.test';

describe('detector test suite size', () => {
  it('has at least 100 cases, with as many false-positive (valid) cases as true ones', () => {
    const { valid, invalid } = caseCounts();
    assert.ok(valid + invalid >= 100, `${valid + invalid} cases`);
    assert.ok(valid >= invalid, `${valid} valid vs ${invalid} invalid`);
  });
});

describe('framework adapter fixtures', () => {
  it('every adapter has fixtures, with at least as many negative (valid) cases as positive ones', () => {
    for (const d of detectors.filter((x) => x.reportAs)) {
      const c = caseCountsById().get(d.id);
      assert.ok(c && c.invalid > 0, `${d.id} has invalid cases`);
      assert.ok(c.valid >= c.invalid, `${d.id}: ${c.valid} valid vs ${c.invalid} invalid`);
    }
  });
});
