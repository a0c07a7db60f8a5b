/** Request bodies, bounded: forms are small; file uploads (multipart) may be up to Stripe's 16 MB. */
import type { IncomingMessage } from 'node:http';
import type { Upload } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { parseForm, type TreeObj } from '../engine/params.js';

export const MAX_FORM_BODY = 2 * 1024 * 1024;
export const MAX_UPLOAD_BODY = 16 * 1024 * 1024 + 64 * 1024;

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(String(req.headers['content-type'] ?? ''));
}

export function readBody(req: IncomingMessage, max = MAX_FORM_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(invalid('Request body too large.', { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A multipart/form-data body (what the SDK sends for file uploads), parsed by the platform's own
 * parser (undici's Request.formData). Text parts become the usual params tree; each file part becomes
 * an upload, and its param holds the upload's key so params validate as usual.
 */
export async function parseMultipart(req: IncomingMessage, body: Buffer): Promise<{ tree: TreeObj; uploads: Map<string, Upload> }> {
  let form: FormData;
  try {
    form = await new Request('http://emulator.local/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: new Uint8Array(body) }).formData();
  } catch {
    throw invalid('Invalid multipart/form-data body.');
  }
  const text: string[] = [];
  const uploads = new Map<string, Upload>();
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      text.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      continue;
    }
    const key = `upload:${uploads.size}`;
    uploads.set(key, { filename: value.name || null, contentType: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
    text.push(`${encodeURIComponent(name)}=${encodeURIComponent(key)}`);
  }
  return { tree: parseForm(text.join('&')), uploads };
}
