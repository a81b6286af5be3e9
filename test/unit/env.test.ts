import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { EnvIndex } from '../../src/core/env';

describe('EnvIndex.lookup', () => {
  const root = path.resolve('/ws/app');
  const env = new EnvIndex();
  env.add(path.join(root, '.env'), 'SMTP_PASS=root-value\nSMTP_USER=u@example.com\n');
  env.add(path.join(root, 'packages/mailer/.env.local'), '\n\nSMTP_PASS=local-value\n');
  env.add(path.join(root, 'packages/mailer/.env'), 'SMTP_PASS=shadowed\n');
  // a folder beside the root whose name starts with the root's: not inside it
  env.add(path.resolve('/ws/app-other/.env'), 'SMTP_PASS=other\n');
  env.add(path.resolve('/ws/.env'), 'OUTSIDE=1\n');

  it('takes the nearest folder first, .env.local before .env, with the line of the assignment', () => {
    const hit = env.lookup('SMTP_PASS', path.join(root, 'packages/mailer/src/send.ts'), root);
    assert.equal(hit?.value, 'local-value');
    assert.equal(hit?.file, path.join(root, 'packages/mailer/.env.local'));
    assert.equal(hit?.line, 3);
    // asked again (answers are kept per file and name): the same
    assert.deepEqual(env.lookup('SMTP_PASS', path.join(root, 'packages/mailer/x.js'), root), hit);
    assert.equal(env.lookup('SMTP_USER', path.join(root, 'packages/mailer/src/send.ts'), root)?.value, 'u@example.com');
  });

  it('stops at the root, and a sibling folder that shares its name prefix is not inside it', () => {
    assert.equal(env.lookup('OUTSIDE', path.join(root, 'src/a.js'), root), undefined);
    assert.equal(env.lookup('SMTP_PASS', path.join(root, 'src/a.js'), root)?.value, 'root-value');
    assert.equal(env.lookup('SMTP_PASS', path.resolve('/ws/app-other/src/a.js'), root)?.value, undefined);
    assert.equal(env.lookup('MISSING', path.join(root, 'a/b/c/d.js'), root), undefined);
  });
});
