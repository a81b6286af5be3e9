import * as assert from 'node:assert/strict';
import { caseCounts } from '../harness/detector-tester';
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
