/**
 * Rendering of the consent PDF, with nothing of the running desk in it (no store, no Stripe): the
 * pure part that runs in the PDF worker thread (main/pdf-worker.ts), so main's event loop never
 * carries the seconds it takes. See consent-pdf.ts for what the document holds.
 *
 * Font: Noto Sans JP (SIL Open Font License 1.1) from the `@embedpdf/fonts-jp` package. pdf-lib's
 * own subsetting (fontkit) writes a broken font for this CFF-based file, so the font is subset to
 * the characters this document uses with harfbuzz (`subset-font`) and embedded whole.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib';
import subsetFont from 'subset-font';
import type { ConsentView, Language, Mode } from '../../preload/contract';
import { formatDate, formatDateTime, formatMoney, mainText, type MainTextKey } from './i18n';

export interface ConsentPdfInput {
  consent: ConsentView;
  shop: { name: string; contact: string };
  /** The terminal the consent was taken at (its name when this desk knows it). */
  terminal: { id: string; name: string | null };
  mode: Mode;
  generatedAt: Date;
}

// ---------------------------------------------------------------- font

let fontFile: Promise<Buffer> | null = null;
/** Read once per process: the file is 4.5 MB, each PDF only carries the subset it needs. */
function fullFont(): Promise<Buffer> {
  if (!fontFile) {
    // The package exports only its script entry; the fonts sit next to it in `fonts/`.
    const entry = createRequire(import.meta.url).resolve('@embedpdf/fonts-jp');
    fontFile = readFile(join(dirname(entry), '..', 'fonts', 'NotoSansJP-Regular.otf'));
    fontFile.catch(() => (fontFile = null));
  }
  return fontFile;
}

// ---------------------------------------------------------------- line breaking

/** Characters a line must not start with (Japanese kinsoku shori, plus Latin closing punctuation). */
const NO_LINE_START = new Set([...'、。，．・：；？！ー～…‥）」』】〕〉》”’ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻)]},.:;!?%']);
/** Characters a line must not end with. */
const NO_LINE_END = new Set([...'（「『【〔〈《“‘([{']);
/** Scripts written without spaces: a line may break between any two of their characters. */
const BREAK_ANYWHERE = /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

/**
 * Splits one line of text into pieces that must stay together: Latin words (with their following
 * space), single CJK characters with any punctuation that may not be separated from them.
 */
function breakUnits(line: string): string[] {
  const units: string[] = [];
  let word = '';
  const flushWord = () => {
    if (word) units.push(word);
    word = '';
  };
  for (const char of line) {
    if (char === ' ') {
      word += char;
      flushWord();
    } else if (BREAK_ANYWHERE.test(char)) {
      flushWord();
      units.push(char);
    } else {
      word += char;
    }
  }
  flushWord();
  // kinsoku: glue a no-start character to the unit before it, a no-end character to the one after
  const glued: string[] = [];
  for (const unit of units) {
    const previous = glued[glued.length - 1];
    if (previous !== undefined && (NO_LINE_START.has([...unit][0]) || NO_LINE_END.has([...previous].at(-1)!))) glued[glued.length - 1] = previous + unit;
    else glued.push(unit);
  }
  return glued;
}

/** Greedy wrapping of one paragraph line to `width` points; a unit wider than a line is cut by characters. */
export function wrapLine(line: string, width: number, measure: (text: string) => number): string[] {
  if (line === '') return [''];
  const lines: string[] = [];
  let current = '';
  for (const unit of breakUnits(line)) {
    const candidate = current + unit;
    if (measure(candidate.trimEnd()) <= width) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current.trimEnd());
    current = '';
    if (measure(unit.trimEnd()) <= width) {
      current = unit;
      continue;
    }
    for (const char of unit) {
      if (current && measure(current + char) > width) {
        lines.push(current);
        current = '';
      }
      current += char;
    }
  }
  if (current.trimEnd() || lines.length === 0) lines.push(current.trimEnd());
  return lines;
}

// ---------------------------------------------------------------- layout

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { left: 50, right: 50, top: 56, bottom: 60 };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const LABEL_WIDTH = 150;
const INK = rgb(0.1, 0.12, 0.16);
const MUTED = rgb(0.38, 0.41, 0.47);
const TRAINING_RED = rgb(0.72, 0.1, 0.1);

class Writer {
  pages: PDFPage[] = [];
  private page!: PDFPage;
  private y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly onNewPage: (page: PDFPage) => void,
  ) {
    this.newPage();
  }

  private newPage(): void {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.pages.push(this.page);
    this.y = A4.height - MARGIN.top;
    this.onNewPage(this.page);
  }

  /** Starts a new page unless `height` points still fit on this one (keeps a block together). */
  ensure(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  measure = (size: number) => (text: string) => this.font.widthOfTextAtSize(text, size);

  gap(points: number): void {
    this.y -= points;
  }

  /** Wrapped text; `\n` starts a new line, empty lines keep their height. */
  text(text: string, options: { size?: number; color?: ReturnType<typeof rgb>; x?: number; width?: number; lineGap?: number } = {}): void {
    const size = options.size ?? 10;
    const x = options.x ?? MARGIN.left;
    const width = options.width ?? CONTENT_WIDTH - (x - MARGIN.left);
    const lineHeight = size * (options.lineGap ?? 1.55);
    for (const paragraph of text.split('\n')) {
      for (const line of wrapLine(paragraph, width, this.measure(size))) {
        this.ensure(lineHeight);
        this.y -= lineHeight;
        if (line) this.page.drawText(line, { x, y: this.y + size * 0.3, size, font: this.font, color: options.color ?? INK });
      }
    }
  }

  heading(text: string): void {
    this.ensure(40);
    this.gap(10);
    this.text(text, { size: 12.5 });
    this.page.drawLine({ start: { x: MARGIN.left, y: this.y }, end: { x: A4.width - MARGIN.right, y: this.y }, thickness: 0.6, color: MUTED });
    this.gap(4);
  }

  /** A label and its (wrapped) value side by side; the pair moves to the next page together. */
  row(label: string, value: string): void {
    const size = 9.5;
    const lineHeight = size * 1.5;
    const valueLines = value.split('\n').flatMap((part) => wrapLine(part, CONTENT_WIDTH - LABEL_WIDTH, this.measure(size)));
    const labelLines = wrapLine(label, LABEL_WIDTH - 8, this.measure(size));
    const lines = Math.max(valueLines.length, labelLines.length);
    this.ensure(lines * lineHeight);
    for (let i = 0; i < lines; i++) {
      this.y -= lineHeight;
      const y = this.y + size * 0.3;
      if (labelLines[i]) this.page.drawText(labelLines[i], { x: MARGIN.left, y, size, font: this.font, color: MUTED });
      if (valueLines[i]) this.page.drawText(valueLines[i], { x: MARGIN.left + LABEL_WIDTH, y, size, font: this.font, color: INK });
    }
  }

  image(image: PDFImage, maxWidth: number, maxHeight: number): void {
    const scale = Math.min(maxWidth / image.width, maxHeight / image.height, 1);
    const width = image.width * scale;
    const height = image.height * scale;
    this.ensure(height + 8);
    this.y -= height + 4;
    this.page.drawRectangle({ x: MARGIN.left, y: this.y - 2, width: width + 4, height: height + 4, borderColor: MUTED, borderWidth: 0.5 });
    this.page.drawImage(image, { x: MARGIN.left + 2, y: this.y, width, height });
    this.gap(6);
  }
}

function describeAmount(consent: ConsentView, language: Language): string {
  const p = consent.params;
  const money = (amount: number | undefined) => (amount === undefined ? '' : formatMoney(amount, p.currency, language));
  return mainText(language, `amountRule.${p.amountRule}`, { amount: money(p.amount), max: money(p.maxAmount) });
}

export async function renderConsentPdfHere(input: ConsentPdfInput): Promise<Uint8Array> {
  const { consent, shop, terminal, mode, generatedAt } = input;
  const lang = consent.language;
  const t = (key: MainTextKey, vars?: Record<string, string | number>) => mainText(lang, key, vars);
  const training = mode === 'training';
  const p = consent.params;

  const rows: Array<[string, string]> = [
    [t('pdf.consentId'), consent.id],
    [t('pdf.status'), t(`pdf.status.${consent.status}`)],
    [t('pdf.termsVersion'), consent.termsVersion],
    [t('pdf.sha256'), consent.textSha256],
    [t('pdf.typedName'), consent.typedName],
    [t('pdf.customer'), `${consent.customerId} · ${consent.stripeCustomerId}`],
    [t('pdf.acceptedUtc'), consent.acceptedAtUtc],
    [t('pdf.acceptedLocal'), `${formatDateTime(consent.acceptedAtUtc, lang, consent.timeZone)}\n${consent.acceptedAtLocal} (${consent.timeZone})`],
    [t('pdf.witness'), `${consent.witnessedBy.name} (${consent.witnessedBy.staffId})`],
    [t('pdf.terminal'), terminal.name ? `${terminal.name} (${terminal.id})` : terminal.id],
    [t('pdf.shop'), `${shop.name}\n${shop.contact}`],
    ...(consent.correctsConsentId ? ([[t('pdf.corrects'), consent.correctsConsentId]] as Array<[string, string]>) : []),
    ...(consent.withdrawal
      ? ([[t('pdf.withdrawn'), t('pdf.withdrawnValue', { time: formatDateTime(consent.withdrawal.at, lang), name: consent.withdrawal.byName, reason: consent.withdrawal.reason })]] as Array<
          [string, string]
        >)
      : []),
  ];
  const params: Array<[string, string]> = [
    [t('pdf.purpose'), p.purpose],
    [t('pdf.frequency'), t(`frequency.${p.frequency}`)],
    [t('pdf.timing'), p.timing],
    [t('pdf.amount'), describeAmount(consent, lang)],
    [t('pdf.currency'), p.currency.toUpperCase()],
    [
      t('pdf.period'),
      p.endDate === null
        ? t('pdf.periodOpen', { start: formatDate(p.startDate, lang) })
        : t('pdf.periodUntil', { start: formatDate(p.startDate, lang), end: formatDate(p.endDate, lang) }),
    ],
    [t('pdf.cancellation'), p.cancellationPolicy],
  ];
  const title = t('pdf.title');
  const generated = t('pdf.generated', { time: formatDateTime(generatedAt, lang), utc: generatedAt.toISOString() });
  const trainingBanner = t('pdf.trainingBanner');
  const trainingMark = t('pdf.trainingMark');
  const footer = (page: number, pages: number) => t('pdf.footer', { shop: shop.name, consent: consent.id, page, pages });
  const signatureLabel = t('pdf.signature');
  const noSignature = t('pdf.noSignature');
  const drawnSignature = t('pdf.drawnSignature');

  // Every character the document will draw (page numbers are digits), so the font subset covers them.
  const everything = [
    title,
    generated,
    trainingBanner,
    trainingMark,
    footer(1, 1),
    '0123456789',
    signatureLabel,
    noSignature,
    drawnSignature,
    consent.text,
    t('pdf.record'),
    t('pdf.params'),
    t('pdf.asAccepted'),
    ...rows.flat(),
    ...params.flat(),
  ].join('');

  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fontBytes = await subsetFont(await fullFont(), everything, { targetFormat: 'sfnt' });
  // No ligatures: "ﬁ" as one glyph would not come back as "fi" when the text is copied or extracted.
  const font = await doc.embedFont(fontBytes, { subset: false, features: { liga: false, clig: false, dlig: false, calt: false } });
  doc.setTitle(`${title} — ${consent.typedName}`);
  doc.setSubject(consent.id);
  doc.setLanguage(lang === 'ja' ? 'ja-JP' : 'en-US');
  doc.setProducer('Mandate Desk');
  doc.setCreator('Mandate Desk');
  doc.setCreationDate(generatedAt);
  doc.setModificationDate(generatedAt);
  await doc.attach(new TextEncoder().encode(consent.text), 'terms.txt', {
    mimeType: 'text/plain',
    description: t('pdf.attachment', { sha256: consent.textSha256 }),
    creationDate: new Date(consent.acceptedAtUtc),
    modificationDate: new Date(consent.acceptedAtUtc),
  });

  const markPage = (page: PDFPage) => {
    if (!training) return;
    // A red frame round every page and a banner at its top: no page can pass for a real consent. (Shapes, not a
    // diagonal text watermark, which text extraction would mix into the terms.)
    page.drawRectangle({ x: 14, y: 14, width: A4.width - 28, height: A4.height - 28, borderColor: TRAINING_RED, borderWidth: 5, opacity: 0 });
    page.drawRectangle({ x: MARGIN.left, y: A4.height - 44, width: CONTENT_WIDTH, height: 26, color: TRAINING_RED });
    page.drawText(trainingMark, { x: MARGIN.left + 8, y: A4.height - 37, size: 13, font, color: rgb(1, 1, 1) });
    const markWidth = font.widthOfTextAtSize(trainingMark, 13);
    page.drawText(trainingBanner, { x: MARGIN.left + 18 + markWidth, y: A4.height - 35, size: 8, font, color: rgb(1, 1, 1) });
  };

  const writer = new Writer(doc, font, markPage);
  writer.text(title, { size: 17, lineGap: 1.4 });
  writer.text(generated, { size: 8.5, color: MUTED });

  writer.heading(t('pdf.record'));
  for (const [label, value] of rows) writer.row(label, value);
  writer.heading(t('pdf.params'));
  for (const [label, value] of params) writer.row(label, value);

  writer.heading(t('pdf.asAccepted'));
  writer.text(consent.text.replace(/\n+$/, ''), { size: 9.5 });

  writer.gap(12);
  // the typed name, the caption and the drawn signature stay on one page
  writer.ensure(consent.signaturePng ? 150 : 40);
  writer.row(signatureLabel, consent.typedName);
  if (consent.signaturePng) {
    const png = await doc.embedPng(consent.signaturePng);
    writer.text(drawnSignature, { size: 9.5, color: MUTED });
    writer.image(png, 240, 90);
  } else {
    writer.text(noSignature, { size: 9.5, color: MUTED });
  }

  const pages = writer.pages;
  pages.forEach((page, index) => {
    const text = footer(index + 1, pages.length);
    page.drawText(text, { x: MARGIN.left, y: 30, size: 8, font, color: MUTED });
  });
  return doc.save({ useObjectStreams: false });
}


/** The evidence PDF's extra attachment: the consent record as JSON (see stripe-share.ts evidencePdf). */
export interface EvidenceAttachment {
  name: string;
  json: string;
  description: string;
  /** The consent's acceptance: the attachment's and the document's dates. */
  at: Date;
}

/** The consent PDF with the record attached (same bytes for the same consent: a retried upload is a replay). */
export async function renderEvidencePdfHere(input: ConsentPdfInput, attachment: EvidenceAttachment): Promise<Uint8Array> {
  const rendered = await renderConsentPdfHere(input);
  const pdf = await PDFDocument.load(rendered, { updateMetadata: false });
  await pdf.attach(new TextEncoder().encode(attachment.json), attachment.name, {
    mimeType: 'application/json',
    description: attachment.description,
    creationDate: attachment.at,
    modificationDate: attachment.at,
  });
  pdf.setCreationDate(attachment.at);
  pdf.setModificationDate(attachment.at);
  return pdf.save({ useObjectStreams: false });
}
