/**
 * Generated sources nested deeper than any stack allows, one statement per line (so the minified-file
 * guard does not skip them before the parser sees them), each also importing nodemailer so that it is
 * a candidate. Each overflows a different stage: the parser (parens, objects, arrows, blocks), the
 * binder (a call chain) or the analyzer's own walks (a left-nested `+` chain, which TypeScript's parser
 * and binder handle without recursion).
 */
const HEAD = "const nodemailer = require('nodemailer');\n";
const CALL =
  "nodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@b.com', pass: 'p' } });\n";

export const HOSTILE: Record<string, string> = {
  'parens.js': `${HEAD}const x =\n${'(\n'.repeat(60_000)}1${')\n'.repeat(60_000)};\n${CALL}`,
  'objects.js': `${HEAD}const x =\n${'{ a:\n'.repeat(30_000)}1${'}\n'.repeat(30_000)};\n${CALL}`,
  'arrows.js': `${HEAD}const f =\n${'() =>\n'.repeat(20_000)}1;\n${CALL}`,
  'blocks.js': `${HEAD}${'{\n'.repeat(20_000)}${CALL}${'}\n'.repeat(20_000)}`,
  'chain.ts': `${HEAD}const x = nodemailer${'.b()\n'.repeat(20_000)};\n${CALL}`,
  'sum.mjs': `import nodemailer from 'nodemailer';\nconst x = ${'a +\n'.repeat(200_000)}1;\n${CALL}`,
};

/** A file the analysis must still report beside the hostile ones. */
export const GOOD = HEAD + CALL;
