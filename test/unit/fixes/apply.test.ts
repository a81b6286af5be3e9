import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyChanges, applyEdits } from '../../../src/core/fixes/apply';

describe('applyEdits', () => {
  it('refuses everything when a file changed since it was scanned', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-apply-'));
    const a = path.join(dir, 'a.js');
    const b = path.join(dir, 'b.js');
    fs.writeFileSync(a, 'const x = 1;\n');
    fs.writeFileSync(b, 'const y = 2;\n');
    fs.writeFileSync(b, 'const y = 3; // edited by the user\n');
    const r = applyEdits([
      { file: a, expectedText: 'const x = 1;\n', changes: [{ start: 10, end: 11, newText: '9' }] },
      { file: b, expectedText: 'const y = 2;\n', changes: [{ start: 10, end: 11, newText: '9' }] },
    ]);
    assert.deepEqual(r.written, []);
    assert.equal(r.refused[0].file, b);
    assert.equal(fs.readFileSync(a, 'utf8'), 'const x = 1;\n');
  });

  it('writes atomically and creates new files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-apply-'));
    const a = path.join(dir, 'a.js');
    fs.writeFileSync(a, 'const x = 1;\n');
    const r = applyEdits([
      { file: a, expectedText: 'const x = 1;\n', changes: [{ start: 10, end: 11, newText: '2' }] },
      { file: path.join(dir, 'new.js'), create: true, changes: [{ start: 0, end: 0, newText: 'new\n' }] },
    ]);
    assert.equal(r.written.length, 2);
    assert.equal(fs.readFileSync(a, 'utf8'), 'const x = 2;\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.js', 'new.js']);
  });

  it('rejects overlapping changes', () => {
    assert.throws(() => applyChanges('abcdef', [{ start: 0, end: 3, newText: 'x' }, { start: 2, end: 4, newText: 'y' }]), /overlapping/);
    assert.equal(applyChanges('abcdef', [{ start: 0, end: 1, newText: 'X' }, { start: 5, end: 6, newText: 'Y' }]), 'XbcdeY');
  });
});
