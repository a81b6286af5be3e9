import * as assert from 'node:assert/strict';
import { detectors, watchedPackages } from '../../src/core/detectors';
import { RULES, WATCHED_PACKAGES } from '../../src/core/rule-meta';

describe('rule metadata', () => {
  it('matches the detectors (ids, libraries, protocols, packages, manual guides)', () => {
    assert.deepEqual(
      RULES.map((r) => ({ id: r.id, library: r.library, protocol: r.protocol, packages: [...r.packages], manual: r.manual })),
      detectors.map((d) => ({ id: d.id, library: d.library, protocol: d.protocol, packages: [...d.packages], manual: d.manual })),
    );
    assert.deepEqual([...WATCHED_PACKAGES].sort(), [...watchedPackages].sort());
  });
});
