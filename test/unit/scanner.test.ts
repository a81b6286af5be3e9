import * as assert from 'node:assert/strict';
import { mentionsWatchedPackage, relativeSpecifiers, relativeSpecifiersIn } from '../../src/core/scanner';

describe('scanner pre-filter', () => {
  it('finds relative specifiers on the bytes exactly as on the text', () => {
    const text = [
      "import a from './a';",
      'const b = require("../b/c.js");',
      "const notAnImport = './x';",
      "export * from './d';",
      "await import('./e');",
      "require( './f' );",
      "const url = 'https://example.com/./g';",
    ].join('\n');
    assert.deepEqual(relativeSpecifiersIn(Buffer.from(text)), ['./a', '../b/c.js', './d', './e', './f']);
    assert.deepEqual(relativeSpecifiersIn(Buffer.from(text)), relativeSpecifiers(text));
  });

  it('counts a package only in an import position', () => {
    assert.ok(mentionsWatchedPackage("const nm = require('nodemailer');"));
    assert.ok(mentionsWatchedPackage('import { ImapFlow } from "imapflow";'));
    assert.ok(mentionsWatchedPackage("const { default: P } = await import('node-pop3');"));
    assert.ok(!mentionsWatchedPackage("const protocol = 'imap'; list.pop();"));
    assert.ok(!mentionsWatchedPackage("// uses nodemailer, see require('nodemailerx')"));
  });
});
