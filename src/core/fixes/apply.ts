/** Applying planned edits: stale-content checks, atomic writes, and unified diffs for review. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { FileEdit, TextChange } from '../model';

export { overlayReader } from './read';

export function applyChanges(text: string, changes: readonly TextChange[]): string {
  const sorted = [...changes].sort((a, b) => b.start - a.start);
  let prevStart = Infinity;
  for (const c of sorted) {
    if (c.start < 0 || c.end < c.start || c.end > text.length || c.end > prevStart) {
      throw new Error('overlapping or out-of-range text changes');
    }
    prevStart = c.start;
  }
  let out = text;
  for (const c of sorted) {
    out = out.slice(0, c.start) + c.newText + out.slice(c.end);
  }
  return out;
}

/** New content of every edited file. */
export function resultTexts(edits: readonly FileEdit[], readFile: (f: string) => string | undefined): Map<string, { before: string; after: string }> {
  const out = new Map<string, { before: string; after: string }>();
  for (const e of edits) {
    const before = e.create ? '' : (e.expectedText ?? readFile(e.file) ?? '');
    out.set(e.file, { before, after: applyChanges(before, e.changes) });
  }
  return out;
}

export function unifiedDiff(edits: readonly FileEdit[], root: string, readFile: (f: string) => string | undefined): string {
  let out = '';
  for (const [file, { before, after }] of resultTexts(edits, readFile)) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const created = edits.find((e) => e.file === file)?.create;
    out += createTwoFilesPatch(created ? '/dev/null' : `a/${rel}`, `b/${rel}`, before, after, undefined, undefined, { context: 3 });
  }
  return out;
}

export interface ApplyResult {
  written: string[];
  refused: { file: string; reason: string }[];
}

/**
 * Writes edits atomically (temp file + rename). Refuses every edit when any target changed since it
 * was planned (or a file to create appeared), so a fix is never half-applied.
 */
export function applyEdits(edits: readonly FileEdit[]): ApplyResult {
  const refused: ApplyResult['refused'] = [];
  for (const e of edits) {
    const current = fs.existsSync(e.file) ? fs.readFileSync(e.file, 'utf8') : undefined;
    if (e.create && current !== undefined) {
      refused.push({ file: e.file, reason: 'the file now exists' });
    } else if (!e.create && current !== e.expectedText) {
      refused.push({ file: e.file, reason: 'the file changed since it was scanned' });
    }
  }
  if (refused.length) {
    return { written: [], refused };
  }
  const texts = resultTexts(edits, () => undefined);
  const written: string[] = [];
  for (const [file, { after }] of texts) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.mail-oauth-${process.pid}.tmp`);
    const mode = fs.existsSync(file) ? fs.statSync(file).mode : undefined;
    fs.writeFileSync(tmp, after, mode !== undefined ? { mode } : undefined);
    fs.renameSync(tmp, file);
    written.push(file);
  }
  return { written, refused };
}
