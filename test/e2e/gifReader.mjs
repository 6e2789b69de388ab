// A small GIF reader for tests (no dependency): the screen size, the loop, and each frame's delay, transparency,
// box and LZW data; decoded and drawn over the frames before it, its palette indices; a frame as a PNG, to look at.
import { crc32, deflateSync } from 'node:zlib';

/** Reads a GIF89a's blocks; throws on anything malformed. */
export function readGif(bytes) {
  const buffer = Buffer.from(bytes);
  const signature = buffer.subarray(0, 6).toString('latin1');
  if (signature !== 'GIF89a' && signature !== 'GIF87a') throw new Error(`not a GIF (starts with ${JSON.stringify(signature)})`);
  const width = buffer.readUInt16LE(6);
  const height = buffer.readUInt16LE(8);
  const packed = buffer[10];
  let offset = 13;
  let globalColors = 0;
  let palette = Buffer.alloc(0);
  if (packed & 0x80) {
    globalColors = 2 << (packed & 7);
    palette = buffer.subarray(offset, offset + 3 * globalColors);
    offset += 3 * globalColors;
  }
  const frames = [];
  let control = {};
  let loops;
  const subBlocks = () => {
    const parts = [];
    for (;;) {
      const size = buffer[offset++];
      if (size === undefined) throw new Error('the GIF ends inside a block');
      if (size === 0) return Buffer.concat(parts);
      parts.push(buffer.subarray(offset, offset + size));
      offset += size;
    }
  };
  for (;;) {
    const introducer = buffer[offset++];
    if (introducer === 0x3b) break; // trailer
    if (introducer === 0x21) {
      const label = buffer[offset++];
      const data = subBlocks();
      if (label === 0xf9) control = { delay: data.readUInt16LE(1), dispose: (data[0] >> 2) & 7, transparentIndex: data[0] & 1 ? data[3] : undefined };
      if (label === 0xff && data.subarray(0, 11).toString('latin1') === 'NETSCAPE2.0') loops = data.readUInt16LE(12);
    } else if (introducer === 0x2c) {
      const [left, top, w, h] = [0, 2, 4, 6].map((k) => buffer.readUInt16LE(offset + k));
      const flags = buffer[offset + 8];
      offset += 9;
      if (flags & 0x80) offset += 3 * (2 << (flags & 7));
      const minCodeSize = buffer[offset++];
      frames.push({ left, top, width: w, height: h, ...control, minCodeSize, data: subBlocks() });
      control = {};
    } else throw new Error(`unexpected block 0x${introducer?.toString(16)} at byte ${offset - 1}`);
  }
  return { width, height, globalColors, palette, loops, frames };
}

/** A frame's palette indices (LZW-decoded, width x height). */
export function decodeFrame(frame) {
  const { data, minCodeSize, width, height } = frame;
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out = new Uint8Array(width * height);
  let written = 0;
  let size = minCodeSize + 1;
  let dictionary = [];
  const reset = () => {
    dictionary = Array.from({ length: clear + 2 }, (_, i) => [i]);
    size = minCodeSize + 1;
  };
  reset();
  let previous;
  let bit = 0;
  while (bit + size <= data.length * 8) {
    let code = 0;
    for (let k = 0; k < size; k++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << k;
    if (code === clear) {
      reset();
      previous = undefined;
      continue;
    }
    if (code === end) break;
    let entry;
    if (code < dictionary.length) entry = dictionary[code];
    else if (previous && code === dictionary.length) entry = [...previous, previous[0]];
    else throw new Error(`bad LZW code ${code}`);
    for (const value of entry) if (written < out.length) out[written++] = value;
    if (previous && dictionary.length < 4096) dictionary.push([...previous, entry[0]]);
    if (dictionary.length === 1 << size && size < 12) size++;
    previous = entry;
  }
  if (written !== out.length) throw new Error(`the frame decodes to ${written} of ${out.length} pixels`);
  return out;
}

/**
 * Every frame as shown: its pixels drawn over the frame before (full-screen frames that keep the one before, as
 * Export Animation writes them), transparent ones leaving it.
 */
export function composeFrames(gif) {
  let shown = new Uint8Array(gif.width * gif.height);
  return gif.frames.map((frame) => {
    if ([frame.left, frame.top, frame.width, frame.height].join() !== [0, 0, gif.width, gif.height].join()) throw new Error('only full-screen frames are composed');
    if (frame.dispose > 1) throw new Error(`disposal ${frame.dispose} is not composed`);
    const indices = decodeFrame(frame);
    shown = shown.slice();
    for (let i = 0; i < indices.length; i++) if (indices[i] !== frame.transparentIndex) shown[i] = indices[i];
    return shown;
  });
}

/** A frame's palette indices (as composeFrames gives them) in the global palette's colours, as a PNG file's bytes (RGB). */
export function indicesPng(gif, indices) {
  const { width, height } = gif;
  const raw = Buffer.alloc((3 * width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) gif.palette.copy(raw, y * (3 * width + 1) + 1 + 3 * x, 3 * indices[y * width + x], 3 * indices[y * width + x] + 3);
  }
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
