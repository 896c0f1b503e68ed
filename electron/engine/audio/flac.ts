// FLAC export through libFLAC (the WASM/asm.js build that @audio/encode-flac drives).
import encoder from '@audio/encode-flac';

/**
 * Encodes planar floats as a FLAC file (16 or 24 bits). libFLAC writes through a stream without
 * seeking, so it cannot go back to fill in STREAMINFO's total-samples field; it is set here, so
 * readers (our own header checks included) know the length before decoding.
 */
export async function encodeFlac(channels: Float32Array[], sampleRate: number, bits: 16 | 24): Promise<Uint8Array> {
  if (channels.length < 1 || channels.length > 8) throw new Error(`encodeFlac: FLAC holds 1 to 8 channels, got ${channels.length}`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('encodeFlac: all channels must have the same length');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 655350) throw new Error(`encodeFlac: bad sample rate ${sampleRate}`);
  const enc = await encoder({ sampleRate, channels: channels.length, bitDepth: bits, compression: 5 });
  const parts: Uint8Array[] = [];
  try {
    // The encoder copies each block into WASM memory; blocks keep that copy small for long takes.
    for (let at = 0; at < frames; at += 1 << 16) parts.push(enc.encode(channels.map((c) => c.subarray(at, at + (1 << 16)))));
    parts.push(enc.flush());
  } catch (err) {
    enc.free();
    throw err;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  if (out.length < 42 || String.fromCharCode(...out.subarray(0, 4)) !== 'fLaC')
    throw new Error('encodeFlac: libFLAC wrote no stream header');
  // STREAMINFO total samples: 36 bits starting at the low nibble of byte 21.
  out[21] = (out[21]! & 0xf0) | Math.floor(frames / 2 ** 32);
  new DataView(out.buffer).setUint32(22, frames % 2 ** 32);
  return out;
}
