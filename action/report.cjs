#!/usr/bin/env node
/**
 * The GitHub Action's report step (action.yml): reads the scan's SARIF and writes
 *   - one workflow annotation per finding (shown on the pull request's changed lines),
 *   - a Markdown table to the job summary ($GITHUB_STEP_SUMMARY),
 *   - the step outputs `findings` and `errors` ($GITHUB_OUTPUT).
 * Plain Node, no dependencies: it runs before anything is installed.
 */
'use strict';
const fs = require('node:fs');

const file = process.argv[2];
const log = JSON.parse(fs.readFileSync(file, 'utf8'));
const results = (log.runs ?? []).flatMap((r) => r.results ?? []);

/** Escapes a workflow command's data and properties (see "workflow commands" in the Actions docs). */
const esc = (s) => String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const LEVEL = { error: 'error', warning: 'warning', note: 'notice' };

const rows = [];
for (const r of results) {
  const loc = r.locations?.[0]?.physicalLocation;
  const f = decodeURI(loc?.artifactLocation?.uri ?? '');
  const line = loc?.region?.startLine ?? 1;
  const col = loc?.region?.startColumn ?? 1;
  const level = LEVEL[r.level] ?? 'warning';
  process.stdout.write(
    `::${level} file=${prop(f)},line=${line},col=${col},title=${prop(r.ruleId ?? 'mail-oauth')}::${esc(r.message?.text ?? '')}\n`,
  );
  rows.push(`| ${r.level ?? 'warning'} | \`${f}:${line}\` | ${r.ruleId ?? ''} | ${(r.message?.text ?? '').replace(/\|/g, '\\|')} |`);
}
const errors = results.filter((r) => r.level === 'error').length;
const summary = results.length
  ? [
      `### Mail OAuth Migrator: ${results.length} password mail login(s) (${errors} at error level)`,
      '',
      '| level | where | rule | message |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
      'Rewrite them to OAuth2 (XOAUTH2): `npx mail-oauth-migrate fix --dry-run --diff`, then `npx mail-oauth-migrate fix`.',
      '',
    ].join('\n')
  : '### Mail OAuth Migrator: no password mail logins to Exchange Online / Outlook.com found\n';
if (process.env.GITHUB_STEP_SUMMARY) {
  fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
}
if (process.env.GITHUB_OUTPUT) {
  fs.appendFileSync(process.env.GITHUB_OUTPUT, `findings=${results.length}\nerrors=${errors}\n`);
}
process.stdout.write(`${results.length} finding(s), ${errors} at error level.\n`);
