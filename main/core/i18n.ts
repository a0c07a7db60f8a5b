/**
 * Main-side message catalog (English and Japanese): the mandate terms, the loopback return page,
 * receipts and evidence. The renderer has its own catalog; this one covers text main produces.
 * `{name}` placeholders are filled from `vars`; a missing var is left visible rather than guessed.
 */
import type { Currency, Language } from '../../preload/contract';

const en = {
  // --- loopback return page (the customer's browser after Checkout)
  'returnPage.title': 'Mandate Desk',
  'returnPage.succeeded': 'Your Amazon Pay account has been saved. Thank you.',
  'returnPage.failed': 'Your Amazon Pay account could not be saved. Please tell the staff at the counter.',
  'returnPage.canceled': 'Saving your Amazon Pay account was canceled. Nothing was saved.',
  'returnPage.pending': 'We are still waiting for confirmation from Amazon Pay. The staff at the counter will see the result.',
  'returnPage.closeHint': 'You can close this page and return to the shop counter.',

  // --- Checkout Session (shown in the Stripe Dashboard next to the SetupIntent)
  'setup.description': 'Charge-later authorization for {shop}: {purpose}',

  // --- mandate terms
  'terms.title': 'Authorization to charge later with Amazon Pay',
  'terms.version': 'Terms version: {version}',
  'terms.shop': 'Shop: {shop}',
  'terms.shopContact': 'Shop contact: {contact}',
  'terms.customer': 'Customer: {name} ({email})',
  'terms.paymentMethod': 'Payment method: Amazon Pay (your Amazon account, saved through our payment provider Stripe)',
  'terms.presentedAt': 'Presented at: {terminal}',

  'terms.permission.heading': '1. Your permission',
  'terms.permission.body':
    'I, {name}, authorize {shop} to initiate a payment or a series of payments from my Amazon Pay account on my behalf, for the following purpose only. The shop may not use this permission for any other purpose.',
  'terms.permission.purpose': 'Purpose: {purpose}',

  'terms.frequency.heading': '2. Frequency and timing of payments',
  'terms.frequency.one_off': 'Frequency: a single payment (one-off)',
  'terms.frequency.recurring': 'Frequency: recurring payments',
  'terms.frequency.as_needed': 'Frequency: as needed, each time the service is provided',
  'terms.frequency.timing': 'Timing: {timing}',

  'terms.amount.heading': '3. How the amount is determined',
  'terms.amount.fixed': 'Each payment is a fixed amount of {amount}.',
  'terms.amount.up_to_max': 'Each payment is the amount due at the time, up to a maximum of {max} per payment.',
  'terms.amount.per_usage': 'Each payment is calculated from your usage, up to a maximum of {max} per payment.',
  'terms.amount.currency': 'All amounts are charged in {currency}.',

  'terms.period.heading': '4. Start date and duration',
  'terms.period.start': 'Start date: {date}',
  'terms.period.until': 'This permission lasts until {date} (inclusive).',
  'terms.period.untilCancelled': 'This permission lasts until you cancel it.',

  'terms.cancellation.heading': '5. Cancellation policy',

  'terms.changes.heading': '6. Changes to these terms',
  'terms.changes.body':
    'We will tell you about any change to these terms (including amounts, frequency or timing) at least 7 days before it takes effect.',

  'terms.withdraw.heading': '7. Withdrawing your consent',
  'terms.withdraw.body':
    'You may withdraw this permission at any time by contacting {shop} ({contact}). Withdrawal takes effect for all future charges: no payment will be initiated under this permission after the shop records your withdrawal. Payments made before that are not affected.',

  'terms.copy.heading': '8. Your copy',
  'terms.copy.body': 'A copy of these terms is given to you: printed, or by e-mail where the shop offers it. Please keep it.',

  'terms.finalConfirmation.heading': '9. Final confirmation (Japan: Act on Specified Commercial Transactions)',
  'terms.finalConfirmation.intro': 'Please check the following before you agree:',
  'terms.finalConfirmation.price': 'Price: {price}',
  'terms.finalConfirmation.timing': 'Payment timing: {frequency}; {timing}',
  'terms.finalConfirmation.method': 'Payment method: Amazon Pay',
  'terms.finalConfirmation.period': 'Period: from {start}; {end}',
  'terms.finalConfirmation.cancellation': 'Cancellation: {policy} You may also withdraw this permission as described in section 7.',

  'terms.privacy.heading': '10. Purpose of use of personal data (Japan: Act on the Protection of Personal Information)',
  'terms.privacy.body':
    '{shop} uses your name, e-mail address, telephone number and payment details only to process payments under this permission, to contact you about them, and to keep the record of your consent that the law and our payment provider require. They are shared with Stripe and Amazon Pay only to process these payments, and with no other third party except where the law requires. To ask about, correct or stop the use of your personal data, contact {contact}.',

  'terms.acceptance':
    'By typing my full name below, I confirm that I have read these terms and agree to them.',

  // --- short forms inside the terms' final confirmation (section 9)
  'frequency.one_off': 'One-off',
  'frequency.recurring': 'Recurring',
  'frequency.as_needed': 'As needed',
  'amountRule.fixed': 'Fixed amount: {amount}',
  'amountRule.up_to_max': 'Up to {max} per payment',
  'amountRule.per_usage': 'By usage, up to {max} per payment',
  'period.untilCancelled': 'until cancelled',
  'period.until': 'until {date}',

  // --- the consent record as a PDF (consent-pdf.ts)
  'pdf.title': 'Consent record: charge later with Amazon Pay',
  'pdf.generated': 'Printed {time} ({utc})',
  'pdf.trainingBanner': 'Made in training mode: not a real consent, and no real payment can be made with it.',
  'pdf.trainingMark': 'TRAINING',
  'pdf.footer': '{shop} · {consent} · page {page} of {pages}',
  'pdf.record': 'Record',
  'pdf.consentId': 'Consent ID',
  'pdf.status': 'Status',
  'pdf.status.active': 'Active',
  'pdf.status.withdrawn': 'Withdrawn',
  'pdf.status.expired': 'Expired',
  'pdf.status.not_started': 'Not started yet',
  'pdf.termsVersion': 'Terms version',
  'pdf.sha256': 'SHA-256 of the terms text',
  'pdf.typedName': 'Name typed by the customer',
  'pdf.customer': 'Customer (shop ID · Stripe ID)',
  'pdf.acceptedUtc': 'Accepted (UTC)',
  'pdf.acceptedLocal': 'Accepted (local time)',
  'pdf.witness': 'Witnessed by',
  'pdf.terminal': 'Terminal',
  'pdf.shop': 'Shop',
  'pdf.corrects': 'Corrects consent',
  'pdf.withdrawn': 'Withdrawn',
  'pdf.withdrawnValue': '{time}, recorded by {name}. Reason: {reason}',
  'pdf.params': 'Agreed terms',
  'pdf.purpose': 'Purpose',
  'pdf.frequency': 'Frequency',
  'pdf.timing': 'Timing',
  'pdf.amount': 'Amount',
  'pdf.currency': 'Currency',
  'pdf.period': 'Period',
  'pdf.periodUntil': 'From {start} until {end} (inclusive)',
  'pdf.periodOpen': 'From {start} until canceled',
  'pdf.cancellation': 'Cancellation policy',
  'pdf.asAccepted': 'The terms exactly as accepted',
  'pdf.signature': 'Name typed',
  'pdf.noSignature': 'No signature was drawn; the typed name is the signature.',
  'pdf.drawnSignature': 'Signature drawn by the customer',
  'pdf.attachment': 'The terms text exactly as accepted (UTF-8), SHA-256 {sha256}',
  // --- e-mails to customers (mail.ts)
  'mail.greeting': 'Dear {name},',
  'mail.signature': '{shop}\n{contact}',
  'mail.automatic': 'If you did not expect this e-mail, please contact {shop}: {contact}',
  'mail.trainingNote': '[TRAINING] This e-mail was sent in training mode: nothing in it is a real agreement or payment.',
  'mail.setupLink.subject': 'Save your Amazon Pay account with {shop}',
  'mail.setupLink.body':
    'To let {shop} charge you later as you agreed, please open this link on your phone or computer and sign in to Amazon Pay:\n\n{url}\n\nThe link works until {expires}.',
  'mail.consentCopy.subject': 'Your copy of the terms you accepted at {shop}',
  'mail.consentCopy.body':
    'Thank you. This is your copy of the terms you accepted on {time} (consent {consent}). The record is attached as a PDF, and the exact text follows below.\n\nPurpose: {purpose}\nTerms version: {version}\nSHA-256 of the text: {sha256}',
  'mail.consentCopy.textHeading': '--- The terms exactly as accepted ---',
  'mail.receipt.subject': 'Receipt {number} from {shop}',
  'mail.receipt.body': 'Thank you for your payment.\n\nReceipt number: {number}\nDate: {date}\nDescription: {description}\nAmount paid: {amount}\nPayment method: Amazon Pay',
  'mail.receipt.tax': 'Consumption tax included ({rate}%): {tax}',
  'mail.receipt.registration': 'Qualified invoice registration number: {number}',
  'mail.refund.subject': 'Refund of {amount} from {shop}',
  'mail.refund.body':
    'On {date} we refunded {amount} of your payment {number} ({description}) to your Amazon Pay account. It may take a few days to appear there.\n\nYour payment after refunds: {total}',
  'mail.test.subject': 'Test e-mail from Mandate Desk ({shop})',
  'mail.test.body': 'This is a test e-mail sent from the Settings screen of Mandate Desk at {shop}. If you can read it, e-mail to customers works.',

  // --- start-up problems, shown before the window exists (one line on a console, or a dialog)
  'startup.couldNotStart': 'Mandate Desk could not start: {reason}',
  'startup.invalid_stripe_key': 'the configured Stripe key is not a secret key (sk_…) or restricted key (rk_…). Fix STRIPE_SECRET_KEY, or remove it to start in training mode.',
  'startup.bad_arguments': 'a start-up option is not valid.',
  'startup.emulator_unreachable': 'the training emulator (MANDATE_DESK_EMULATOR_URL) cannot be used.',
  'startup.data_dir_in_use': 'another Mandate Desk is already using this data folder. Close it, or choose another folder with --data-dir.',
  'startup.port_in_use': 'port {port} on 127.0.0.1 is already in use by another program. Choose another with --port=N, or leave --port out to get a free one.',
  'startup.other': 'an unexpected problem occurred.',
  'startup.details': '(Details: {details})',

  // --- defaults written at first start
  'defaults.terminalName': 'Counter 1',
} as const;

export type MainTextKey = keyof typeof en;
/** Every key of the catalog (for the completeness tests). */
export const MAIN_TEXT_KEYS = Object.keys(en) as MainTextKey[];

const ja: Record<MainTextKey, string> = {
  'returnPage.title': 'Mandate Desk',
  'returnPage.succeeded': 'Amazon Pay アカウントを登録しました。ありがとうございました。',
  'returnPage.failed': 'Amazon Pay アカウントを登録できませんでした。お手数ですが、カウンターのスタッフにお知らせください。',
  'returnPage.canceled': 'Amazon Pay アカウントの登録を中止しました。登録された情報はありません。',
  'returnPage.pending': 'Amazon Pay からの確認を待っています。結果はカウンターのスタッフが確認いたします。',
  'returnPage.closeHint': 'このページを閉じて、店舗のカウンターにお戻りください。',

  'setup.description': '{shop}の後日請求に関する同意: {purpose}',

  'terms.title': 'Amazon Pay による後日請求に関する同意書',
  'terms.version': '規約バージョン: {version}',
  'terms.shop': '店舗: {shop}',
  'terms.shopContact': '店舗の連絡先: {contact}',
  'terms.customer': 'お客様: {name} 様（{email}）',
  'terms.paymentMethod': 'お支払い方法: Amazon Pay（お客様の Amazon アカウントを、決済代行事業者 Stripe を通じて登録します）',
  'terms.presentedAt': '提示した端末: {terminal}',

  'terms.permission.heading': '1. お客様の許可',
  'terms.permission.body':
    '私（{name}）は、{shop}が、以下の目的に限り、私に代わって私の Amazon Pay アカウントから 1 回または複数回の支払いを開始することを許可します。{shop}は、この許可を以下の目的以外に使用しません。',
  'terms.permission.purpose': '目的: {purpose}',

  'terms.frequency.heading': '2. お支払いの頻度と時期',
  'terms.frequency.one_off': '頻度: 1 回限りのお支払い',
  'terms.frequency.recurring': '頻度: 継続的なお支払い（定期支払い）',
  'terms.frequency.as_needed': '頻度: サービスを提供するたびに、必要に応じてお支払い',
  'terms.frequency.timing': '時期: {timing}',

  'terms.amount.heading': '3. お支払い金額の決め方',
  'terms.amount.fixed': '各回のお支払い金額は {amount}（定額）です。',
  'terms.amount.up_to_max': '各回のお支払い金額はその時点のご請求額とし、1 回あたり {max} を上限とします。',
  'terms.amount.per_usage': '各回のお支払い金額はご利用量に応じて算定し、1 回あたり {max} を上限とします。',
  'terms.amount.currency': 'ご請求はすべて{currency}で行います。',

  'terms.period.heading': '4. 開始日と有効期間',
  'terms.period.start': '開始日: {date}',
  'terms.period.until': 'この許可は{date}（当日を含む）まで有効です。',
  'terms.period.untilCancelled': 'この許可は、お客様が解約されるまで有効です。',

  'terms.cancellation.heading': '5. 解約について',

  'terms.changes.heading': '6. 規約の変更',
  'terms.changes.body': '本規約の内容（金額、頻度、時期を含みます）を変更する場合は、変更の効力が生じる 7 日前までにお知らせします。',

  'terms.withdraw.heading': '7. 同意の撤回',
  'terms.withdraw.body':
    'この許可は、{shop}（{contact}）にご連絡いただくことで、いつでも撤回できます。撤回は以後のすべての請求について効力を生じ、店舗が撤回を記録した後に、この許可に基づくお支払いを開始することはありません。撤回前に行われたお支払いには影響しません。',

  'terms.copy.heading': '8. 控えの交付',
  'terms.copy.body': '本規約の控えをお客様にお渡しします（印刷物、または店舗が対応している場合は電子メール）。大切に保管してください。',

  'terms.finalConfirmation.heading': '9. 最終確認（特定商取引法に基づく表示）',
  'terms.finalConfirmation.intro': '同意される前に、以下の内容をご確認ください。',
  'terms.finalConfirmation.price': 'お支払い金額: {price}',
  'terms.finalConfirmation.timing': 'お支払いの時期: {frequency}／{timing}',
  'terms.finalConfirmation.method': 'お支払い方法: Amazon Pay',
  'terms.finalConfirmation.period': '契約期間: {start}から{end}',
  'terms.finalConfirmation.cancellation': '解約: {policy} また、第 7 項のとおり、この許可はいつでも撤回できます。',

  'terms.privacy.heading': '10. 個人情報の利用目的（個人情報保護法）',
  'terms.privacy.body':
    '{shop}は、お客様の氏名、メールアドレス、電話番号およびお支払いに関する情報を、この許可に基づくお支払いの処理、お支払いに関するご連絡、ならびに法令および決済事業者が求める同意記録の保管のためにのみ利用します。これらの情報は、お支払いの処理のためにのみ Stripe および Amazon Pay に提供し、法令に基づく場合を除き、その他の第三者に提供することはありません。個人情報の利用に関するお問い合わせ、訂正、利用停止のご請求は、{contact}までご連絡ください。',

  'terms.acceptance': '下欄に氏名（フルネーム）を入力することで、本規約を読み、同意したことを確認します。',

  'frequency.one_off': '1 回限り',
  'frequency.recurring': '継続支払い',
  'frequency.as_needed': '必要に応じて都度',
  'amountRule.fixed': '定額: {amount}',
  'amountRule.up_to_max': '1 回あたり {max} まで',
  'amountRule.per_usage': 'ご利用量に応じて、1 回あたり {max} まで',
  'period.untilCancelled': '解約されるまで',
  'period.until': '{date}まで',

  'pdf.title': '同意記録: Amazon Pay による後日請求',
  'pdf.generated': '印刷日時: {time}（{utc}）',
  'pdf.trainingBanner': 'トレーニングモードで作成された記録です。実際の同意ではなく、請求には使えません。',
  'pdf.trainingMark': 'TRAINING',
  'pdf.footer': '{shop}・{consent}・{page} / {pages} ページ',
  'pdf.record': '記録',
  'pdf.consentId': '同意 ID',
  'pdf.status': '状態',
  'pdf.status.active': '有効',
  'pdf.status.withdrawn': '撤回済み',
  'pdf.status.expired': '期限切れ',
  'pdf.status.not_started': '開始前',
  'pdf.termsVersion': '規約バージョン',
  'pdf.sha256': '規約本文の SHA-256',
  'pdf.typedName': 'お客様が入力した氏名',
  'pdf.customer': 'お客様（店舗 ID・Stripe ID）',
  'pdf.acceptedUtc': '同意日時（UTC）',
  'pdf.acceptedLocal': '同意日時（現地時刻）',
  'pdf.witness': '立会いスタッフ',
  'pdf.terminal': '端末',
  'pdf.shop': '店舗',
  'pdf.corrects': '訂正対象の同意',
  'pdf.withdrawn': '撤回',
  'pdf.withdrawnValue': '{time}に {name} が記録。理由: {reason}',
  'pdf.params': '合意した条件',
  'pdf.purpose': '目的',
  'pdf.frequency': '頻度',
  'pdf.timing': 'タイミング',
  'pdf.amount': '金額',
  'pdf.currency': '通貨',
  'pdf.period': '期間',
  'pdf.periodUntil': '{start}から{end}まで（当日を含む）',
  'pdf.periodOpen': '{start}から解約されるまで',
  'pdf.cancellation': 'キャンセル（解約）ポリシー',
  'pdf.asAccepted': '同意いただいた規約（原文のまま）',
  'pdf.signature': '入力された氏名',
  'pdf.noSignature': '手書きの署名はありません。入力された氏名を署名とします。',
  'pdf.drawnSignature': 'お客様の手書き署名',
  'pdf.attachment': '同意いただいた規約本文（UTF-8、原文のまま）。SHA-256 {sha256}',
  'mail.greeting': '{name} 様',
  'mail.signature': '{shop}\n{contact}',
  'mail.automatic': 'このメールにお心当たりがない場合は、お手数ですが{shop}（{contact}）までご連絡ください。',
  'mail.trainingNote': '【トレーニング】このメールはトレーニングモードで送信されました。実際の同意やお支払いではありません。',
  'mail.setupLink.subject': '【{shop}】Amazon Pay アカウントご登録のお願い',
  'mail.setupLink.body':
    '{shop}からの後日請求のため、以下のリンクをスマートフォンまたはパソコンで開き、Amazon Pay にサインインしてアカウントをご登録ください。\n\n{url}\n\nこのリンクの有効期限は {expires} です。',
  'mail.consentCopy.subject': '【{shop}】ご同意いただいた規約の控え',
  'mail.consentCopy.body':
    'ご同意いただき、ありがとうございました。{time}にご同意いただいた規約の控えをお送りします（同意 ID: {consent}）。同意記録の PDF を添付しております。規約の本文は以下のとおりです。\n\n目的: {purpose}\n規約バージョン: {version}\n規約本文の SHA-256: {sha256}',
  'mail.consentCopy.textHeading': '――― ご同意いただいた規約（原文のまま） ―――',
  'mail.receipt.subject': '【{shop}】領収書（{number}）',
  'mail.receipt.body': 'お支払いいただき、ありがとうございました。\n\n領収書番号: {number}\n日付: {date}\n内容: {description}\nお支払い金額: {amount}\nお支払い方法: Amazon Pay',
  'mail.receipt.tax': 'うち消費税（{rate}%）: {tax}',
  'mail.receipt.registration': '登録番号: {number}',
  'mail.refund.subject': '【{shop}】返金のお知らせ（{amount}）',
  'mail.refund.body':
    '{date}に、お支払い（領収書番号 {number}、{description}）のうち {amount} を Amazon Pay アカウントへ返金いたしました。反映まで数日かかる場合があります。\n\n返金後のお支払い金額: {total}',
  'mail.test.subject': '【{shop}】Mandate Desk のテストメール',
  'mail.test.body': 'このメールは、{shop}の Mandate Desk の設定画面から送信したテストメールです。このメールが届いていれば、お客様へのメール送信は正常に動作しています。',
  'startup.couldNotStart': 'Mandate Desk を起動できませんでした: {reason}',
  'startup.invalid_stripe_key': '設定された Stripe キーが、シークレットキー（sk_…）または制限付きキー（rk_…）ではありません。STRIPE_SECRET_KEY を修正するか、削除してトレーニングモードで起動してください。',
  'startup.bad_arguments': '起動オプションの指定に誤りがあります。',
  'startup.emulator_unreachable': 'トレーニング用エミュレーター（MANDATE_DESK_EMULATOR_URL）を使用できません。',
  'startup.data_dir_in_use': 'このデータフォルダーは、別の Mandate Desk が使用中です。そちらを終了するか、--data-dir で別のフォルダーを指定してください。',
  'startup.port_in_use': '127.0.0.1 のポート {port} は、ほかのプログラムが使用中です。--port=N で別のポートを指定するか、--port を省略して空いているポートを使ってください。',
  'startup.other': '予期しない問題が発生しました。',
  'startup.details': '（詳細: {details}）',

  'defaults.terminalName': 'カウンター 1',
};

const catalogs: Record<Language, Record<MainTextKey, string>> = { en, ja };

/** BCP 47 locale used for Intl formatting in each app language. */
export const LOCALES: Record<Language, string> = { en: 'en-US', ja: 'ja-JP' };

/** The message for `key` in `language`, with `{var}` placeholders filled in. */
export function mainText(language: Language, key: MainTextKey, vars: Record<string, string | number> = {}): string {
  return catalogs[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Digits after the decimal point in the currency's minor unit (JPY: 0, EUR: 2), as Intl knows it. */
export function minorUnitExponent(currency: Currency): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `amount` (integer minor units) as money text, e.g. 1250 eur → "€12.50", 1250 jpy → "￥1,250" (ja). */
export function formatMoney(amount: number, currency: Currency, language: Language): string {
  const exponent = minorUnitExponent(currency);
  return new Intl.NumberFormat(LOCALES[language], {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(amount / 10 ** exponent);
}

/**
 * A calendar date. `YYYY-MM-DD` strings are shown as that very date (no time-zone shift); a
 * timestamp (ISO string or Date) is shown as its date in `timeZone` (default: the machine's).
 */
export function formatDate(value: string | Date, language: Language, timeZone?: string): string {
  const calendarDate = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (calendarDate) {
    const [, y, m, d] = calendarDate;
    return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(+y, +m - 1, +d)));
  }
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone }).format(new Date(value));
}

/** A moment (ISO string or Date) as date and time in `timeZone` (default: the machine's), with the zone named. */
export function formatDateTime(value: string | Date, language: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeStyle: 'long', timeZone }).format(new Date(value));
}
