// Binary payloads inside JSON frames. atob/btoa exist in browsers and Node, so one implementation
// serves the renderer and the service alike.

const CHUNK = 0x8000;

/** Bytes to base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** base64 to bytes; throws on characters outside the base64 alphabet. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Float32 samples (little-endian on every platform we ship) to base64. */
export function float32ToBase64(samples: Float32Array): string {
  return bytesToBase64(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
}

/** base64 back to Float32 samples; throws when the byte count is not a multiple of 4. */
export function base64ToFloat32(text: string): Float32Array {
  const bytes = base64ToBytes(text);
  if (bytes.length % 4 !== 0) throw new Error('audio payload is not a whole number of float32 samples');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}
