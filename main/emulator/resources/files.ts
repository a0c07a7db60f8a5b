/**
 * Files: multipart upload (the SDK sends it to files.stripe.com, or to its `host` when one is set, which
 * is how training mode points it here), retrieve, list, and the contents at `url`.
 */
import type Stripe from 'stripe';
import { type KindInfo, listHandler, matchFields, requireOf, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, RawAnswer, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';

const PURPOSES = [
  'account_requirement', 'additional_verification', 'business_icon', 'business_logo', 'customer_signature', 'dispute_evidence',
  'identity_document', 'issuing_regulatory_reporting', 'pci_document', 'platform_terms_of_service', 'tax_document_user_upload',
  'terminal_android_apk', 'terminal_reader_splashscreen', 'terminal_wifi_certificate', 'terminal_wifi_private_key',
] as const;

/** Stripe takes dispute evidence as PDF, JPEG or PNG, 4.5 MB at most. */
const EVIDENCE_TYPES = ['pdf', 'jpg', 'png'];
const EVIDENCE_MAX_BYTES = 4.5 * 1024 * 1024;
const MAX_BYTES = 16 * 1024 * 1024;

const FILE: KindInfo = { kind: 'file', idParam: 'file' };

const CONTENT_TYPES: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', csv: 'text/csv', json: 'application/json', txt: 'text/plain' };

/** The file type from its first bytes (what it is), else from its name. */
function fileType(data: Buffer, filename: string | null): string | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  const ext = /\.([a-z0-9]+)$/i.exec(filename ?? '')?.[1]?.toLowerCase();
  return ext === 'jpeg' ? 'jpg' : ext && ext in CONTENT_TYPES ? ext : null;
}

export function fileContentsUrl(em: Emulator, id: string): string {
  return `${em.origin}/v1/files/${id}/contents`;
}

function fileCreate(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { file: S.req(S.str()), purpose: S.req(S.str({ enum: PURPOSES })), file_link_data: S.obj({ create: S.req(S.bool()), expires_at: S.int(), metadata: S.meta() }) });
  const upload = ctx.uploads.get(p.file);
  if (!upload) throw invalid('The `file` parameter must be a file sent as multipart/form-data.', { param: 'file' });
  if (p.file_link_data?.create) throw invalid('The emulator does not create file links; retrieve the file and read its `url`.', { param: 'file_link_data[create]' });
  if (upload.data.length === 0) throw invalid('The file you uploaded is empty.', { param: 'file' });
  if (upload.data.length > MAX_BYTES) throw invalid('The file you uploaded is larger than 16 MB.', { param: 'file' });
  const type = fileType(upload.data, upload.filename);
  if (p.purpose === 'dispute_evidence') {
    if (!type || !EVIDENCE_TYPES.includes(type)) throw invalid(`Dispute evidence must be a PDF, JPEG or PNG file (got ${type ?? 'an unknown type'}).`, { param: 'file' });
    if (upload.data.length > EVIDENCE_MAX_BYTES) throw invalid('Dispute evidence files can be at most 4.5 MB.', { param: 'file' });
  }
  const id = newId('file');
  const file = {
    id,
    object: 'file',
    created: em.now(),
    expires_at: null,
    filename: upload.filename,
    links: { object: 'list', data: [], has_more: false, url: `/v1/file_links?file=${id}` },
    purpose: p.purpose as Stripe.File.Purpose,
    size: upload.data.length,
    title: null,
    type,
    url: fileContentsUrl(em, id),
  } satisfies Stripe.File;
  const stored = em.insert(file);
  // the bytes live beside the object (base64 in the state file), never in API answers
  em.store.meta(id).content = upload.data.toString('base64');
  return stored;
}

function fileContents(ctx: Ctx, id: string): RawAnswer {
  parseParams(ctx.tree, {});
  const file = requireOf(ctx.em, FILE, id);
  const data = Buffer.from(String(ctx.em.store.internal.get(file.id)?.content ?? ''), 'base64');
  return { status: 200, raw: data, contentType: CONTENT_TYPES[file.type] ?? 'application/octet-stream' };
}

export const files: Resource = {
  kind: 'file',
  routes: [
    { method: 'POST', pattern: '/v1/files', handler: fileCreate },
    { method: 'GET', pattern: '/v1/files', handler: listHandler(FILE, '/v1/files', { purpose: S.str() }, matchFields('purpose')) },
    { method: 'GET', pattern: '/v1/files/:id', handler: retrieveHandler(FILE) },
    { method: 'GET', pattern: '/v1/files/:id/contents', handler: fileContents },
  ],
  // a restored state may carry URLs of a previous port
  onStart(em) {
    for (const id of em.store.lists.get('file') ?? []) {
      const f = em.store.objects.get(id);
      if (f) f.url = fileContentsUrl(em, id);
    }
  },
};
