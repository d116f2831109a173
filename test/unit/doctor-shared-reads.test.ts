import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneRouteRead } from '../../src/core/doctor/default.js';
import { loadInterfaces } from '../../src/core/kernel/interfaces.js';
import { auditRpFilter } from '../../src/core/rpfilter-audit/audit.js';
import { FakePlatform, laptopState } from '../helpers/fake-platform.js';

test('doctor reads the default routes once for the inventory and rpfilter-audit; the rest goes to the platform', async () => {
  const fake = new FakePlatform(laptopState());
  let asked = 0;
  const read = fake.defaultRoutes.bind(fake);
  fake.defaultRoutes = () => { asked++; return read(); };
  const p = oneRouteRead(fake);
  const inventory = await loadInterfaces(p);
  const audit = await auditRpFilter({ platform: p }, { inventory });
  assert.equal(asked, 1);
  assert.deepEqual(inventory.interfaces.find((i) => i.name === 'wired0')?.defaultRoute, { ipv4: true, ipv6: false });
  assert.deepEqual(audit.interfaces.map((i) => i.name), ['wired0', 'wifi0']);
  // Methods run on the platform itself (its own state), properties read through.
  assert.equal(p.os, 'linux');
  await p.routeGetMany([{ family: 4, dst: '239.1.2.3' }]);
  assert.deepEqual(fake.batches, [1]);
});
