/**
 * The generated token provider reads like code a person wrote: Prettier-clean in the project's style (checked with
 * Prettier itself, options matching the style), clean under ESLint's recommended rules (typescript-eslint's for the
 * TypeScript one), no compiler output, and only the hooks a package needs.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import js from '@eslint/js';
import { Linter } from 'eslint';
import globals from 'globals';
import * as prettier from 'prettier';
import tseslint from 'typescript-eslint';
import { PROVIDER_PARTS, providerParts, providerSettings, providerSource, type CodeStyle, type ProviderPart } from '../../../src/core/fixes/provider/render';

const ALL = Object.keys(PROVIDER_PARTS) as ProviderPart[];
const STYLES: CodeStyle[] = [];
for (const quote of ['"', "'"] as const) {
  for (const semi of [true, false]) {
    for (const indent of ['  ', '    ', '\t']) {
      STYLES.push({ quote, semi, indent });
    }
  }
}
const label = (s: CodeStyle) => `${s.quote === '"' ? 'double' : 'single'} quotes, ${s.semi ? 'semicolons' : 'no semicolons'}, ${s.indent === '\t' ? 'tabs' : `${s.indent.length} spaces`}`;

function lint(text: string, language: 'ts' | 'esm' | 'cjs'): string[] {
  const linter = new Linter();
  const jsGlobals = { ...globals.node, ...(language === 'cjs' ? globals.commonjs : {}) };
  const config =
    language === 'ts'
      ? [...tseslint.configs.recommended, { languageOptions: { globals: jsGlobals } }]
      : [js.configs.recommended, { languageOptions: { globals: jsGlobals, sourceType: language === 'cjs' ? 'commonjs' : 'module', ecmaVersion: 2022 } }];
  const file = language === 'ts' ? 'mail-oauth-token.ts' : 'mail-oauth-token.js';
  return linter.verify(text, config as Linter.Config[], { filename: file }).map((m) => `${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message}`);
}

describe('generated token provider', () => {
  it('chunks.generated.ts is up to date with template.ts', async () => {
    const gen = (await import(path.resolve(__dirname, '../../../scripts/generate-provider.mjs'))) as { generate(): Promise<string>; OUTPUT: string };
    const fs = await import('node:fs');
    assert.equal(fs.readFileSync(gen.OUTPUT, 'utf8'), await gen.generate(), 'run npm run generate:provider');
  });

  for (const language of ['cjs', 'esm', 'ts'] as const) {
    describe(language, () => {
      it('passes ESLint recommended and has no compiler output', () => {
        const text = providerSource({ language, flow: 'auto', parts: ALL });
        assert.deepEqual(lint(text, language), []);
        assert.doesNotMatch(text, /__esModule|_1\.|\(0, |Object\.defineProperty|string \| undefined = undefined/);
        if (language === 'cjs') {
          assert.match(text, /^const \{\n {2}ConfidentialClientApplication,\n {2}PublicClientApplication,\n\} = require\("@azure\/msal-node"\);$/m);
          assert.match(text, /^module\.exports = \{\n {2}getMailAccessToken,\n {2}nodemailerProvisionCallback,/m);
          assert.doesNotMatch(text, /^(import|export) /m);
        } else {
          assert.match(text, /^export async function getMailAccessToken\(/m);
        }
      });

      for (const style of STYLES) {
        it(`is what Prettier prints with ${label(style)}`, async () => {
          const text = providerSource({ language, flow: 'app', parts: ALL, smtpHost: 'smtp.office365.us', style });
          const options: prettier.Options = {
            parser: language === 'ts' ? 'typescript' : 'babel',
            singleQuote: style.quote === "'",
            semi: style.semi,
            useTabs: style.indent === '\t',
            tabWidth: style.indent === '\t' ? 2 : style.indent.length,
          };
          const formatted = await prettier.format(text, options);
          if (formatted !== text) {
            const a = text.split('\n');
            const b = formatted.split('\n');
            const i = a.findIndex((l, k) => l !== b[k]);
            assert.fail(`differs from Prettier at line ${i + 1}:\n  ours:     ${JSON.stringify(a[i])}\n  prettier: ${JSON.stringify(b[i])}`);
          }
          assert.deepEqual(lint(text, language), []);
        });
      }
    });
  }

  it('carries only the hooks the findings need', () => {
    const text = providerSource({ language: 'esm', flow: 'auto', parts: ['emailjs'] });
    assert.match(text, /export function withEmailjsOAuth2/);
    assert.doesNotMatch(text, /withImapOAuth2|xoauth2String|nodemailerProvisionCallback|SMTP_HOST/);
    assert.deepEqual([...providerParts(text).parts], ['emailjs']);
    const listener = providerSource({ language: 'cjs', flow: 'auto', parts: ['mail-listener'] });
    // mail-listener's hook builds on node-imap's and the SASL string
    assert.match(listener, /function xoauth2String[\s\S]*function withImapOAuth2[\s\S]*function withMailListenerOAuth2/);
    assert.deepEqual([...providerParts(listener).parts].sort(), ['imap', 'mail-listener']);
  });

  it('README shows the CommonJS module exactly as the fix writes it', async () => {
    const fs = await import('node:fs');
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    const shown = /<summary>mail-oauth-token\.js<\/summary>\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    const style: CodeStyle = { quote: "'", semi: true, indent: '  ' };
    assert.equal(shown, providerSource({ language: 'cjs', flow: 'auto', parts: ['nodemailer'], smtpHost: 'smtp.office365.com', style }));
  });

  it('records its settings so that a later fix can add hooks without changing them', () => {
    const text = providerSource({ language: 'ts', flow: 'delegated', parts: ['nodemailer'], smtpHost: 'smtp-mail.outlook.com', style: { quote: "'", semi: false, indent: '    ' } });
    assert.deepEqual(providerSettings(text), { flow: 'delegated', smtpHost: 'smtp-mail.outlook.com' });
    assert.deepEqual(providerParts(text), { parts: new Set(['nodemailer']), foreign: [] });
    assert.deepEqual(providerParts('export function imapXOAuth2() {}\n').foreign, ['imapXOAuth2']);
  });
});
