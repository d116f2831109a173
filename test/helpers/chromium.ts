// Headless Chromium for tests of HTML output: the DOM as the browser parsed it (--dump-dom) and
// a screenshot decoded to pixels (a minimal PNG reader: 8-bit RGB/RGBA, non-interlaced, which is
// what Chromium writes). Nothing is fetched: the page is a local file and networking is off.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

export function chromiumPath(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch { /* next */ }
  }
  return undefined;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--hide-scrollbars', '--force-color-profile=srgb'];

function run(bin: string, args: string[]): Promise<string> {
  const profile = mkdtempSync(path.join(tmpdir(), 'mcd-chromium-'));
  return new Promise((resolve, reject) => {
    execFile(bin, [...FLAGS, `--user-data-dir=${profile}`, ...args], { timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export function dumpDom(bin: string, file: string): Promise<string> {
  return run(bin, ['--dump-dom', `file://${file}`]);
}

export interface Image { width: number; height: number; rgba: Uint8Array }

export async function screenshot(bin: string, file: string, width = 1200, height = 900): Promise<Image> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-shot-'));
  const png = path.join(dir, 'shot.png');
  await run(bin, [`--window-size=${width},${height}`, `--screenshot=${png}`, `file://${file}`]);
  const img = decodePng(readFileSync(png));
  rmSync(dir, { recursive: true, force: true });
  return img;
}

export function decodePng(buf: Buffer): Image {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8;
  let width = 0, height = 0, colorType = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNG');
      colorType = data[9] ?? 0;
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (!bpp) throw new Error(`PNG colour type ${colorType} not handled`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] ?? 0;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= bpp ? (cur[x - bpp] ?? 0) : 0;
      const b = prev[x] ?? 0;
      const c = x >= bpp ? (prev[x - bpp] ?? 0) : 0;
      let p: number;
      switch (filter) {
        case 0: p = v; break;
        case 1: p = v + a; break;
        case 2: p = v + b; break;
        case 3: p = v + ((a + b) >> 1); break;
        default: {
          const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
          p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
      }
      cur[x] = p & 255;
    }
    for (let x = 0; x < width; x++) {
      out.set(
        [cur[x * bpp] ?? 0, cur[x * bpp + 1] ?? 0, cur[x * bpp + 2] ?? 0, bpp === 4 ? (cur[x * bpp + 3] ?? 255) : 255],
        (y * width + x) * 4,
      );
    }
    prev.set(cur);
  }
  return { width, height, rgba: out };
}

/** How many pixels have exactly this colour ("rgb(r, g, b)"). */
export function countColor(img: Image, css: string): number {
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(css);
  if (!m) throw new Error(`not rgb(): ${css}`);
  const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (img.rgba[i] === r && img.rgba[i + 1] === g && img.rgba[i + 2] === b) n++;
  return n;
}
