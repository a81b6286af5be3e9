import * as assert from 'node:assert/strict';
import { detectors, watchedPackages } from '../../src/core/detectors';
import { FRAMEWORKS, RULES, WATCHED_PACKAGES } from '../../src/core/rule-meta';

describe('rule metadata', () => {
  it('matches the detectors (ids, libraries, protocols, packages, manual guides)', () => {
    assert.deepEqual(
      RULES.map((r) => ({ id: r.id, library: r.library, protocol: r.protocol, packages: [...r.packages], manual: r.manual })),
      detectors.filter((d) => !d.reportAs).map((d) => ({ id: d.id, library: d.library, protocol: d.protocol, packages: [...d.packages], manual: d.manual })),
    );
    assert.deepEqual([...WATCHED_PACKAGES].sort(), [...watchedPackages].sort());
  });

  it('matches the framework adapters (ids, packages; each reports under the nodemailer rule)', () => {
    const adapters = detectors.filter((d) => d.reportAs);
    assert.deepEqual(
      FRAMEWORKS.map((f) => ({ id: f.id, packages: [...f.packages] })),
      adapters.map((d) => ({ id: d.id, packages: [...d.packages] })),
    );
    for (const d of adapters) {
      assert.equal(d.reportAs, 'nodemailer-password-auth', d.id);
      assert.ok(d.framework && d.frameworkFix, d.id);
    }
  });
});
