/**
 * The extension decides whether to load the analyzer core with its own text test (src/vscode/prefilter.ts).
 * It must accept everything the core's pre-filter accepts, and its rule-docs fallback must equal the core's.
 */
import * as assert from 'node:assert/strict';
import { watchedPackages } from '../../src/core';
import { allRules } from '../../src/core/report/rules';
import { isFrameworkConfig } from '../../src/core/rule-meta';
import { isSourceFile as coreIsSourceFile } from '../../src/core/files';
import { DOCS_BASE, isSourceFile, mayMentionMailPackage } from '../../src/vscode/prefilter';

describe('extension pre-filter', () => {
  it("isSourceFile agrees with the core's (the extension bundle must not load src/core/files.ts)", () => {
    const names = ['a.js', 'a.cjs', 'a.mjs', 'a.jsx', 'a.ts', 'a.cts', 'a.mts', 'a.tsx', 'A.TS', 'a.d.ts', 'a.d.mts',
      'a.d.cts', 'a.json', 'a.js.map', 'a.vue', '.env', 'a.tsx.bak', 'dir.js/a.txt', 'a.d.tsx', 'a.jsonc'];
    for (const n of names) {
      assert.equal(isSourceFile(`/w/${n}`), coreIsSourceFile(`/w/${n}`), n);
    }
  });

  it('matches every watched package as a module specifier', () => {
    for (const p of watchedPackages) {
      for (const q of ["'", '"', '`']) {
        assert.ok(mayMentionMailPackage(`import x from ${q}${p}${q};`), `${q}${p}${q}`);
        assert.ok(mayMentionMailPackage(`const x = require(${q}${p}/lib/x${q});`), `${p}/lib/x`);
      }
    }
  });

  it('admits framework configs that import no package (Strapi config/plugins.js, Meteor MAIL_URL)', () => {
    const strapi = "module.exports = ({ env }) => ({ email: { config: { provider: env('EMAIL_PROVIDER') } } });";
    assert.ok(mayMentionMailPackage(strapi, '/ws/cms/config/plugins.js'));
    assert.ok(mayMentionMailPackage(strapi, '/ws/cms/config/env/production/plugins.ts'));
    assert.equal(mayMentionMailPackage(strapi, '/ws/cms/config/server.js'), false);
    assert.ok(mayMentionMailPackage("process.env.MAIL_URL = 'smtp://u:p@smtp.office365.com:587';"));
    assert.equal(mayMentionMailPackage("const host = 'smtp.office365.com';"), false);
  });

  it('admits every file the core pre-filter admits as a framework config', () => {
    const cases: [string, string][] = [
      ['/ws/cms/config/plugins.ts', 'export default ({ env }) => ({ email: {} });'],
      ['/ws/cms/config/env/staging/plugins.js', 'module.exports = { email: {} };'],
      ['/ws/app/server/main.js', "process.env['MAIL_URL'] = 'smtp://u:p@h';"],
    ];
    for (const [file, text] of cases) {
      assert.ok(isFrameworkConfig(file, text), file);
      assert.ok(mayMentionMailPackage(text, file), file);
    }
  });

  it('skips ordinary code', () => {
    assert.equal(
      mayMentionMailPackage("import express from 'express';\nconst mail = 'user@example.com';"),
      false,
    );
  });

  it('builds the same rule docs URL as the core', () => {
    for (const r of allRules()) {
      assert.equal(`${DOCS_BASE}#${r.id}`, r.helpUri, r.id);
    }
  });
});
