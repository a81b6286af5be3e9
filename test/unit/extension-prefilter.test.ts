/**
 * The extension decides whether to load the analyzer core with its own text test (src/vscode/prefilter.ts).
 * It must accept everything the core's pre-filter accepts, and its rule-docs fallback must equal the core's.
 */
import * as assert from 'node:assert/strict';
import { watchedPackages } from '../../src/core';
import { allRules } from '../../src/core/report/rules';
import { DOCS_BASE, mayMentionMailPackage } from '../../src/vscode/prefilter';

describe('extension pre-filter', () => {
  it('matches every watched package as a module specifier', () => {
    for (const p of watchedPackages) {
      for (const q of ["'", '"', '`']) {
        assert.ok(mayMentionMailPackage(`import x from ${q}${p}${q};`), `${q}${p}${q}`);
        assert.ok(mayMentionMailPackage(`const x = require(${q}${p}/lib/x${q});`), `${p}/lib/x`);
      }
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
