import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { askSystemInformation, bandOf, parseWifiConnections } from '../../src/platform/wifi-info.js';

const SI = path.join(REPO, 'fixtures', 'si');
const recorded = (): unknown => JSON.parse(readFileSync(path.join(SI, 'wifi-connections-wpa.json'), 'utf8'));
const onPath = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${path.join(SI, dir)}:/usr/bin:/bin` });

test('recorded wifiConnections(): SSID, channel, frequency and band of the Wi-Fi interface', () => {
  assert.deepEqual(parseWifiConnections(recorded()).get('wlp2s0'),
    { ssid: 'lab-5g', bssid: 'aa:bb:cc:00:11:22', channel: 36, frequencyMHz: 5180, band: '5 GHz' });
});

test('bands by frequency', () => {
  assert.deepEqual([2412, 2484, 5180, 5825, 5955, 7115, 900].map(bandOf),
    ['2.4 GHz', '2.4 GHz', '5 GHz', '5 GHz', '6 GHz', '6 GHz', undefined]);
});

test('hostile or broken answers: escapes out of the SSID, bounded, junk ignored', () => {
  const m = parseWifiConnections([
    { iface: 'wlan0', ssid: '\u001b[31mfree\u001b[0m' + 'x'.repeat(200), bssid: 'not a mac', frequency: 'NaN', signalLevel: -61 },
    null, 7, { ssid: 'no iface' },
  ]);
  assert.equal(m.size, 1);
  const w = m.get('wlan0');
  assert.ok(w?.ssid && !w.ssid.includes('\u001b') && w.ssid.length <= 64);
  assert.equal(w?.bssid, undefined);
  assert.equal(w?.signalDbm, -61);
  assert.equal(parseWifiConnections({ not: 'a list' }).size, 0);
});

test('the child process asks the real systeminformation: same answer as recorded', async () => {
  assert.deepEqual(await askSystemInformation({ env: onPath('wpa-host') }), recorded());
});

test('a hanging tool: the child and what it started are killed at the time bound', async () => {
  const pidFile = path.join('/tmp', `mcd-slow-iw-${process.pid}`);
  const t0 = Date.now();
  const r = await askSystemInformation({ env: { ...onPath('slow-host'), MCD_SLOW_PIDFILE: pidFile }, timeoutMs: 800 });
  assert.equal(r, undefined);
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  // Gone, or a zombie waiting for init to reap it (its parent shell was killed too): not running.
  const state = (): string => { try { return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ??
    'gone'; } catch { return 'gone'; } };
  for (let i = 0; i < 20 && !['gone', 'Z'].includes(state()); i++) await new Promise((res) => setTimeout(res, 50));
  assert.ok(['gone', 'Z'].includes(state()), `the hung iw (pid ${pid}) is still ${state()}`);
});
