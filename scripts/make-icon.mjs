// Writes images/icon.png (128x128 RGBA): a Django-green rounded square with a lens (ring and
// handle). Only node:zlib and node:fs; run with `node scripts/make-icon.mjs`.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const W = 128, H = 128;
const bg = [9, 46, 32], accent = [68, 183, 139], light = [236, 246, 241];

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
// Coverage of a pixel by a shape, 4x4 supersampled, for smooth edges.
function cover(x, y, inside) {
  let n = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) n++;
  return n / 16;
}
const roundedSquare = (x, y) => {
  const r = 24, cx = Math.min(Math.max(x, r), W - r), cy = Math.min(Math.max(y, r), H - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const ring = (x, y) => { const d = Math.hypot(x - 54, y - 54); return d <= 34 && d >= 24; };
const glass = (x, y) => Math.hypot(x - 54, y - 54) < 24;
const handle = (x, y) => { // thick segment from (78,78) to (104,104)
  const t = Math.max(0, Math.min(1, ((x - 78) + (y - 78)) / 52));
  return Math.hypot(x - (78 + 26 * t), y - (78 + 26 * t)) <= 8;
};
const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

const raw = Buffer.alloc((W * 4 + 1) * H);
for (let y = 0; y < H; y++) {
  raw[y * (W * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < W; x++) {
    const alpha = cover(x, y, roundedSquare);
    let c = bg;
    c = mix(c, mix(bg, accent, 0.35), cover(x, y, glass));
    c = mix(c, light, cover(x, y, (px, py) => ring(px, py) || handle(px, py)));
    const o = y * (W * 4 + 1) + 1 + x * 4;
    raw[o] = c[0]; raw[o + 1] = c[1]; raw[o + 2] = c[2]; raw[o + 3] = Math.round(alpha * 255);
  }
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4);
ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync('images', { recursive: true });
writeFileSync('images/icon.png', png);
console.log(`images/icon.png: ${png.length} bytes`);
