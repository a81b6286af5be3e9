/** Text helpers of the fix planners: the changed span of two texts, and a file's own quotes, semicolons and indentation. */
import { IndentationText, ts } from 'ts-morph';
import type { TextChange } from '../model';

export function minimalChange(a: string, b: string): TextChange {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    start++;
  }
  let ea = a.length;
  let eb = b.length;
  while (ea > start && eb > start && a[ea - 1] === b[eb - 1]) {
    ea--;
    eb--;
  }
  return { start, end: ea, newText: b.slice(start, eb) };
}

export function detectQuote(text: string): string {
  const single = (text.match(/'/g) ?? []).length;
  const double = (text.match(/"/g) ?? []).length;
  return double > single ? '"' : "'";
}

/** The file's indentation unit (ts-morph defaults to four spaces). */
export function detectIndent(text: string): IndentationText {
  if (/^\t/m.test(text)) {
    return IndentationText.Tab;
  }
  const widths = (text.match(/^( +)\S/gm) ?? []).map((m) => m.length - 1);
  const min = widths.length ? Math.min(...widths) : 2;
  return min === 4 ? IndentationText.FourSpaces : min === 8 ? IndentationText.EightSpaces : IndentationText.TwoSpaces;
}

/** Semicolon style from complete one-line statements (`const x = require('y')`, `import …`). */
export function detectSemi(text: string): string {
  const lines = text
    .split('\n')
    .filter((l) => /^\s*(const|let|var|import|return|export)\b/.test(l) && /[;)'"`\w\]]\s*$/.test(l));
  const withSemi = lines.filter((l) => /;\s*$/.test(l)).length;
  return lines.length === 0 || withSemi * 2 >= lines.length ? ';' : '';
}

export function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.json$/i.test(file)) {
    return ts.ScriptKind.JSON;
  }
  if (/\.(ts|mts|cts)$/.test(file)) {
    return ts.ScriptKind.TS;
  }
  if (/\.tsx$/.test(file)) {
    return ts.ScriptKind.TSX;
  }
  if (/\.jsx$/.test(file)) {
    return ts.ScriptKind.JSX;
  }
  return ts.ScriptKind.JS;
}
